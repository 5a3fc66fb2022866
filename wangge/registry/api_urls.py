from django.urls import path

from wangge.registry import api

urlpatterns = [
    path("people/", api.PersonListApi.as_view(), name="api-person-list"),
    path("people/<int:pk>/", api.PersonDetailApi.as_view(), name="api-person-detail"),
    path("people/<int:pk>/reveal", api.PersonRevealApi.as_view(), name="api-person-reveal"),
    path("people/<int:pk>/events", api.PersonEventApi.as_view(), name="api-person-events"),
    path("people/<int:pk>/history", api.PersonHistoryApi.as_view(), name="api-person-history"),
    path("households/", api.HouseholdListApi.as_view(), name="api-household-list"),
    path("households/<int:pk>/", api.HouseholdDetailApi.as_view(), name="api-household-detail"),
    path("houses/", api.HouseListApi.as_view(), name="api-house-list"),
    path("houses/<int:pk>/", api.HouseDetailApi.as_view(), name="api-house-detail"),
    path("buildings/", api.BuildingListApi.as_view(), name="api-building-list"),
    path("buildings/<int:pk>/", api.BuildingDetailApi.as_view(), name="api-building-detail"),
    path("organisations/", api.OrganisationListApi.as_view(), name="api-organisation-list"),
    path("organisations/<int:pk>/", api.OrganisationDetailApi.as_view(),
         name="api-organisation-detail"),
    path("facilities/", api.FacilityListApi.as_view(), name="api-facility-list"),
    path("facilities/<int:pk>/", api.FacilityDetailApi.as_view(), name="api-facility-detail"),
]

from django.urls import path

from wangge.grids import api

urlpatterns = [
    path("", api.GridListApi.as_view(), name="api-grid-list"),
    path("locate", api.LocateApi.as_view(), name="api-grid-locate"),
    path("locate/bulk", api.LocateBulkApi.as_view(), name="api-grid-locate-bulk"),
    path("features", api.GridFeaturesApi.as_view(), name="api-grid-features"),
    path("<str:code>/", api.GridDetailApi.as_view(), name="api-grid-detail"),
    path("<str:code>/levels/", api.LevelChangeApi.as_view(), name="api-grid-levels"),
]

"""activities API, mounted at /api/activities/."""

from django.urls import path

from wangge.activities import api

app_name = "activities-api"
urlpatterns = [
    path("activities/", api.ActivityListApi.as_view(), name="activity-list"),
    path("activities/<int:pk>/", api.ActivityDetailApi.as_view(), name="activity-detail"),
    path("activities/<int:pk>/signups/", api.SignUpListApi.as_view(), name="signup-list"),
    path("volunteers/", api.VolunteerListApi.as_view(), name="volunteer-list"),
    path("volunteers/<int:pk>/record", api.ServiceRecordApi.as_view(),
         name="service-record"),
    path("projects/", api.ProjectListApi.as_view(), name="project-list"),
    path("projects/<int:pk>/", api.ProjectDetailApi.as_view(), name="project-detail"),
]

"""API of the workbench; wangge/urls.py mounts it under `api/`."""

from django.urls import path

from wangge.workbench import api

urlpatterns = [
    path("me/tasks/", api.MyTasksApi.as_view(), name="api-my-tasks"),
    path("patrols/", api.PatrolListApi.as_view(), name="api-patrols"),
    path("patrols/<int:pk>/", api.PatrolDetailApi.as_view(), name="api-patrol"),
    path("patrols/<int:pk>/points/", api.PatrolPointsApi.as_view(), name="api-patrol-points"),
    path("patrols/<int:pk>/visits/", api.PatrolVisitApi.as_view(), name="api-patrol-visits"),
    path("patrols/<int:pk>/findings/", api.PatrolFindingApi.as_view(),
         name="api-patrol-findings"),
    path("patrols/<int:pk>/end/", api.PatrolEndApi.as_view(), name="api-patrol-end"),
]

"""API of co-governance; wangge/urls.py mounts it under `api/cogovernance/`."""

from django.urls import path

from wangge.cogovernance import api

app_name = "cogovernance-api"
urlpatterns = [
    path("committees/", api.CommitteeListApi.as_view(), name="committees"),
    path("committees/<int:pk>/", api.CommitteeDetailApi.as_view(), name="committee"),
    path("meetings/", api.MeetingListApi.as_view(), name="meetings"),
    path("meetings/<int:pk>/", api.MeetingDetailApi.as_view(), name="meeting"),
    path("meetings/<int:pk>/hold/", api.MeetingHoldApi.as_view(), name="meeting-hold"),
    path("meetings/<int:pk>/publish/", api.MeetingPublishApi.as_view(),
         name="meeting-publish"),
    path("tasks/", api.TaskListApi.as_view(), name="tasks"),
    path("tasks/<int:pk>/", api.TaskDetailApi.as_view(), name="task"),
    path("tasks/<int:pk>/complete/", api.TaskCompleteApi.as_view(), name="task-complete"),
]

"""Co-governance pages for cadres, mounted at /console/cogovernance/."""

from django.urls import path

from wangge.cogovernance import views

app_name = "cogovernance"
urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("committees/<int:pk>", views.committee, name="committee"),
    path("meetings/new", views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/hold", views.meeting_hold, name="meeting-hold"),
    path("meetings/<int:pk>/publish", views.meeting_publish, name="meeting-publish"),
    path("tasks", views.tasks, name="tasks"),
    path("tasks/<int:pk>/done", views.task_done, name="task-done"),
]

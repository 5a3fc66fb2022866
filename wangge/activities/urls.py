"""Joint activities and co-built projects for cadres, mounted at /console/activities/."""

from django.urls import path

from wangge.console import views as console_views

app_name = "activities"
urlpatterns = [path("", console_views.board, name="list")]

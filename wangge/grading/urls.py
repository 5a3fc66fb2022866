"""Dynamic grading pages, mounted at /console/grading/."""

from django.urls import path

from wangge.console import views as console_views

app_name = "grading"
urlpatterns = [path("", console_views.levels, name="model")]

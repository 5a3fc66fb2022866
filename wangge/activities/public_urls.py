"""Activities and projects on the residents' site."""

from django.urls import path

from wangge.activities import views

app_name = "activities-public"
urlpatterns = [path("activities/", views.public_list, name="list")]

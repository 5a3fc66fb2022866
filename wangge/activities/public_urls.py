"""Activities and projects on the residents' site."""

from django.urls import path

from wangge.portal import views as portal_views

app_name = "activities-public"
urlpatterns = [path("activities/", portal_views.results, name="list")]

"""Published minutes on the residents' site."""

from django.urls import path

from wangge.portal import views as portal_views

app_name = "cogovernance-public"
urlpatterns = [path("minutes/", portal_views.results, name="minutes")]

"""Co-governance pages for cadres, mounted at /console/cogovernance/."""

from django.urls import path

from wangge.console import views as console_views

app_name = "cogovernance"
urlpatterns = [path("", console_views.board, name="meetings")]

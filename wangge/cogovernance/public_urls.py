"""Published minutes on the residents' site."""

from django.urls import path

from wangge.cogovernance import views

app_name = "cogovernance-public"
urlpatterns = [
    path("minutes/", views.minutes, name="minutes"),
    path("minutes/<int:pk>/", views.minutes_detail, name="minutes-detail"),
]

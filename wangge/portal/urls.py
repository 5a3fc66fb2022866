from django.urls import path

from wangge.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("appeal/new", views.appeal_new, name="appeal-new"),
    path("appeal/track", views.track, name="track"),
    path("appeal/<str:code>", views.appeal_detail, name="appeal"),
    path("appeal/<str:code>/rate", views.appeal_rate, name="appeal-rate"),
    path("appeal/<str:code>/photos/<int:pk>", views.appeal_photo, name="appeal-photo"),
    path("results", views.results, name="results"),
]

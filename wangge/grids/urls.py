from django.urls import path

from wangge.grids import views

urlpatterns = [
    path("map", views.map_view, name="map"),
]

"""The cadres' console, mounted at /console/."""

from django.urls import path

from wangge.console import dashboard, views

app_name = "console"
urlpatterns = [
    path("", views.board, name="board"),
    path("dispatch", views.board_dispatch, name="dispatch"),
    path("cases/<str:code>", views.case_detail, name="case"),
    path("cases/<str:code>/act/<str:action>", views.case_act, name="case-act"),
    path("cases/<str:code>/photos/<int:pk>", views.case_photo, name="case-photo"),
    path("dashboard", dashboard.dashboard, name="dashboard"),
    path("map", views.map_view, name="map"),
    path("map/cases.json", views.map_cases, name="map-cases"),
    path("map/grids.json", views.map_grids, name="map-grids"),
    path("map/buildings.json", views.map_buildings, name="map-buildings"),
    path("map/facilities.json", views.map_facilities, name="map-facilities"),
    path("levels", views.levels, name="levels"),
    path("levels/<str:code>", views.level_detail, name="level"),
    path("workforce", views.workforce, name="workforce"),
    path("workforce/<str:code>", views.workforce, name="workforce-node"),
    path("registry", views.registry, name="registry"),
]

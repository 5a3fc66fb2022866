"""Dynamic grading pages, mounted at /console/grading/."""

from django.urls import path

from wangge.grading import views

app_name = "grading"
urlpatterns = [
    path("", views.model, name="model"),
    path("preview", views.preview, name="preview"),
    path("save", views.save, name="save"),
    path("recompute", views.recompute, name="recompute"),
    path("settings/<str:code>", views.setting, name="setting"),
    path("proposals/<int:pk>/confirm", views.confirm, name="confirm"),
    path("proposals/<int:pk>/override", views.override, name="override"),
]

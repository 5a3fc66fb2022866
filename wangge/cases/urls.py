"""Staff web pages of cases, mounted at /cases/."""

from django.urls import path

from wangge.cases import views

app_name = "cases"
urlpatterns = [
    path("lists/", views.lists_home, name="lists-home"),
    path("lists/<str:code>/", views.lists_page, name="lists"),
    path("lists/<str:code>.xlsx", views.lists_download, {"fmt": "xlsx"}, name="lists-xlsx"),
    path("lists/<str:code>.pdf", views.lists_download, {"fmt": "pdf"}, name="lists-pdf"),
]

from django.urls import path

from wangge.workforce import views

urlpatterns = [
    path("me/", views.my_work, name="my-work"),
    path("board/", views.board_find, name="board-find"),
    path("board/<str:code>/", views.board_view, name="board"),
    path("board/<str:code>/print", views.board_print, name="board-print"),
]

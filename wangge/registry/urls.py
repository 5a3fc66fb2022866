from django.urls import path

from wangge.registry import views

app_name = "registry"
urlpatterns = [
    path("grids/", views.grid_file_home, name="grid-file-home"),
    path("grids/<str:code>/", views.grid_file_view, name="grid-file"),
    path("grids/<str:code>/file.xlsx", views.grid_file_xlsx, name="grid-file-xlsx"),
    path("grids/<str:code>/file.pdf", views.grid_file_pdf, name="grid-file-pdf"),
    path("people/", views.person_list, name="person-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("ledgers/", views.ledgers, name="ledgers"),
    path("ledgers/import", views.ledger_import, name="ledger-import"),
    path("ledgers/imports/<int:pk>/errors.xlsx", views.ledger_errors, name="ledger-errors"),
    path("ledgers/<str:kind>/template.xlsx", views.ledger_template, name="ledger-template"),
    path("ledgers/<str:kind>/export.xlsx", views.ledger_export, name="ledger-export"),
]

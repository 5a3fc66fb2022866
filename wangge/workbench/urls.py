"""The grid worker's phone workbench, mounted at `/m/`."""

from django.urls import path

from wangge.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("cases/<str:code>", views.case_detail, name="case"),
    path("cases/<str:code>/photos/<int:pk>", views.case_photo, name="case-photo"),
    path("cases/<str:code>/<slug:action>", views.case_act, name="case-act"),
    path("report", views.report, name="report"),
    path("report/duplicates", views.report_duplicates, name="report-duplicates"),
    path("patrols", views.patrols, name="patrols"),
    path("patrols/<int:pk>", views.patrol_detail, name="patrol"),
    path("patrols/<int:pk>/points", views.patrol_points, name="patrol-points"),
    path("patrols/<int:pk>/households", views.patrol_households, name="patrol-households"),
    path("patrols/<int:pk>/visits", views.patrol_visit, name="patrol-visit"),
    path("patrols/<int:pk>/findings", views.patrol_finding, name="patrol-finding"),
    path("patrols/<int:pk>/end", views.patrol_end, name="patrol-end"),
    path("must-report", views.must_report, name="must-report"),
    path("grid", views.grid, name="grid"),
    path("grid/notes/<int:pk>/done", views.finding_resolve, name="finding-resolve"),
]

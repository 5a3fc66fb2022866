"""grading API, mounted at /api/grading/."""

from django.urls import path

from wangge.grading import api

app_name = "grading-api"
urlpatterns = [
    path("model/", api.ModelApi.as_view(), name="model"),
    path("preview/", api.PreviewApi.as_view(), name="preview"),
    path("recompute/", api.RecomputeApi.as_view(), name="recompute"),
    path("proposals/", api.ProposalListApi.as_view(), name="proposals"),
    path("proposals/<int:pk>/confirm/", api.ProposalConfirmApi.as_view(), name="confirm"),
    path("proposals/<int:pk>/override/", api.ProposalOverrideApi.as_view(), name="override"),
]

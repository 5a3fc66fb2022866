from django.urls import path

from wangge.cases import api

urlpatterns = [
    path("cases/", api.CaseListApi.as_view(), name="api-cases"),
    path("cases/triage", api.CaseTriageApi.as_view(), name="api-case-triage"),
    path("cases/<str:code>/", api.CaseDetailApi.as_view(), name="api-case"),
    path("cases/<str:code>/duplicates/", api.CaseDuplicatesApi.as_view(),
         name="api-case-duplicates"),
    *[path(f"cases/<str:code>/{action.replace('_', '-')}/", api.step_view(action).as_view(),
           name=f"api-case-{action.replace('_', '-')}") for action in api.API_STEPS],
    path("case-categories/", api.CategoryListApi.as_view(), name="api-case-categories"),
    path("appeals/", api.AppealCreateApi.as_view(), name="api-appeals"),
    path("appeals/triage", api.AppealTriageApi.as_view(), name="api-appeal-triage"),
    path("appeals/<str:code>/", api.AppealDetailApi.as_view(), name="api-appeal"),
    path("appeals/<str:code>/evaluate/", api.AppealEvaluateApi.as_view(),
         name="api-appeal-evaluate"),
    path("published/", api.PublishedListApi.as_view(), name="api-published"),
    path("direct-line/meetings/", api.MeetingListApi.as_view(), name="api-meetings"),
    path("direct-line/meetings/<int:pk>/record/", api.MeetingRecordApi.as_view(),
         name="api-meeting-record"),
]

"""URLs of the case figures, mounted at api/stats/."""

from django.urls import path

from wangge.cases import stats_api

urlpatterns = [
    path("cases", stats_api.CaseStatsApi.as_view(), name="api-stats-cases"),
    path("cases/ranking", stats_api.CaseRankingApi.as_view(), name="api-stats-ranking"),
    path("public", stats_api.PublicStatsApi.as_view(), name="api-stats-public"),
]

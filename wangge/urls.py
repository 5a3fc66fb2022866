from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from wangge.core.api import TokenLoginApi
from wangge.core.metrics import metrics_view
from wangge.core.views import healthz

admin.site.site_header = _("wangge grid governance")
admin.site.site_title = _("wangge")
admin.site.index_title = _("Administration")

# A database that cannot be reached answers 503 with Retry-After, not a bare 500.
handler500 = "wangge.core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/2fa/", include("wangge.core.two_factor")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/auth/token/", TokenLoginApi.as_view(), name="api-token"),
    path("api/grids/", include("wangge.grids.api_urls")),
    path("api/stats/", include("wangge.cases.stats_urls")),
    path("api/", include("wangge.registry.api_urls")),
    path("api/", include("wangge.cases.api_urls")),
    path("api/", include("wangge.channels.api_urls")),
    path("api/", include("wangge.workbench.api_urls")),
    path("api/grading/", include("wangge.grading.api_urls")),
    path("api/cogovernance/", include("wangge.cogovernance.api_urls")),
    path("api/activities/", include("wangge.activities.api_urls")),
    path("open311/v2/", include("wangge.channels.open311_urls")),
    path("registry/", include("wangge.registry.urls")),
    path("cases/", include("wangge.cases.urls")),
    path("m/", include("wangge.workbench.urls")),
    path("console/grading/", include("wangge.grading.urls")),
    path("console/cogovernance/", include("wangge.cogovernance.urls")),
    path("console/activities/", include("wangge.activities.urls")),
    path("console/", include("wangge.console.urls")),
    path("", include("wangge.workforce.urls")),
    path("", include("wangge.grids.urls")),
    path("", include("wangge.cogovernance.public_urls")),
    path("", include("wangge.activities.public_urls")),
    path("", include("wangge.portal.urls")),
]

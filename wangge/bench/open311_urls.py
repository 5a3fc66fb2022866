"""The URLs gunicorn serves during `wangge bench open311` (and only then): the site's own,
with the Open311 endpoint at open311/v2/, plus `bench/trivial`, the baseline view."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from wangge.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def trivial(request: HttpRequest) -> JsonResponse:
    """What a minimal Django view does with the same POST: parse the form and answer a small
    JSON of the same shape as Open311's, without touching the database."""
    form = request.POST
    return JsonResponse([{"service_request_id": form.get("service_code", ""),
                          "service_notice": form.get("description", "")[:40],
                          "account_id": None}], safe=False)


urlpatterns = [
    path("bench/trivial", trivial, name="bench-trivial"),
    # First, so the benchmark measures it whether or not wangge/urls.py mounts it yet.
    path("open311/v2/", include("wangge.channels.open311_urls")),
    *site_urlpatterns,
]

"""URLs of the Open311 GeoReport v2 endpoint, mounted at `open311/v2/` by wangge/urls.py.
Every resource ends in `.xml` or `.json`; another ending is answered 404 in XML."""

from django.urls import re_path

from wangge.channels import open311

FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="open311-discovery"),
    re_path(r"^services" + FMT, open311.service_list, name="open311-services"),
    re_path(r"^services/(?P<service_code>[^/]+)" + FMT, open311.service_definition,
            name="open311-service"),
    re_path(r"^requests" + FMT, open311.service_requests, name="open311-requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+)" + FMT, open311.service_request,
            name="open311-request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FMT, open311.token_lookup, name="open311-token"),
]

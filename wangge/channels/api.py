"""HTTP API of the channels.

* `POST /api/channels/hotline/import`: a 12345 work-order file in; staff import the orders
  that land in their part of the tree (others are rejected with a reason).
* `GET /api/channels/hotline/export`: the results in the centre's columns, as xlsx.
* `POST /api/channels/access-control/events`: a door's signed event. No login, session or
  CSRF: the HMAC signature over the raw body is the authentication, checked before anything
  of the body is read.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from wangge.channels import access_control, hotline
from wangge.channels.choices import DoorEvent
from wangge.channels.models import Door
from wangge.core.scope import scope_prefixes
from wangge.registry.ledgers.people import Mode
from wangge.registry.ledgers.tabular import LedgerFileError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_EVENT_BYTES = 64 * 1024


class ChannelErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _no_grids(user) -> Response | None:
    """An account placed in no grid has nothing to import or export."""
    if scope_prefixes(user) == []:
        return Response({"detail": _("Your account is not assigned to any grid.")},
                        status=status.HTTP_403_FORBIDDEN)
    return None


# --- 12345 ------------------------------------------------------------------------------------


class HotlineImportInput(serializers.Serializer):
    file = serializers.FileField(help_text=_("the work-order spreadsheet (.xlsx, .xls or .csv)"))
    mode = serializers.ChoiceField(choices=Mode.CHOICES, default=Mode.ALL_OR_NOTHING)
    mapping = serializers.CharField(required=False, allow_blank=True, help_text=_(
        "name of the column mapping (default: the default mapping)"))

    def validate_file(self, file):
        if file.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(
                _("The file may be at most %(mb)d MB.")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
        return file


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class HotlineReportSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    written = serializers.BooleanField(help_text=_(
        "false when all-or-nothing refused the file because of rejected rows"))
    errors = RowErrorSerializer(many=True)
    cases = serializers.ListField(child=serializers.CharField(),
                                  help_text=_("tracking codes of the new cases"))


class HotlineImportApi(APIView):
    """Import a 12345 work-order file: new orders become cases, orders imported before are
    left as they are; the answer counts them and gives each rejected row's reasons."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=HotlineImportInput,
                   responses={200: HotlineReportSerializer,
                              400: OpenApiResponse(HotlineReportSerializer, description=_(
                                  "nothing written: the file cannot be read, or rows were "
                                  "rejected in all-or-nothing mode")),
                              403: ChannelErrorSerializer})
    def post(self, request):
        refused = _no_grids(request.user)
        if refused is not None:
            return refused
        data = HotlineImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        upload = v["file"]
        try:
            mapping = hotline.mapping_get(v.get("mapping") or None)
            report = hotline.hotline_import(file=upload, filename=upload.name, mapping=mapping,
                                            actor=request.user, mode=v["mode"],
                                            request=request)
        except (hotline.HotlineError, LedgerFileError) as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        body = HotlineReportSerializer(report).data
        ok = report.written or not report.rejected
        return Response(body, status=status.HTTP_200_OK if ok else status.HTTP_400_BAD_REQUEST)


class HotlineExportQuery(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    mapping = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        data = {"date_from": data.get("from"), "date_to": data.get("to"),
                "mapping": data.get("mapping", "")}
        return super().to_internal_value({k: val for k, val in data.items() if val})

    def validate(self, attrs):
        if (attrs.get("date_from") and attrs.get("date_to")
                and attrs["date_from"] > attrs["date_to"]):
            raise serializers.ValidationError(_("“from” is after “to”."))
        return attrs


class HotlineExportApi(APIView):
    """The 12345 cases in your part of the tree as an xlsx in the centre's columns, results
    filled in for finished ones (reporters' phones in full: they came from the centre)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description=_("called on or after")),
            OpenApiParameter("to", OpenApiTypes.DATE, description=_("called on or before")),
            OpenApiParameter("mapping", OpenApiTypes.STR, description=_("column mapping")),
        ],
        responses={(200, XLSX): OpenApiTypes.BINARY, 400: ChannelErrorSerializer,
                   403: ChannelErrorSerializer})
    def get(self, request):
        refused = _no_grids(request.user)
        if refused is not None:
            return refused
        query = HotlineExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        try:
            mapping = hotline.mapping_get(v.get("mapping") or None)
        except hotline.HotlineError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        content = hotline.hotline_export(actor=request.user, mapping=mapping,
                                         date_from=v.get("date_from"),
                                         date_to=v.get("date_to"), request=request)
        name = f"12345-results-{timezone.localdate():%Y%m%d}.xlsx"
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# --- smart access control ---------------------------------------------------------------------


class AccessEventInput(serializers.Serializer):
    door = serializers.CharField(max_length=60, help_text=_("the door's device code"))
    time = serializers.DateTimeField(help_text=_("when it happened, ISO 8601"))
    event = serializers.ChoiceField(choices=DoorEvent.choices)
    event_id = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                     default="", help_text=_(
                                         "the device's id of the event; sent again, it is "
                                         "stored once"))
    detail = serializers.DictField(required=False, default=dict)

    def validate_time(self, value):
        if value > timezone.now() + dt.timedelta(seconds=access_control.MAX_SKEW_SECONDS):
            raise serializers.ValidationError(_("is in the future"))
        return value


class AccessEventResult(serializers.Serializer):
    event = serializers.IntegerField()
    case = serializers.CharField(allow_null=True, help_text=_(
        "tracking code of the case the event opened or joined"))


class AccessControlThrottle(AnonRateThrottle):
    scope = "access_control"
    rate = "600/minute"


class AccessEventApi(APIView):
    """A smart door reports an event, signed (see `channels.access_control`). The street's
    rules decide whether it opens a case in the door's micro-grid or joins an open one."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AccessControlThrottle]
    parser_classes = [JSONParser]

    @extend_schema(
        request=AccessEventInput,
        parameters=[
            OpenApiParameter(access_control.SIGNATURE_HEADER, OpenApiTypes.STR,
                             OpenApiParameter.HEADER, required=True,
                             description="sha256=<hex HMAC-SHA256 of timestamp.body>"),
            OpenApiParameter(access_control.TIMESTAMP_HEADER, OpenApiTypes.INT,
                             OpenApiParameter.HEADER, required=True,
                             description=_("Unix time in seconds")),
        ],
        responses={201: AccessEventResult,
                   200: OpenApiResponse(AccessEventResult, description=_(
                       "the same event id again: the earlier result")),
                   400: OpenApiResponse(description=_("a field is wrong")),
                   401: ChannelErrorSerializer, 404: ChannelErrorSerializer,
                   413: ChannelErrorSerializer, 503: ChannelErrorSerializer},
        auth=[])
    def post(self, request):
        secret = settings.WANGGE_ACCESS_CONTROL_SECRET
        if not secret:
            return Response({"detail": _("Access-control events are not configured on this "
                                         "server.")}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        body = request.body  # the raw bytes, before any parsing: they are what was signed
        if len(body) > MAX_EVENT_BYTES:
            return Response({"detail": _("The event is too large.")},
                            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            access_control.signature_check(
                body=body, signature=request.headers.get(access_control.SIGNATURE_HEADER),
                timestamp=request.headers.get(access_control.TIMESTAMP_HEADER), secret=secret)
        except access_control.SignatureError as exc:
            access_control.signature_refused(error=exc, body=body, request=request)
            return Response({"detail": str(exc), "code": exc.code},
                            status=status.HTTP_401_UNAUTHORIZED,
                            headers={"WWW-Authenticate": "HMAC-SHA256"})
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            payload = None
        if not isinstance(payload, dict):
            return Response({"detail": _("The body must be a JSON object.")},
                            status=status.HTTP_400_BAD_REQUEST)
        data = AccessEventInput(data=payload)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        door = Door.objects.filter(code=v["door"], active=True).first()
        if door is None:
            return Response({"detail": _("No active door has the code “%(code)s”.")
                             % {"code": v["door"]}}, status=status.HTTP_404_NOT_FOUND)
        event, created = access_control.access_event_receive(
            door=door, event_type=v["event"], occurred_at=v["time"],
            event_id=v.get("event_id", ""), payload=payload)
        return Response({"event": event.pk,
                         "case": event.case.tracking_code if event.case_id else None},
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


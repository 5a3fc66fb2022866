"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): how outside applications
file residents' appeals (群众诉求) and follow them.

Mounted at `/open311/v2/` (`open311_urls.py`). Every resource answers in `.xml` and
`.json` (the JSON follows the spec's Spark convention: the XML with its root element
dropped); errors are a list of `{code, description}` (`<errors><error>…</error></errors>`)
with the HTTP status the spec names: 400 for a missing or invalid parameter, 403 for a
missing or invalid `api_key`, 404 for what does not exist (a `jurisdiction_id`,
`service_code`, `service_request_id` or token).

How our model maps onto the spec, and the choices the spec leaves to the server:

- **jurisdiction_id** is a street's grid code. Absent (or empty, which the spec treats
  alike), it means the one street the installation serves; if it serves several, it must
  be given (400). An unknown one is 404.
- **Services** are the active categories below a line of work
  (`cases.selectors.leaf_categories`): `service_code` is the category code, `group` the
  line of work, `keywords` its keywords, `metadata` always `false` (no extra fields), and
  `type` how a POST is answered: `realtime` (the case's tracking code at once) or `batch`
  (a token at once), the installation's `WANGGE_OPEN311_INTAKE`, or with a client's
  `api_key` that client's own choice (`ApiClient.intake`).
- **Service definitions**: the spec makes the call optional when `metadata` is false; we
  answer it anyway, for clients that always ask, with the service code and an empty
  attribute list. `attribute[...]` values a client sends are kept with the case.
- **POST requests** needs the `api_key` of an active `channels.ApiClient` (403 otherwise)
  and opens a resident's online appeal (`Source.ONLINE`) through `cases.services
  .case_report`; the client's name goes into the first step's note, `media_url` and any
  attributes into that step's data (the media is not fetched). `lat`/`long` are located
  to a micro-grid (400 outside the street); `address_id` is a building's id (our master
  address list); `address_string` alone places the case at the street, whose staff
  place it. A missing description becomes the service's name. `device_id` and
  `account_id` are accepted and not kept (we need neither). The answer is
  `[{service_request_id, service_notice, account_id: null}]`, with status 200.
- **Batch intake** (a client in batch mode): the POST is checked in full all the same
  (key, service, the point in one of the street's micro-grids, phone, e-mail, media URL),
  kept with one insert (`Open311Submission`) and answered `[{token, service_notice,
  account_id: null}]`; the drain (`services.submissions_drain`, run by a thread in each
  serving process, by `wangge sweep` and by `wangge channels open311-drain`) files it
  through the same `case_report` moments later, with the time it was received as its
  report time. A refusal is answered at once, exactly as in realtime mode, and records
  nothing.
- **service_request_id** is the case's tracking code (跟踪码).
- **Status**: the finished statuses (`cases.choices.FINISHED`) are `closed`, every other
  one `open`; `status_notes` gives our own status and level ("处理中 · 社区"), and for
  closed cases the result, or the case a duplicate was merged into.
- **GET requests** lists residents' appeals (source `online`: those filed here and
  through our own appeal form) of the street; cases raised by staff, the 12345 hotline
  or smart doors are internal records and are not published here. The spec's filters
  apply (`service_request_id`, comma-separated, overriding the others; `service_code`;
  `start_date`/`end_date` in w3 format, at most 90 days apart, by default the last 90
  days; `status`), newest first, at most 1,000. Nothing in any answer names or reaches
  the reporter: no name, phone, e-mail, device or account; `description` is the
  reporter's own text.
- **tokens/{token}**: a batch request's token answers `[{service_request_id, token}]`,
  the service_request_id empty until the case is filed; if the drain could not file it
  (the rules changed meanwhile, e.g. its service was switched off) the answer is a 404
  saying why. A realtime client that asks anyway may use the service_request_id as its
  token and gets it back.

These views are plain Django views: no session, no CSRF (a client authenticates with its
key on every POST), no DRF, so the cost of a request is the case it files. The streets,
services, keys and the locate index are read from a per-process copy at most `TTL_S`
seconds old (`selectors`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from wangge.cases import selectors as case_selectors
from wangge.cases import services as case_services
from wangge.cases.choices import FINISHED, UNFINISHED, Source, Status
from wangge.cases.models import Case, CasePhoto, CaseStep, Category
from wangge.channels import selectors
from wangge.channels.choices import Intake
from wangge.channels.services import NewRequest, request_create, submission_create
from wangge.core.validators import InvalidValue, parse_phone
from wangge.grids.locate import OUTSIDE
from wangge.grids.models import Grid
from wangge.registry.models import Building

__all__ = ["NewRequest", "request_create"]  # kept here for callers from before services

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MIME_TYPES = ["text/xml", "application/json"]
# Response volume (spec, GET Service Requests): 90 days or the first 1000, whichever is less.
WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000
# Containers of the XML format and the element each of their items is written as.
ITEM_TAGS = {"services": "service", "service_requests": "request", "errors": "error",
             "endpoints": "endpoint", "formats": "format", "attributes": "attribute",
             "values": "value"}
OPEN, CLOSED = "open", "closed"
# Characters XML 1.0 cannot carry (a client may have sent them in a description).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """A request the spec says to refuse: `status` is the HTTP status, the message the
    error's description."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering --------------------------------------------------------------------------------


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    _fill(element, tag, value)


def _fill(element: ET.Element, tag: str, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[tag]
        for item in value:
            _append(element, item_tag, item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    """The spec's schemaless XML: `root` holding `data` (lists become one element per item,
    named by `ITEM_TAGS`; None an empty element)."""
    element = ET.Element(root)
    _fill(element, root, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8",
                                                                     xml_declaration=False)


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """`data` as JSON (Spark convention: the root element is dropped) or as XML."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    else:
        body = to_xml(root, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status)


# --- request handling -------------------------------------------------------------------------


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the form (POST) or the query string; empty means absent."""
    source = request.POST if request.method == "POST" else request.GET
    return (source.get(name) or request.GET.get(name) or "").strip()


def _jurisdiction(request: HttpRequest) -> Grid:
    """The street the request is about (`jurisdiction_id` is a street's grid code)."""
    code = _param(request, "jurisdiction_id")
    streets = selectors.streets()
    if code:
        street = next((s for s in streets if s.code == code), None)
        if street is None:
            raise Open311Error(404, _("jurisdiction_id “%(code)s” was not found.")
                               % {"code": code})
        return street
    if len(streets) != 1:
        raise Open311Error(400, _("jurisdiction_id was not provided: this endpoint serves "
                                  "several streets.") if streets
                           else _("No street is set up yet."))
    return streets[0]


def _endpoint(*methods: str, jurisdiction: bool = True):
    """Wrap a view `(request, fmt, street, **kwargs)`: check the format and the method,
    find the jurisdiction, and answer `Open311Error`s in the spec's error format. No
    CSRF: clients are apps, not browser sessions."""
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def wrap(view: Callable[..., HttpResponse]):
        @csrf_exempt
        @functools.wraps(view)
        def handler(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in CONTENT_TYPES:
                return error_response("xml", 404, _("Format “%(format)s” is not offered: use "
                                                    ".xml or .json.") % {"format": fmt})
            if request.method not in allowed:
                response = error_response(fmt, 405, _("%(method)s is not allowed here.")
                                          % {"method": request.method})
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                street = _jurisdiction(request) if jurisdiction else None
                return view(request, fmt, street, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, exc.description)

        return handler

    return wrap


def _w3(value: str, name: str) -> dt.datetime:
    """A w3 datetime (ISO 8601 subset) with its zone; a date alone means its start here.
    A '+' of an offset arrives as a space when the client did not encode it."""
    raw = value.strip().replace(" ", "+")
    try:
        parsed = parse_datetime(raw)
        if parsed is None:
            day = parse_date(raw)
            if day is not None:
                parsed = dt.datetime.combine(day, dt.time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(400, _("%(name)s must be a w3 datetime, e.g. 2010-01-01T00:00:00Z.")
                           % {"name": name})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def w3_format(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


# --- reads ------------------------------------------------------------------------------------


def services_for(street: Grid) -> QuerySet[Category]:
    """The services offered: active categories below a line of work. (Categories are the
    street's own catalogue; one installation shares it among its streets.)"""
    return case_selectors.leaf_categories()


def _service(category: Category, intake: str = Intake.REALTIME) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": False,
        "type": intake,
        "keywords": ", ".join(category.keywords.split()),
        "group": category.parent.name if category.parent_id else None,
    }


def appeals(street: Grid) -> QuerySet[Case]:
    """The cases Open311 shows: residents' appeals in the street."""
    return Case.objects.filter(source=Source.ONLINE, grid__code__startswith=street.code)


def requests_for(street: Grid) -> QuerySet[Case]:
    """`appeals` with what the answer needs, in few queries: the time of the latest step,
    the first step's data (media_url) and the photos as reported."""
    latest = CaseStep.objects.filter(case=OuterRef("pk")).order_by("-seq").values("at")[:1]
    return (appeals(street)
            .select_related("category", "responsible", "duplicate_of")
            .annotate(updated_at=Subquery(latest))
            .prefetch_related(
                Prefetch("steps", CaseStep.objects.filter(seq=1).only("case_id", "data"),
                         to_attr="first_steps"),
                Prefetch("photos", CasePhoto.objects.filter(stage=CasePhoto.Stage.REPORT),
                         to_attr="report_photos"))
            .order_by("-reported_at", "-id"))


def open311_status(case: Case) -> str:
    return CLOSED if case.status in FINISHED else OPEN


def status_notes(case: Case) -> str:
    """Our own status in words: status and level while open, the result when closed."""
    label = case.get_status_display()
    if case.status == Status.MERGED and case.duplicate_of_id:
        # The earlier request's progress, never its id: that would open another
        # resident's request to this one (decision 0011).
        original = case.duplicate_of
        return _("%(status)s · merged with an earlier request: %(progress)s") % {
            "status": label,
            "progress": original.result or original.get_status_display()}
    if case.status in FINISHED:
        return f"{label} · {case.result}" if case.result else label
    return f"{label} · {case.get_level_display()}"


def service_notice(case: Case) -> str:
    """What happens next, from the category's time limits."""
    return _("Received by %(grid)s: to be accepted within %(hours)s working hours and "
             "handled by %(due)s.") % {
        "grid": case.responsible.name, "hours": case.category.response_hours,
        "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M")}


def _media_url(request: HttpRequest, case: Case) -> str | None:
    for step in getattr(case, "first_steps", []):
        url = (step.data or {}).get("media_url")
        if url:
            return url
    photos = getattr(case, "report_photos", [])
    return request.build_absolute_uri(photos[0].image.url) if photos else None


def _request(request: HttpRequest, case: Case, *, browsing: bool = False) -> dict:
    """One service request as the spec shows it; nothing about the reporter. Asked for by
    its id (which only the reporter's app knows) it is complete; in a browsing list the
    resident's own words, address and photo are left out and the point is rounded to about
    100 m, since those can identify the resident (decision 0011)."""
    finished = case.status in FINISHED
    if browsing:
        return {**_request(request, case), "description": None, "address": None,
                "address_id": None, "media_url": None,
                "lat": round(case.lat, 3) if case.lat is not None else None,
                "long": round(case.lon, 3) if case.lon is not None else None}
    return {
        "service_request_id": case.tracking_code,
        "status": open311_status(case),
        "status_notes": status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.handling_unit or case.responsible.name,
        "service_notice": None if finished else service_notice(case),
        "requested_datetime": w3_format(case.reported_at),
        "updated_datetime": w3_format(getattr(case, "updated_at", None) or case.reported_at),
        "expected_datetime": w3_format(case.due_at),
        "address": case.address or None,
        "address_id": str(case.building_id) if case.building_id else None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": _media_url(request, case),
    }


# --- the write --------------------------------------------------------------------------------


_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def _coordinate(value: str, name: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not -limit <= number <= limit:
        raise Open311Error(400, _("%(name)s must be a number between -%(limit)s and "
                                  "%(limit)s.") % {"name": name, "limit": int(limit)})
    return number


def _reporter_name(first: str, last: str) -> str:
    """Chinese names are written family name first, without a space."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def _check_point(lon: float, lat: float, street: Grid) -> None:
    """The point lies in one of the street's micro-grids (the words `case_report` uses, so
    that a batch request is refused at once, as a realtime one is)."""
    index = selectors.locate_index()
    found = index.locate(lon, lat)
    if found == OUTSIDE:
        raise Open311Error(400, _("This place is outside every micro-grid of the street. "
                                  "Move the pin or give the address."))
    if not index.codes[found].startswith(street.code):
        raise Open311Error(400, _("This place is outside %(grid)s.") % {"grid": street.name})


def _parse_new(request: HttpRequest, street: Grid) -> NewRequest:
    """Check the form of a POST request, in the order the spec lists its errors."""
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = selectors.services().get(code)
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": code})
    lat, lon = _param(request, "lat"), _param(request, "long")
    address, address_id = _param(request, "address_string"), _param(request, "address_id")
    if bool(lat) != bool(lon):
        raise Open311Error(400, _("lat and long must be sent together."))
    if not (lat or address or address_id):
        raise Open311Error(400, _("A location was not provided: send lat and long, "
                                  "address_string or address_id."))
    building = None
    if address_id:
        building = (Building.objects.select_related("micro_grid")
                    .filter(pk=int(address_id) if address_id.isdigit() else 0,
                            micro_grid__code__startswith=street.code).first())
        if building is None:
            raise Open311Error(400, _("address_id “%(id)s” is not an address of %(street)s.")
                               % {"id": address_id, "street": street.name})
    lon_value = _coordinate(lon, "long", 180) if lon else None
    lat_value = _coordinate(lat, "lat", 90) if lat else None
    if lon_value is not None and lat_value is not None:
        _check_point(lon_value, lat_value, street)
    description = request.POST.get("description", "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description may be at most %(n)s characters.")
                           % {"n": MAX_DESCRIPTION})
    phone = _param(request, "phone")
    if phone:
        try:
            parse_phone(phone)
        except InvalidValue as exc:
            raise Open311Error(400, str(exc)) from None
    email = _param(request, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid e-mail address.")) from None
    media_url = _param(request, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url must be an http or https URL.")) from None
    attributes: dict[str, str | list[str]] = {}
    for key, values in request.POST.lists():
        match = _ATTRIBUTE.match(key)
        if match:
            attributes[match.group(1)] = values if match.group(2) else values[-1]
    return NewRequest(
        category=category, description=description or category.name,
        lon=lon_value, lat=lat_value,
        address=address or (building.address or building.name if building else ""),
        building=building,
        reporter_name=_reporter_name(_param(request, "first_name"),
                                     _param(request, "last_name")),
        reporter_phone=phone, reporter_email=email,
        media_url=media_url[:500], attributes=attributes)


# --- views ------------------------------------------------------------------------------------


@_endpoint("GET", jurisdiction=False)
def discovery(request: HttpRequest, fmt: str, street: None) -> HttpResponse:
    """Service discovery: where the endpoint is, its formats, how to get a key."""
    changed = Category.history.aggregate(at=Max("history_date"))["at"]
    changeset = timezone.localtime(changed).strftime("%Y-%m-%d %H:%M") if changed else ""
    base = request.build_absolute_uri(request.path.rsplit("/", 1)[0])
    data = {
        "changeset": changeset,
        "contact": _("The street office's grid management centre (网格化服务管理中心)."),
        "key_service": _("API keys are issued by the street office to each application; "
                         "ask its grid management centre."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": base,
            "changeset": changeset,
            "type": "production" if settings.MODE == "production" else "test",
            "formats": MIME_TYPES,
        }],
    }
    return render(fmt, "discovery", data)


@_endpoint("GET")
def service_list(request: HttpRequest, fmt: str, street: Grid) -> HttpResponse:
    """GET Service List: our categories."""
    categories = services_for(street).select_related("parent")
    # The type a client will meet: its own (with its api_key), else the installation's.
    intake = selectors.intake_for(selectors.api_client(_param(request, "api_key")))
    return render(fmt, "services", [_service(c, intake) for c in categories])


@_endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, street: Grid,
                       service_code: str) -> HttpResponse:
    """GET Service Definition: no extra attributes for any of our services."""
    if not services_for(street).filter(code=service_code).exists():
        raise Open311Error(404, _("service_code “%(code)s” was not found.")
                           % {"code": service_code})
    return render(fmt, "service_definition", {"service_code": service_code, "attributes": []})


@_endpoint("GET", "POST")
def service_requests(request: HttpRequest, fmt: str, street: Grid) -> HttpResponse:
    """GET Service Requests (public, filtered) and POST Service Request (with api_key)."""
    if request.method == "POST":
        return _create(request, fmt, street)
    cases = requests_for(street)
    ids = _csv(_param(request, "service_request_id"))
    if ids:  # overrides all other arguments
        cases = cases.filter(tracking_code__in=[i.upper() for i in ids])
    else:
        # Browsing: sensitive categories (petitions, family matters ...) are never listed.
        cases = _filtered(request, cases.exclude(category__sensitive=True))
    return render(fmt, "service_requests",
                  [_request(request, case, browsing=not ids) for case in cases[:MAX_RESULTS]])


def _filtered(request: HttpRequest, cases: QuerySet[Case]) -> QuerySet[Case]:
    codes = _csv(_param(request, "service_code"))
    if codes:
        cases = cases.filter(category__code__in=codes)
    statuses = {s.lower() for s in _csv(_param(request, "status"))}
    if statuses - {OPEN, CLOSED}:
        raise Open311Error(400, _("status must be open or closed (comma-separated)."))
    if statuses == {OPEN}:
        cases = cases.filter(status__in=UNFINISHED)
    elif statuses == {CLOSED}:
        cases = cases.filter(status__in=FINISHED)
    start_raw, end_raw = _param(request, "start_date"), _param(request, "end_date")
    start = _w3(start_raw, "start_date") if start_raw else None
    end = _w3(end_raw, "end_date") if end_raw else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return cases.filter(reported_at__gte=start, reported_at__lte=end)


def _create(request: HttpRequest, fmt: str, street: Grid) -> HttpResponse:
    client = selectors.api_client(_param(request, "api_key"))
    if client is None:
        raise Open311Error(403, _("Invalid api_key received: can't proceed with "
                                  "create_request.") if _param(request, "api_key")
                           else _("api_key was not provided: can't proceed with "
                                  "create_request."))
    new = _parse_new(request, street)
    if selectors.intake_for(client) == Intake.BATCH:
        submission = submission_create(client=client, street=street, new=new)
        return render(fmt, "service_requests", [{
            "token": submission.token,
            "service_notice": _("Received: it is registered within moments. Ask for its "
                                "service_request_id with this token."),
            "account_id": None,
        }])
    try:
        case = request_create(client=client, street=street, new=new)
    except case_services.CaseError as exc:
        raise Open311Error(400, str(exc)) from exc
    return render(fmt, "service_requests", [{
        "service_request_id": case.tracking_code,
        "service_notice": service_notice(case),
        "account_id": None,
    }])


@_endpoint("GET")
def service_request(request: HttpRequest, fmt: str, street: Grid,
                    service_request_id: str) -> HttpResponse:
    """GET Service Request: one case by its tracking code."""
    case = requests_for(street).filter(tracking_code=service_request_id.upper()).first()
    if case is None:
        raise Open311Error(404, _("service_request_id “%(id)s” was not found.")
                           % {"id": service_request_id})
    return render(fmt, "service_requests", [_request(request, case)])


@_endpoint("GET")
def token_lookup(request: HttpRequest, fmt: str, street: Grid, token: str) -> HttpResponse:
    """GET service_request_id from a token: the token of a batch request answers its
    service_request_id once the case is filed, and an empty one until then; a
    service_request_id used as a token (a realtime request) is answered with itself."""
    submission = selectors.submission_for_token(street=street, token=token)
    if submission is not None:
        if submission["error"]:
            raise Open311Error(404, _("The request with token “%(token)s” was not filed: "
                                      "%(reason)s") % {"token": token,
                                                       "reason": submission["error"]})
        return render(fmt, "service_requests", [{
            "service_request_id": submission["case__tracking_code"],
            "token": submission["token"]}])
    code = (appeals(street).filter(tracking_code=token.upper())
            .values_list("tracking_code", flat=True).first())
    if code is None:
        raise Open311Error(404, _("token “%(token)s” was not found.") % {"token": token})
    return render(fmt, "service_requests", [{"service_request_id": code, "token": token}])

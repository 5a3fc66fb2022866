"""Smart access control (智慧门禁): doors report alarms (forced open, held open, tailgating,
an unknown frequent visitor) as HMAC-signed JSON, and the street's rules (`AccessRule`) turn
them into cases in the door's micro-grid.

Signing: the device sends `X-Wangge-Timestamp: <unix seconds>` and
`X-Wangge-Signature: sha256=<hex>`, the HMAC-SHA256 of `timestamp + "." + raw body` with
`settings.WANGGE_ACCESS_CONTROL_SECRET`. A timestamp more than `MAX_SKEW_SECONDS` away from
our clock is refused, so a captured request cannot be replayed later; an event id repeated
by the same door is answered with the earlier result and stored once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wangge.cases.choices import Action, Source
from wangge.cases.models import Case
from wangge.cases.services import case_act, case_report
from wangge.channels.choices import DoorEvent
from wangge.channels.models import AccessEvent, AccessRule, Door
from wangge.core.models import AuditAction
from wangge.core.services import audit_record

__all__ = [
    "MAX_SKEW_SECONDS",
    "SignatureError",
    "access_event_receive",
    "sign",
    "signature_check",
    "signature_refused",
]

logger = logging.getLogger("wangge.channels")

MAX_SKEW_SECONDS = 300
SIGNATURE_HEADER = "X-Wangge-Signature"
TIMESTAMP_HEADER = "X-Wangge-Timestamp"
_PREFIX = "sha256="
AUDIT_TARGET = "channels.access_control"


class SignatureError(Exception):
    """A request whose signature does not hold; `code` says why (for the log), the message
    is for the device's installer."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def sign(body: bytes, *, timestamp: int | str, secret: str) -> str:
    """The `X-Wangge-Signature` value of a body sent at `timestamp` (for devices and tests)."""
    message = str(timestamp).encode() + b"." + body
    return _PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_check(*, body: bytes, signature: str | None, timestamp: str | None,
                    secret: str, now: float | None = None) -> None:
    """Raise SignatureError unless `signature` is the body's signature with `secret` and
    `timestamp` is within `MAX_SKEW_SECONDS` of now. Compared in constant time."""
    if not signature or not timestamp:
        raise SignatureError("missing", _("The request is not signed: send the %(sig)s and "
                                          "%(ts)s headers.")
                             % {"sig": SIGNATURE_HEADER, "ts": TIMESTAMP_HEADER})
    timestamp = timestamp.strip()
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("bad_timestamp", _("%(ts)s must be a Unix time in seconds.")
                             % {"ts": TIMESTAMP_HEADER})
    expected = sign(body, timestamp=timestamp, secret=secret)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise SignatureError("mismatch", _("The signature does not match the body."))
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise SignatureError("stale", _("The timestamp is more than %(n)d seconds away from "
                                        "the server's clock (a replay, or the device's clock "
                                        "is wrong).") % {"n": MAX_SKEW_SECONDS})


def signature_refused(*, error: SignatureError, body: bytes, request=None) -> None:
    """Log a refused request and keep it in the audit log; nothing of the unverified body
    is trusted, so only its size and digest are kept."""
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    logger.warning("access-control event refused (%s) from %s", error.code, ip)
    with transaction.atomic():
        audit_record(actor=None, action=AuditAction.REQUEST_REFUSED, target_type=AUDIT_TARGET,
                     target_label=_("access-control event"),
                     reason=_("Refused an access-control event: %(why)s") % {"why": str(error)},
                     detail={"refused": error.code, "body_bytes": len(body),
                             "body_sha256": hashlib.sha256(body).hexdigest()},
                     request=request)


def _texts(door: Door, rule: AccessRule, count: int, at: dt.datetime) -> tuple[str, str, str]:
    """Title, description and report note of the case, in the street's language whatever
    the device's."""
    with translation.override(settings.LANGUAGE_CODE):
        label = str(DoorEvent(rule.event_type).label)
        title = _("%(door)s: %(event)s") % {"door": door.name, "event": label}
        description = _("The access-control door %(door)s (%(code)s) reported “%(event)s” "
                        "%(count)d time(s) within %(minutes)d minutes, the last at %(time)s.") % {
            "door": door.name, "code": door.code, "event": label, "count": count,
            "minutes": rule.window_minutes,
            "time": timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")}
        note = _("Raised by the rule “%(rule)s”.") % {"rule": str(rule)}
    return title[:100], description, note


def _open_case(door: Door, rule: AccessRule) -> Case | None:
    """The case this rule raised for this door that is still being worked on."""
    return (Case.objects.open()
            .filter(source=Source.ACCESS_CONTROL, category=rule.category,
                    access_events__door=door, access_events__event_type=rule.event_type)
            .order_by("-reported_at", "-id").first())


def access_event_receive(*, door: Door, event_type: str, occurred_at: dt.datetime,
                         event_id: str = "", payload: dict | None = None
                         ) -> tuple[AccessEvent, bool]:
    """Store one verified door event and apply the rules: if a rule's case for this door is
    still open the event joins it (a note on its timeline); else, once `min_count` events of
    the type within `window_minutes` (this one included) have come, a case is opened in the
    door's micro-grid with those events. Returns (event, created); an `event_id` the door
    sent before gives back the earlier event and `created` False."""
    with transaction.atomic():
        # One door's events one at a time, so that no case is opened twice.
        door = (Door.objects.select_for_update(of=("self",))
                .select_related("micro_grid", "building").get(pk=door.pk))
        if event_id:
            earlier = AccessEvent.objects.select_related("case").filter(
                door=door, event_id=event_id).first()
            if earlier is not None:
                return earlier, False
        event = AccessEvent.objects.create(door=door, event_type=event_type,
                                           occurred_at=occurred_at, event_id=event_id,
                                           payload=payload or {})
        for rule in AccessRule.objects.filter(event_type=event_type, active=True) \
                .select_related("category").order_by("id"):
            case = _apply_rule(rule, door, event)
            if case is not None:
                event.case = case
                break
    return event, True


def _apply_rule(rule: AccessRule, door: Door, event: AccessEvent) -> Case | None:
    open_case = _open_case(door, rule)
    label = DoorEvent(event.event_type).label
    if open_case is not None:
        AccessEvent.objects.filter(pk=event.pk).update(case=open_case)
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Another “%(event)s” at %(door)s at %(time)s.") % {
                "event": str(label), "door": door.name,
                "time": timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S")}
        case_act(case=open_case, action=Action.COMMENT, actor=None, note=note)
        return open_case
    since = event.occurred_at - dt.timedelta(minutes=rule.window_minutes)
    window = AccessEvent.objects.filter(door=door, event_type=event.event_type,
                                        occurred_at__gt=since,
                                        occurred_at__lte=event.occurred_at)
    count = window.count()
    if count < rule.min_count:
        return None
    title, description, note = _texts(door, rule, count, event.occurred_at)
    case = case_report(source=Source.ACCESS_CONTROL, category=rule.category, title=title,
                       description=description, grid=door.micro_grid, building=door.building,
                       urgency=rule.urgency, actor=None, note=note)
    window.filter(case__isnull=True).update(case=case)
    return case

"""Writes of the channels: issuing Open311 API keys, filing an Open311 request as a case
(at once, or in batch mode by way of a submission and the drain). (The 12345 import and
the door events are in `hotline.py` and `access_control.py`; all open cases through
`cases.services`.)"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, fields

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases import services as case_services
from wangge.cases.choices import Source
from wangge.cases.models import Case, Category
from wangge.channels.models import ApiClient, Open311Submission
from wangge.core.crypto import lookup_hash
from wangge.grids.models import Grid
from wangge.registry.models import Building

KEY_PURPOSE = "open311_api_key"
TOKEN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TOKEN_LENGTH = 16  # tracking codes have 10: a token is never taken for one
# A drain that claimed submissions and died leaves them to another after this long.
CLAIM_FOR = dt.timedelta(minutes=5)
DRAIN_BATCH = 50

log = logging.getLogger("wangge.channels.open311")


def api_key_hash(key: str) -> str:
    return lookup_hash(key, purpose=KEY_PURPOSE)


@transaction.atomic
def api_client_create(*, name: str, contact: str = "", key: str | None = None,
                      intake: str = "") -> tuple[ApiClient, str]:
    """Issue a key to a client; the key itself is returned once and never stored."""
    key = key or secrets.token_urlsafe(24)
    client = ApiClient.objects.create(name=name, contact=contact, key_hash=api_key_hash(key),
                                      key_hint=key[-4:], intake=intake)
    return client, key


def api_client_for_key(key: str) -> ApiClient | None:
    if not key:
        return None
    return ApiClient.objects.filter(key_hash=api_key_hash(key), active=True).first()


def api_client_set_intake(*, client: ApiClient, intake: str) -> ApiClient:
    """Answer this client's POSTs in realtime or batch mode ("" for the installation's
    default); a serving process sees the change within `selectors.TTL_S`."""
    client.intake = intake
    client.save(update_fields=["intake"])
    return client


# --- filing a request -------------------------------------------------------------------------


@dataclass
class NewRequest:
    """A checked POST: where and what, and who reported it (kept private)."""

    category: Category
    description: str
    lon: float | None
    lat: float | None
    address: str
    building: Building | None
    reporter_name: str
    reporter_phone: str
    reporter_email: str
    media_url: str
    attributes: dict = field(default_factory=dict)

    def to_json(self) -> str:
        # Not dataclasses.asdict: it would deep-copy the category and the building.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["category"] = self.category.pk
        data["building"] = self.building.pk if self.building else None
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, *, categories: dict[int, Category],
                  buildings: dict[int, Building]) -> NewRequest:
        data = json.loads(text)
        data["category"] = categories[data["category"]]
        data["building"] = buildings[data["building"]] if data["building"] else None
        return cls(**data)


def request_create(*, client: ApiClient, street: Grid, new: NewRequest,
                   reported_at: dt.datetime | None = None) -> Case:
    """Open a resident's online appeal filed by an Open311 client (a channel: no staff
    actor). The client's name goes into the first step's note, the media URL and the
    attributes into its data."""
    extra = {"channel": "open311", "client": client.name}
    if new.media_url:
        extra["media_url"] = new.media_url
    if new.attributes:
        extra["attributes"] = new.attributes
    return case_services.case_report(
        source=Source.ONLINE, category=new.category, title="", description=new.description,
        lon=new.lon, lat=new.lat, address=new.address, building=new.building,
        grid=street if new.lon is None and new.building is None else None,
        reporter_name=new.reporter_name, reporter_phone=new.reporter_phone,
        reporter_email=new.reporter_email, actor=None, reported_at=reported_at,
        note=_("Filed through Open311 by %(client)s.") % {"client": client.name},
        step_data=extra, within=street)


def token_new() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def submission_create(*, client: ApiClient, street: Grid, new: NewRequest) -> Open311Submission:
    """Keep a checked request for the drain (batch mode): one small insert, so that a
    request answered with its token is never lost. The drain is told after commit."""
    submission = Open311Submission(token=token_new(), client=client, street=street,
                                   received_at=timezone.now(), data=new.to_json())
    with _one_writer():
        submission.save(force_insert=True)
    from wangge.channels import drainer

    transaction.on_commit(drainer.kick)
    return submission


@dataclass
class DrainResult:
    filed: list[str] = field(default_factory=list)  # tracking codes
    failed: list[str] = field(default_factory=list)  # tokens
    skipped: int = 0  # filed meanwhile by another drain

    def __bool__(self) -> bool:
        return bool(self.filed or self.failed or self.skipped)

    def __len__(self) -> int:
        return len(self.filed) + len(self.failed) + self.skipped

    def __str__(self) -> str:
        return (f"filed {len(self.filed)}, not filed {len(self.failed)}, "
                f"already filed {self.skipped}")


_writer = threading.Lock()


@contextmanager
def _one_writer():
    """On SQLite, this process's request threads take turns for their insert: a thread
    waiting here wakes the moment the one before is done, while a thread waiting on
    SQLite's own lock sleeps in growing steps (1, 2, 5 … 100 ms) and, with many threads
    contending, can be passed over for seconds. PostgreSQL needs no such thing."""
    if connection.vendor != "sqlite":
        yield
        return
    with _writer:
        yield


class _AlreadyFiled(Exception):
    pass


def submissions_drain(*, limit: int | None = None, batch: int = DRAIN_BATCH,
                      now: dt.datetime | None = None) -> DrainResult:
    """File waiting submissions as cases through `cases.services.case_report`, oldest first,
    `batch` at a time, until none is left (or `limit` were handled). Safe to run in several
    processes at once and to run again: each drain first claims its batch (PostgreSQL skips
    rows another has locked; SQLite's write lock serialises the claims), and a case is
    kept only in the transaction that links it to a submission still without one, so a
    submission becomes exactly one case. A submission the rules refuse now (say its
    category was switched off meanwhile) keeps the reason in `error` and no case."""
    result = DrainResult()
    while limit is None or len(result) < limit:
        size = batch if limit is None else min(batch, limit - len(result))
        claimed = _claim(size, now)
        if not claimed:
            break
        categories = Category.objects.in_bulk()
        for submission in claimed:
            _file(submission, categories, result)
    return result


def _claim(size: int, now: dt.datetime | None) -> list[Open311Submission]:
    at = now or timezone.now()
    with transaction.atomic():
        ids = list(Open311Submission.objects.pending()
                   .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=at))
                   .select_for_update(skip_locked=True).order_by("id")
                   .values_list("pk", flat=True)[:size])
        if not ids:
            return []
        Open311Submission.objects.filter(pk__in=ids).update(claimed_until=at + CLAIM_FOR)
    return list(Open311Submission.objects.pending().filter(pk__in=ids)
                .select_related("client", "street").order_by("id"))


def _file(submission: Open311Submission, categories: dict[int, Category],
          result: DrainResult) -> None:
    try:
        data = json.loads(submission.data)
        buildings = ({data["building"]: Building.objects.select_related("micro_grid")
                      .get(pk=data["building"])} if data.get("building") else {})
        new = NewRequest.from_json(submission.data, categories=categories, buildings=buildings)
        with transaction.atomic():
            case = request_create(client=submission.client, street=submission.street,
                                  new=new, reported_at=submission.received_at)
            linked = (Open311Submission.objects.filter(pk=submission.pk, case__isnull=True)
                      .update(case=case, filed_at=timezone.now(), claimed_until=None,
                              data=""))
            if not linked:  # another drain filed it meanwhile: this case is rolled back
                raise _AlreadyFiled
        result.filed.append(case.tracking_code)
    except _AlreadyFiled:
        result.skipped += 1
    except (case_services.CaseError, KeyError, Building.DoesNotExist) as exc:
        reason = (str(exc) if isinstance(exc, case_services.CaseError)
                  else _("Its service or address no longer exists."))
        Open311Submission.objects.filter(pk=submission.pk, case__isnull=True).update(
            error=reason[:500], claimed_until=None, data="")
        result.failed.append(submission.token)
    except DatabaseError:
        # Left claimed: another drain tries again once the claim has lapsed.
        log.exception("Open311 submission %s could not be filed", submission.pk)

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.cases.choices import Urgency
from wangge.cases.models import Case, Category
from wangge.channels.choices import DoorEvent, Intake
from wangge.core.crypto import EncryptedTextField
from wangge.core.scope import ScopedQuerySet
from wangge.grids.models import Grid
from wangge.registry.models import Building


class ApiClient(models.Model):
    """An outside application the street lets file and follow cases through Open311
    (its `api_key`). Only a keyed hash of the key is stored; the key is shown once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("key ends with"), max_length=8, editable=False)
    active = models.BooleanField(_("active"), default=True)
    intake = models.CharField(
        _("intake"), max_length=10, choices=Intake.choices, blank=True,
        help_text=_("Whether a POST is answered with the request's id (realtime) or with a "
                    "token (batch). Empty: the installation's default."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["key_hash"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name


class HotlineMapping(models.Model):
    """How a 12345 hotline centre names the columns of its work-order spreadsheet
    (工单导出): our field → their column header. Cities differ; the default one is used
    when an import names none."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    columns = models.JSONField(_("columns"))
    category_names = models.JSONField(_("their category names → our category codes"),
                                      default=dict, blank=True)
    default = models.BooleanField(_("default"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("12345 column mapping")
        verbose_name_plural = _("12345 column mappings")

    def __str__(self) -> str:
        return self.name


class DoorQuerySet(ScopedQuerySet):
    scope_path = "micro_grid__code"


class Door(models.Model):
    """A smart access-control door (智慧门禁) in a micro-grid, known by the device's code."""

    code = models.CharField(_("device code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    micro_grid = models.ForeignKey(Grid, verbose_name=_("micro-grid"),
                                   on_delete=models.PROTECT, related_name="doors")
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="doors")
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = DoorQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("access-control door")
        verbose_name_plural = _("access-control doors")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AccessRule(models.Model):
    """When door events become a case: `min_count` events of a type at one door within
    `window_minutes` open one case of `category` in the door's micro-grid."""

    event_type = models.CharField(_("event type"), max_length=20, choices=DoorEvent.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"),
                                 on_delete=models.PROTECT, related_name="+")
    min_count = models.PositiveSmallIntegerField(_("events needed"), default=1)
    window_minutes = models.PositiveIntegerField(_("within minutes"), default=60)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["event_type", "id"]
        verbose_name = _("access-control rule")
        verbose_name_plural = _("access-control rules")

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} ×{self.min_count}/{self.window_minutes}min"


class AccessEvent(models.Model):
    """One signed event received from a door, kept whether or not it opened a case."""

    door = models.ForeignKey(Door, verbose_name=_("door"), on_delete=models.PROTECT,
                             related_name="events")
    event_type = models.CharField(_("event type"), max_length=20, choices=DoorEvent.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    event_id = models.CharField(_("device event id"), max_length=80, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    case = models.ForeignKey(Case, verbose_name=_("case"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="access_events")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("access-control event")
        verbose_name_plural = _("access-control events")
        indexes = [models.Index(fields=["door", "event_type", "occurred_at"],
                                name="access_event_window")]
        constraints = [
            models.UniqueConstraint(fields=["door", "event_id"],
                                    condition=~models.Q(event_id=""),
                                    name="access_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.door_id} {self.event_type} {self.occurred_at}"


class SubmissionQuerySet(models.QuerySet):
    def pending(self) -> "SubmissionQuerySet":
        return self.filter(case__isnull=True, error="")


class Open311Submission(models.Model):
    """An Open311 POST accepted in batch mode (异步受理的诉求): checked in full and answered
    with its `token`, then filed as a case by the drain (`services.submissions_drain`),
    which sets `case` (or `error`). What the client sent, the reporter's contact included,
    is kept encrypted in `data` until the case is filed, then cleared."""

    token = models.CharField(_("token"), max_length=20, unique=True)
    # No index on either: every lookup is by token or pending id, and an intake insert
    # should touch as few index pages as it can (clients and streets are never deleted).
    client = models.ForeignKey(ApiClient, verbose_name=_("API client"),
                               on_delete=models.PROTECT, related_name="submissions",
                               db_index=False)
    street = models.ForeignKey(Grid, verbose_name=_("street"), on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    received_at = models.DateTimeField(_("received at"))
    data = EncryptedTextField(_("request as received"), blank=True)
    claimed_until = models.DateTimeField(_("being filed until"), null=True, blank=True)
    case = models.OneToOneField(Case, verbose_name=_("case"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="open311_submission")
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    error = models.CharField(_("why it was not filed"), max_length=500, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        indexes = [models.Index(fields=["id"], condition=models.Q(case__isnull=True, error=""),
                                name="open311_submission_pending")]

    def __str__(self) -> str:
        return self.token

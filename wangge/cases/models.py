from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from wangge.cases.choices import (
    Action,
    Decision,
    Evaluation,
    Level,
    MeetingStatus,
    Outcome,
    Source,
    Status,
    Urgency,
)
from wangge.core.crypto import EncryptedTextField
from wangge.core.scope import ScopedQuerySet, scope_prefixes
from wangge.grids.models import Grid
from wangge.registry.models import Building, Organisation
from wangge.workforce.models import Worker


class Category(models.Model):
    """A kind of matter (事件类别) in the street's configurable tree, covering the "grid + X"
    lines of work. Each category carries its time limits: how soon a case must be accepted
    (response, working hours) and how long handling may take (working days)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey("self", verbose_name=_("parent"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="children")
    description = models.CharField(_("description"), max_length=200, blank=True)
    response_hours = models.PositiveSmallIntegerField(
        _("response limit (working hours)"), default=4)
    handling_days = models.PositiveSmallIntegerField(
        _("handling limit (working days)"), default=5)
    default_unit = models.CharField(_("usual handling unit"), max_length=100, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True,
                                help_text=_("words that suggest it, separated by spaces"))
    sensitive = models.BooleanField(
        _("sensitive"), default=False,
        help_text=_("never listed publicly (petitions, instability, family matters ...)"))
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class LevelLimit(models.Model):
    """How long a level of the three-level linkage may hold a case before the sweep raises
    it (grid → community → street → the secretary's direct line), in working hours."""

    level = models.CharField(_("level"), max_length=12, choices=Level.choices, unique=True)
    working_hours = models.PositiveSmallIntegerField(_("time limit (working hours)"))
    warn_hours = models.PositiveSmallIntegerField(
        _("warn this many working hours before"), default=4)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("level time limit")
        verbose_name_plural = _("level time limits")

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.working_hours}h"


class CalendarDay(models.Model):
    """An exception to the week (工作日历): a public holiday on a weekday, or a make-up
    workday (调休上班) on a weekend. Other days follow Monday–Friday."""

    day = models.DateField(_("date"), unique=True)
    workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class CaseQuerySet(ScopedQuerySet):
    """Cases are scoped by where they happened (the case's grid node); a handler from
    outside that part of the tree also sees the cases dispatched to them."""

    scope_path = "grid__code"

    def for_user(self, user):
        in_tree = super().for_user(user)
        if not getattr(user, "is_authenticated", False) or scope_prefixes(user) is None:
            return in_tree
        return in_tree | self.filter(handler__user=user)

    def open(self):
        from wangge.cases.choices import UNFINISHED

        return self.filter(status__in=UNFINISHED)


class Case(models.Model):
    """One matter (事件; a resident's is an appeal, 诉求) carried through the closed loop.
    `grid` is where it happened (a micro-grid, or a higher node when the place is not yet
    known); `responsible` and `level` say who holds it now. Only `services` changes it,
    and every change is a `CaseStep`."""

    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    external_id = models.CharField(_("external number"), max_length=60, blank=True,
                                   help_text=_("e.g. the 12345 work-order number"))
    category = models.ForeignKey(Category, verbose_name=_("category"),
                                 on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.PROTECT,
                             related_name="cases")
    responsible = models.ForeignKey(Grid, verbose_name=_("responsible grid"),
                                    on_delete=models.PROTECT, related_name="held_cases")
    level = models.CharField(pgettext_lazy("three-level linkage", "level"), max_length=12,
                             choices=Level.choices, default=Level.GRID)
    max_level = models.CharField(_("highest level reached"), max_length=12,
                                 choices=Level.choices, default=Level.GRID)
    escalated = models.BooleanField(_("raised by a level"), default=False,
                                    help_text=_("raised or sent to the direct line at least "
                                                "once"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.REPORTED)
    version = models.PositiveIntegerField(_("version"), default=0,
                                          help_text=_("goes up by one with every step"))

    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    reporter_phone = EncryptedTextField(_("reporter's phone"), blank=True)
    reporter_phone_hash = models.CharField(max_length=64, blank=True, editable=False,
                                           db_index=True)
    reporter_email = EncryptedTextField(_("reporter's e-mail"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    handler = models.ForeignKey(Worker, verbose_name=_("handler"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="cases")
    handling_unit = models.CharField(_("handling unit"), max_length=100, blank=True)
    unit = models.ForeignKey(Organisation, verbose_name=_("handling organisation"),
                             null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates")

    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("accept by"))
    due_at = models.DateTimeField(_("handle by"))
    level_since = models.DateTimeField(_("at this level since"))
    level_due_at = models.DateTimeField(_("this level's time limit"), null=True, blank=True,
                                        db_index=True)
    level_warn_at = models.DateTimeField(_("warn from"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    deferred_until = models.DateField(_("deferred until"), null=True, blank=True)
    deferral_requested = models.BooleanField(_("deferral requested"), default=False)

    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices,
                               blank=True)
    result = models.TextField(_("result"), blank=True)
    evaluation = models.CharField(_("evaluation"), max_length=14, choices=Evaluation.choices,
                                  blank=True)
    evaluation_comment = models.CharField(_("reporter's comment"), max_length=500, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    published = models.BooleanField(_("published"), default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("approve_deferral", _("Can approve deferring a case")),
            ("view_reporter_contact", _("Can see a reporter's phone and e-mail")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"],
                                    condition=~Q(external_id=""),
                                    name="case_external_id_per_source"),
        ]
        indexes = [
            models.Index(fields=["status", "level_due_at"], name="case_sweep"),
            models.Index(fields=["grid", "reported_at"], name="case_grid_time"),
            # A status in a subtree (the case list's most common filter): per micro-grid,
            # one index range, not an AND of two bitmaps over a city's cases.
            models.Index(fields=["grid", "status"], name="case_grid_status"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def is_finished(self) -> bool:
        from wangge.cases.choices import FINISHED

        return self.status in FINISHED


class CasePhoto(models.Model):
    """A photo of the matter (at report) or of the result (at handling)."""

    class Stage(models.TextChoices):
        REPORT = "report", _("as reported")
        RESULT = "result", _("result")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="photos")
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    image = models.ImageField(_("photo"), upload_to="cases/%Y/%m/")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}"


class CaseStep(models.Model):
    """One row of a case's timeline: who did what, when, from which status and level to
    which, and why. Written by `services.case_act` and nothing else; never changed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    seq = models.PositiveIntegerField(_("step"))
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("from status"), max_length=16, choices=Status.choices,
                                   blank=True)
    to_status = models.CharField(_("to status"), max_length=16, choices=Status.choices)
    from_level = models.CharField(_("from level"), max_length=12, choices=Level.choices,
                                  blank=True)
    to_level = models.CharField(_("to level"), max_length=12, choices=Level.choices)
    responsible = models.ForeignKey(Grid, verbose_name=_("responsible grid"),
                                    on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("by"), max_length=60)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["case", "seq"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_step_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"


class DiscussionEntry(models.Model):
    """A row of the joint discussion list (干群共议清单): how the matter is to be handled,
    who discussed it and which units are involved."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="discussions")
    plan = models.TextField(_("plan"))
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    units = models.CharField(_("units involved"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["case", "at", "id"]
        verbose_name = _("joint discussion entry")
        verbose_name_plural = _("joint discussion list")

    def __str__(self) -> str:
        return self.plan[:40]


class FeedbackEntry(models.Model):
    """A row of the feedback list (问题反馈清单): the result of one round of handling, and
    later the reporter's view of it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="feedback")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    result = models.TextField(_("result"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    evaluation = models.CharField(_("reporter's view"), max_length=14,
                                  choices=Evaluation.choices, blank=True)
    evaluation_comment = models.CharField(_("reporter's comment"), max_length=500, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)

    class Meta:
        ordering = ["case", "at", "id"]
        verbose_name = _("feedback entry")
        verbose_name_plural = _("feedback list")

    def __str__(self) -> str:
        return self.result[:40]


class MeetingQuerySet(ScopedQuerySet):
    scope_path = "street__code"


class DirectLineMeeting(models.Model):
    """A Party secretary's direct-line meeting (书记直通车恳谈会): the street's last resort
    for matters it could not solve in time. Its record drives each case on."""

    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=100)
    street = models.ForeignKey(Grid, verbose_name=_("street"), on_delete=models.PROTECT,
                               related_name="direct_line_meetings")
    participants = models.TextField(_("participants"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("direct-line meeting")
        verbose_name_plural = _("direct-line meetings")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class DirectLineItem(models.Model):
    """A case on the direct-line agenda: why it is there and what the meeting decided."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="direct_line_items")
    meeting = models.ForeignKey(DirectLineMeeting, verbose_name=_("meeting"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="items")
    reason = models.CharField(_("reason"), max_length=300)
    added_at = models.DateTimeField(_("added at"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices,
                                blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("direct-line agenda item")
        verbose_name_plural = _("direct-line agenda")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(decided_at__isnull=True),
                                    name="one_open_direct_line_item_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.reason[:40]}"


class CaseFigures(models.Model):
    """The counters behind the case figures (事件统计), kept per key by `cases.stats`:
    cases by status and, of the open ones, by the level holding them, and the numerators of
    the rates (docs/metrics.md). Merged duplicates are never counted."""

    status_reported = models.IntegerField(default=0)
    status_accepted = models.IntegerField(default=0)
    status_dispatched = models.IntegerField(default=0)
    status_in_progress = models.IntegerField(default=0)
    status_handled = models.IntegerField(default=0)
    status_closed = models.IntegerField(default=0)
    status_evaluated = models.IntegerField(default=0)
    status_deferred = models.IntegerField(default=0)
    status_declined = models.IntegerField(default=0)
    open_grid = models.IntegerField(default=0)
    open_community = models.IntegerField(default=0)
    open_street = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    in_grid = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CaseDayFigures(CaseFigures):
    """Case figures of one reporting day (事件统计日汇总): the cases reported that local day
    in one grid node, of one category and source, now with one handler. Written only by
    `cases.stats` (in the same transaction as each move, or rebuilt from the cases)."""

    day = models.DateField(_("reported on"))
    grid_code = models.CharField(_("grid code"), max_length=24)
    category = models.ForeignKey(Category, verbose_name=_("category"), db_index=False,
                                 on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # The handling worker's id, 0 for none: a plain number so that "no handler" is part of
    # the unique key (NULLs never conflict in a unique index).
    handler = models.BigIntegerField(_("handler (worker id, 0 for none)"), default=0)

    class Meta:
        verbose_name = _("case figures of a day")
        verbose_name_plural = _("case figures of days")
        constraints = [
            models.UniqueConstraint(fields=["day", "grid_code", "category", "source", "handler"],
                                    name="case_day_figures_key"),
        ]
        # A subtree's rows by code prefix (LIKE 'prefix%'): on PostgreSQL with a non-C
        # collation only a pattern-ops index serves that; other databases ignore opclasses.
        indexes = [models.Index(fields=["grid_code", "day"], name="case_day_figures_code",
                                opclasses=["varchar_pattern_ops", "date_ops"])]

    def __str__(self) -> str:
        return f"{self.day} {self.grid_code} {self.category_id} {self.source} {self.handler}"


class CaseMonthFigures(CaseFigures):
    """Case figures of one reporting month in one grid node (事件统计月汇总), all categories,
    sources and handlers together: the roll-up that answers "this grid, these months" from a
    few rows. `month` is the month's first day. Written only by `cases.stats`."""

    month = models.DateField(_("month"))
    grid_code = models.CharField(_("grid code"), max_length=24)

    class Meta:
        verbose_name = _("case figures of a month")
        verbose_name_plural = _("case figures of months")
        constraints = [
            models.UniqueConstraint(fields=["month", "grid_code"],
                                    name="case_month_figures_key"),
        ]
        indexes = [models.Index(fields=["grid_code", "month"], name="case_month_figures_code",
                                opclasses=["varchar_pattern_ops", "date_ops"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.grid_code}"


class CaseCommunityMonthFigures(CaseFigures):
    """Case figures of one reporting month in one community (社区月汇总): `CaseMonthFigures`
    rolled up to the first 12 characters of the grid code (a case placed above a community
    keeps its own code). What a city's "every community by month" reads: 700 rows a month,
    not 60,000. Written only by `cases.stats`, in the same transaction as each move."""

    month = models.DateField(_("month"))
    grid_code = models.CharField(_("grid code"), max_length=24)

    class Meta:
        verbose_name = _("case figures of a community's month")
        verbose_name_plural = _("case figures of communities' months")
        constraints = [
            models.UniqueConstraint(fields=["month", "grid_code"],
                                    name="case_community_month_key"),
        ]
        indexes = [models.Index(fields=["grid_code", "month"],
                                name="case_community_month_code",
                                opclasses=["varchar_pattern_ops", "date_ops"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.grid_code}"


class TriageModel(models.Model):
    """A trained triage model (智能分拨建议模型): suggests a new case's category and
    handling unit from its words. Learned from the street's closed cases by `cases.triage`;
    the parameters are plain JSON (vocabulary, idf, coefficients) so that serving needs only
    numpy. Rows are added, never changed; the newest is the one in use."""

    trained_at = models.DateTimeField(_("trained at"), db_index=True)
    cases = models.PositiveIntegerField(_("training cases"))
    classes = models.JSONField(_("categories"), default=list)
    accuracy = models.JSONField(_("accuracy"), default=dict, blank=True,
                                help_text=_("cross-validated and held-out top-1/top-3"))
    params = models.JSONField(_("parameters"), default=dict)

    class Meta:
        ordering = ["-trained_at", "-id"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M} ({self.cases})"

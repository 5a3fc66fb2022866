"""Dynamic grading of micro-grids (绿黄红牌动态管理): the scoring model per micro-grid type,
the street's setting, the computation runs and the level proposals they make.

A micro-grid's level itself lives on `grids.Grid` and changes only through
`grids.services.grid_set_level`; this app proposes changes with their reasons."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.core.scope import ScopedQuerySet
from wangge.grading.choices import ProposalStatus, RunKind
from wangge.grids.choices import Level
from wangge.grids.models import Grid, GridType


class GradingModel(models.Model):
    """The scoring model (评级模型) of one micro-grid type: a weight per indicator, a weight
    per line of work for recent cases, and the scores from which a micro-grid is yellow or
    red. The row without a type is the street's default for every type without its own."""

    grid_type = models.OneToOneField(
        GridType, verbose_name=_("micro-grid type"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="grading_model")
    weights = models.JSONField(_("weights"), default=dict,
                               help_text=_("points per unit of each indicator"))
    category_weights = models.JSONField(
        _("weights of lines of work"), default=dict, blank=True,
        help_text=_("how much one recent case of each line of work counts (1 when not given)"))
    yellow_from = models.FloatField(_("yellow from score"))
    red_from = models.FloatField(_("red from score"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = [F("grid_type__sort_order").asc(nulls_first=True), "grid_type__code"]
        verbose_name = _("grading model")
        verbose_name_plural = _("grading models")
        constraints = [
            models.CheckConstraint(
                condition=Q(yellow_from__gt=0) & Q(red_from__gt=F("yellow_from")),
                name="grading_thresholds_ordered"),
        ]

    def __str__(self) -> str:
        return str(self.grid_type) if self.grid_type_id else str(_("default model"))


class GradingSetting(models.Model):
    """A street's grading setting (评级设置): whether the computed level is applied without
    waiting for the community's confirmation. Off unless the street turns it on."""

    street = models.OneToOneField(Grid, verbose_name=_("street"), on_delete=models.PROTECT,
                                  related_name="grading_setting")
    auto_apply = models.BooleanField(_("apply computed levels automatically"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grading setting")
        verbose_name_plural = _("grading settings")

    def __str__(self) -> str:
        return str(self.street)


class GradingRun(models.Model):
    """One computation of every micro-grid's score (评级计算): the daily sweep's (one a day)
    or one asked for by an officer, with what it proposed."""

    kind = models.CharField(_("kind"), max_length=12, choices=RunKind.choices)
    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                              on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    micro_grids = models.PositiveIntegerField(_("micro-grids scored"), default=0)
    proposed = models.PositiveIntegerField(_("new proposals"), default=0)
    updated = models.PositiveIntegerField(_("proposals updated"), default=0)
    superseded = models.PositiveIntegerField(_("proposals superseded"), default=0)
    applied = models.PositiveIntegerField(_("applied automatically"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("grading run")
        verbose_name_plural = _("grading runs")
        constraints = [
            models.UniqueConstraint(fields=["day"], condition=Q(kind=RunKind.SWEEP),
                                    name="grading_one_sweep_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class GradingBaseline(models.Model):
    """The indicator values of a micro-grid when its current level was last confirmed by
    grading (or first found right), so a proposal can say what moved since."""

    grid = models.OneToOneField(Grid, on_delete=models.PROTECT, related_name="grading_baseline")
    values = models.JSONField(default=dict)
    level = models.CharField(max_length=8, choices=Level.choices)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("grading baseline")
        verbose_name_plural = _("grading baselines")

    def __str__(self) -> str:
        return f"{self.grid_id} {self.level}"


class ProposalQuerySet(ScopedQuerySet):
    scope_path = "grid__code"

    def open(self):
        return self.filter(status=ProposalStatus.PROPOSED)


class LevelProposal(models.Model):
    """A proposed change of a micro-grid's level (等级调整建议) from its score, with each
    indicator's value, weight and points and what moved since the level was set; confirmed or
    overridden by the community with a note, applied automatically where the street says so,
    or superseded by a later computation."""

    grid = models.ForeignKey(Grid, verbose_name=_("micro-grid"), on_delete=models.PROTECT,
                             related_name="level_proposals")
    run = models.ForeignKey(GradingRun, verbose_name=_("computed by"), on_delete=models.PROTECT,
                            related_name="proposals")
    from_level = models.CharField(_("from level"), max_length=8, choices=Level.choices)
    to_level = models.CharField(_("proposed level"), max_length=8, choices=Level.choices)
    score = models.FloatField(_("score"))
    yellow_from = models.FloatField(_("yellow from score"))
    red_from = models.FloatField(_("red from score"))
    # [{"indicator", "value", "weight", "points", "since"}], the largest points first;
    # "since" is the value when the level was last set (null when unknown).
    contributions = models.JSONField(_("contributions"), default=list)
    status = models.CharField(_("status"), max_length=14, choices=ProposalStatus.choices,
                              default=ProposalStatus.PROPOSED)
    decided_level = models.CharField(_("decided level"), max_length=8, choices=Level.choices,
                                     blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("proposed at"))
    updated_at = models.DateTimeField(_("updated at"))

    history = HistoricalRecords()
    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("level proposal")
        verbose_name_plural = _("level proposals")
        constraints = [
            models.UniqueConstraint(fields=["grid"], condition=Q(status=ProposalStatus.PROPOSED),
                                    name="grading_one_open_proposal_per_grid"),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id}: {self.from_level} → {self.to_level} ({self.status})"

"""Patrols and visits of grid workers (巡查、走访): the route walked, the households called
on and what was found on the way. Written by `workbench.services` only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wangge.cases.models import Case, Category
from wangge.core.scope import ScopedQuerySet
from wangge.grids.models import Grid
from wangge.registry.models import Household
from wangge.workbench.choices import FindingKind, PatrolKind
from wangge.workforce.models import Worker


class PatrolQuerySet(ScopedQuerySet):
    """Patrols are scoped by the micro-grid they cover."""

    scope_path = "micro_grid__code"

    def running(self):
        return self.filter(ended_at__isnull=True)


class Patrol(models.Model):
    """A patrol (巡查) or a round of visits (走访) by one worker in one micro-grid, from start
    to end, with the route as the phone recorded it: `route` is a list of
    `[lon, lat, ISO 8601 time]` in the order walked. A worker has at most one running."""

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT,
                               related_name="patrols")
    micro_grid = models.ForeignKey(Grid, verbose_name=_("micro-grid"),
                                   on_delete=models.PROTECT, related_name="patrols")
    kind = models.CharField(_("kind"), max_length=8, choices=PatrolKind.choices,
                            default=PatrolKind.PATROL)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    route = models.JSONField(_("route"), default=list, blank=True)
    note = models.TextField(_("summary"), blank=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("patrol or visit")
        verbose_name_plural = _("patrols and visits")
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=Q(ended_at__isnull=True),
                                    name="one_running_patrol_per_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.micro_grid.name} {self.started_at:%Y-%m-%d}"

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def last_point(self) -> tuple[float, float] | None:
        if not self.route:
            return None
        lon, lat, *_rest = self.route[-1]
        return lon, lat


class PatrolVisit(models.Model):
    """A household called on during a patrol or round of visits (入户走访)."""

    patrol = models.ForeignKey(Patrol, verbose_name=_("patrol"), on_delete=models.PROTECT,
                               related_name="visits")
    household = models.ForeignKey(Household, verbose_name=_("household"),
                                  on_delete=models.PROTECT, related_name="patrol_visits")
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["patrol", "at", "id"]
        verbose_name = _("household visited")
        verbose_name_plural = _("households visited")
        constraints = [
            models.UniqueConstraint(fields=["patrol", "household"],
                                    name="one_visit_per_household_per_patrol"),
        ]

    def __str__(self) -> str:
        return f"{self.patrol_id}: {self.household_id}"


class Finding(models.Model):
    """Something found on a patrol or visit (发现问题), turned in one step into a case
    (`case`) or into a note that a household's registry record needs updating
    (信息待更新, `household`), which stays open until the worker marks it done."""

    patrol = models.ForeignKey(Patrol, verbose_name=_("patrol"), on_delete=models.PROTECT,
                               related_name="findings")
    kind = models.CharField(_("kind"), max_length=10, choices=FindingKind.choices)
    text = models.TextField(_("what was found"))
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, verbose_name=_("case"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="finding")
    household = models.ForeignKey(Household, verbose_name=_("household"), null=True,
                                  blank=True, on_delete=models.PROTECT,
                                  related_name="findings")
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    at = models.DateTimeField(_("found at"))
    resolved_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["patrol", "at", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=FindingKind.CASE, case__isnull=False)
                           | Q(kind=FindingKind.REGISTRY, household__isnull=False)),
                name="finding_has_its_outcome"),
        ]

    def __str__(self) -> str:
        return self.text[:40]

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.grids.choices import Level, Tier


class GridType(models.Model):
    """A kind of micro-grid (微网格类型), e.g. residential estate or business district.
    The street keeps the list; Laocheng uses three."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("micro-grid type")
        verbose_name_plural = _("micro-grid types")

    def __str__(self) -> str:
        return self.name


class GridQuerySet(models.QuerySet):
    def subtree(self, code: str) -> "GridQuerySet":
        """The node with this code and everything below it: codes are hierarchical."""
        return self.filter(code__startswith=code)

    def micro_grids(self) -> "GridQuerySet":
        return self.filter(tier=Tier.MICRO_GRID)


class Grid(models.Model):
    """One node of the grid tree (网格): a street (街道), community (社区, the "big grid"),
    grid (网格) or micro-grid (微网格), with room above for district and city.

    The code is hierarchical (DB11 unit-grid scheme extended by a micro-grid sequence), so a
    subtree is a code prefix. Only micro-grids carry a type and a green/yellow/red level.
    """

    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    code = models.CharField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # GeoJSON geometry (Polygon or MultiPolygon) in WGS84 longitude/latitude.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True, editable=False)
    grid_type = models.ForeignKey(
        GridType,
        verbose_name=_("micro-grid type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grids",
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["min_lon", "min_lat", "max_lon", "max_lat"])
    objects = GridQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="grid_name_unique_per_parent"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="grid_root_name_unique",
            ),
            models.CheckConstraint(
                condition=(
                    Q(tier=Tier.MICRO_GRID, level__in=Level.values)
                    | (~Q(tier=Tier.MICRO_GRID) & Q(level=""))
                ),
                name="grid_level_only_on_micro_grids",
            ),
        ]
        indexes = [models.Index(fields=["tier", "level"], name="grid_tier_level")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class GridLevelChange(models.Model):
    """One change of a micro-grid's green/yellow/red level (等级变更): who, when, why.
    Written only by `grid_set_level`; never edited or deleted."""

    grid = models.ForeignKey(
        Grid, verbose_name=_("micro-grid"), on_delete=models.PROTECT, related_name="level_changes"
    )
    from_level = models.CharField(_("from level"), max_length=8, choices=Level.choices, blank=True)
    to_level = models.CharField(_("to level"), max_length=8, choices=Level.choices)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="level_change_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.grid.code}: {self.from_level or '-'} → {self.to_level}"


class BoundaryRevision(models.Model):
    """A counter bumped in the same transaction as any boundary change, so every process's
    locate index knows when it is stale. One row."""

    revision = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("boundary revision")

    def __str__(self) -> str:
        return str(self.revision)

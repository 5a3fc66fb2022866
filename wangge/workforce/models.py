from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.grids.models import Grid
from wangge.registry.models import Building, Household, Person
from wangge.workforce.choices import PartyOrgLevel, RoleKind


class Role(models.Model):
    """A role in the "grid+" team (网格+服务力量), e.g. 网格长, 专职网格员, 包居民警; the street
    may add its own. `kind` says what the role is for the software."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RoleKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name


class Worker(models.Model):
    """Someone who serves in the grids (网格服务人员): cadre, grid worker, police officer,
    doctor, registered Party member, volunteer. May have a login (`user`) and may be a
    registered resident (`person`)."""

    name = models.CharField(_("name"), max_length=50)
    work_phone = models.CharField(_("work phone"), max_length=20, blank=True,
                                  help_text=_("shown on the public board"))
    workplace = models.CharField(_("workplace"), max_length=100, blank=True,
                                 help_text=_("for registered in-service Party members"))
    party_member = models.BooleanField(_("CPC member"), default=False)
    promise = models.CharField(_("promise"), max_length=200, blank=True,
                               help_text=_("shown on the public board (亮承诺)"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="worker")
    person = models.ForeignKey(Person, verbose_name=_("resident record"),
                               on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return self.name


class AssignmentQuerySet(models.QuerySet):
    def current(self, on=None):
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day), started_on__lte=day)


class Assignment(models.Model):
    """A worker in a role in one node of the grid tree, from a date until a date (一员多责:
    one worker may hold many). A micro-grid has exactly one current grid leader."""

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT,
                               related_name="assignments")
    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.PROTECT,
                             related_name="assignments")
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT,
                             related_name="assignments")
    is_leader = models.BooleanField(default=False, editable=False)
    duties = models.JSONField(_("part-time duties"), default=list, blank=True,
                              help_text=_("investigator, publicist, mediator, supervisor"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["grid__code", "role__sort_order", "worker__name"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["grid"], condition=Q(is_leader=True,
                                                                 ended_on__isnull=True),
                                    name="one_current_grid_leader"),
        ]
        indexes = [models.Index(fields=["grid", "ended_on"], name="assignment_grid_end")]

    def __str__(self) -> str:
        return f"{self.worker} · {self.role} · {self.grid.name}"




class WorkItem(models.Model):
    """One item of the list of grid work (网格工作事项清单) for a role; the street edits it."""

    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT,
                             related_name="work_items")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role__sort_order", "sort_order", "id"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")

    def __str__(self) -> str:
        return self.title


class MustReportItem(models.Model):
    """One of the must-report items (八必报) every worker reports at once."""

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("must-report item")
        verbose_name_plural = _("must-report items")

    def __str__(self) -> str:
        return self.title


class PartyOrg(models.Model):
    """A node of the Party organisation (党组织): general branch for a community, branch for
    a grid, group for a building, centre household for a household."""

    level = models.CharField(_("level"), max_length=20, choices=PartyOrgLevel.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", verbose_name=_("parent"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="children")
    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.PROTECT,
                             related_name="party_orgs")
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="party_orgs")
    household = models.ForeignKey(Household, verbose_name=_("household"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="party_orgs")
    secretary = models.ForeignKey(Worker, verbose_name=_("secretary or head"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="party_orgs")

    history = HistoricalRecords()

    class Meta:
        ordering = ["grid__code", "level", "name"]
        verbose_name = _("Party organisation")
        verbose_name_plural = _("Party organisations")

    def __str__(self) -> str:
        return self.name

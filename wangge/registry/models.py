"""The registry: everything placed in a micro-grid (人、地、物、事、组织).

The chain person → household → house → building → micro-grid always holds. Houses,
households and people also carry their micro-grid directly, kept equal to their building's
by the services, so that scoping a list to a subtree is one indexed join, not four.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.core.crypto import EncryptedTextField
from wangge.core.scope import ScopedQuerySet
from wangge.grids.models import Grid
from wangge.registry.choices import (
    FacilityCondition,
    HouseUse,
    OrganisationKind,
    PersonEventKind,
    PersonStatus,
    PoliticalStatus,
    PopulationType,
    Relation,
    Sex,
)


class PlacedQuerySet(ScopedQuerySet):
    """Rows placed in a micro-grid; scoped to the user's subtree by `for_user`."""


def _micro_grid_fk(related_name: str, *, db_index: bool = True):
    return models.ForeignKey(
        Grid, verbose_name=_("micro-grid"), on_delete=models.PROTECT, related_name=related_name,
        db_index=db_index,
    )


# The history of a record is read by its id (and date), never by the links it had: the
# copies of these foreign keys in the history tables go unindexed. An index there only
# slowed every write, most of all a ledger import (decision 0021).
_HISTORY_UNINDEXED = ["micro_grid", "building", "house", "household"]


def _history(**kwargs) -> HistoricalRecords:
    return HistoricalRecords(no_db_index=_HISTORY_UNINDEXED, **kwargs)


class Building(models.Model):
    """A building (楼栋) or, in old lanes, a numbered courtyard house, in one micro-grid.

    Its micro-grid is found from its location by locate, unless set by hand (kept in
    history, `grid_set_by_hand`)."""

    micro_grid = _micro_grid_fk("buildings")
    name = models.CharField(_("building"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid_set_by_hand = models.BooleanField(_("micro-grid set by hand"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = _history()
    objects = PlacedQuerySet.as_manager()

    class Meta:
        ordering = ["micro_grid__code", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(fields=["micro_grid", "name"], name="building_unique_name"),
        ]

    def __str__(self) -> str:
        return self.address or self.name


class House(models.Model):
    """A house or room (房屋) in a building, with its use."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="houses"
    )
    micro_grid = _micro_grid_fk("houses")
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    number = models.CharField(_("room"), max_length=40)
    use = models.CharField(_("use"), max_length=20, choices=HouseUse.choices,
                           default=HouseUse.OWNER_OCCUPIED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = _history()
    objects = PlacedQuerySet.as_manager()

    class Meta:
        ordering = ["building_id", "unit", "number"]
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "number"], name="house_unique"),
        ]

    def __str__(self) -> str:
        unit = f"{self.unit}单元" if self.unit else ""
        return " ".join(part for part in (self.building.name, unit, self.number) if part)


class Household(models.Model):
    """A household (户) living in a house; exactly one active member is its head."""

    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="households"
    )
    micro_grid = _micro_grid_fk("households")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = _history()
    objects = PlacedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"{_('household')} {self.pk}"


class CareGroup(models.Model):
    """A care and attention group (关注类别), e.g. elderly living alone. Special populations
    (社区矫正人员, 刑满释放人员, …) are `sensitive`: shown and exported like ID numbers."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("care group")
        verbose_name_plural = _("care groups")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A person (人) registered in the street: resident, floating or overseas.

    The resident ID number and phone are encrypted at rest; `*_hash` are keyed hashes for
    exact lookup. A person is never deleted: moving out or dying changes `status` and is
    recorded as a `PersonEvent`."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    # Indexed by `person_grid_status` (micro-grid first), so no index of its own.
    micro_grid = _micro_grid_fk("people", db_index=False)
    relation = models.CharField(_("relation to head"), max_length=16, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("resident ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    ethnic_group = models.CharField(_("ethnic group"), max_length=10, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    population_type = models.CharField(_("population type"), max_length=16,
                                       choices=PopulationType.choices)
    political_status = models.CharField(_("political status"), max_length=20,
                                        choices=PoliticalStatus.choices, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    care_groups = models.ManyToManyField(CareGroup, verbose_name=_("care groups"), blank=True,
                                         related_name="people")
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PersonStatus.choices,
                              default=PersonStatus.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Care-group changes are written into the history row's change reason by the services.
    history = _history(excluded_fields=["id_number_hash", "phone_hash"])
    objects = PlacedQuerySet.as_manager()

    class Meta:
        ordering = ["micro_grid__code", "household_id", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], condition=~Q(id_number_hash=""),
                                    name="person_unique_id_number"),
            models.UniqueConstraint(
                fields=["household"], condition=Q(relation="head", status="active"),
                name="household_one_active_head",
            ),
        ]
        indexes = [models.Index(fields=["micro_grid", "status"], name="person_grid_status")]
        permissions = [("view_personal_data", _("Can see ID numbers and phones unmasked"))]

    def __str__(self) -> str:
        return self.name


class PersonEvent(models.Model):
    """Something that happened to a person: registered, moved in or out (迁入/迁出),
    changed household, died. Dated as it happened; written by the registry services."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=PersonEventKind.choices)
    date = models.DateField(_("date"))
    from_household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+")
    to_household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("person event")
        verbose_name_plural = _("person events")

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.date}"


class Organisation(models.Model):
    """A unit in the area (辖区单位): government body, enterprise, shop, social organisation,
    school, hospital; identified by its unified social credit code when it has one."""

    micro_grid = _micro_grid_fk("organisations")
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=OrganisationKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    leader = models.CharField(_("person in charge"), max_length=50, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    co_governance_member = models.BooleanField(_("co-governance committee member"),
                                               default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = PlacedQuerySet.as_manager()

    class Meta:
        ordering = ["micro_grid__code", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="organisation_unique_credit_code"),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityKind(models.Model):
    """A kind of facility (部件类型): hydrant, manhole cover, camera, street lamp, …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("facility kind")
        verbose_name_plural = _("facility kinds")

    def __str__(self) -> str:
        return self.name


class Facility(models.Model):
    """A public facility (部件) at a point, in the micro-grid that holds the point."""

    micro_grid = _micro_grid_fk("facilities")
    kind = models.ForeignKey(FacilityKind, verbose_name=_("kind"), on_delete=models.PROTECT,
                             related_name="facilities")
    code = models.CharField(_("code"), max_length=40, unique=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    condition = models.CharField(_("condition"), max_length=16,
                                 choices=FacilityCondition.choices,
                                 default=FacilityCondition.GOOD)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = PlacedQuerySet.as_manager()

    class Meta:
        ordering = ["micro_grid__code", "code"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"


class LedgerImport(models.Model):
    """One import of a ledger file from the web (台账导入记录): what came in, what happened,
    and the error file for the clerk to correct."""

    kind = models.CharField(_("ledger"), max_length=20)
    filename = models.CharField(_("file"), max_length=200)
    mode = models.CharField(_("mode"), max_length=20)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    written = models.BooleanField(_("written"), default=False)
    message = models.TextField(_("message"), blank=True)
    error_file = models.BinaryField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"


class MicroGridFigures(models.Model):
    """The registry's counts for one micro-grid (网格台账统计): people by population type,
    age band and care group, households lived in, houses by use, buildings, organisations
    and facilities. Kept current inside the registry's services and rebuilt once a day
    (ages move with the date) by `registry.figures`; a parent's figures are the sums of its
    micro-grids', so a city's dashboard reads 90,000 rows, not 6,000,000 people."""

    micro_grid = models.OneToOneField(Grid, verbose_name=_("micro-grid"), primary_key=True,
                                      on_delete=models.CASCADE, related_name="registry_figures")
    # The micro-grid's code as of the last count: a subtree's rows by prefix without a join.
    code = models.CharField(_("code"), max_length=24, default="")
    people = models.PositiveIntegerField(default=0)
    pop_registered = models.PositiveIntegerField(default=0)
    pop_floating = models.PositiveIntegerField(default=0)
    pop_overseas = models.PositiveIntegerField(default=0)
    age_0_17 = models.PositiveIntegerField(default=0)
    age_18_59 = models.PositiveIntegerField(default=0)
    age_60_79 = models.PositiveIntegerField(default=0)
    age_80 = models.PositiveIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)
    houses = models.PositiveIntegerField(default=0)
    use_owner_occupied = models.PositiveIntegerField(default=0)
    use_rented = models.PositiveIntegerField(default=0)
    use_vacant = models.PositiveIntegerField(default=0)
    use_business = models.PositiveIntegerField(default=0)
    buildings = models.PositiveIntegerField(default=0)
    organisations = models.PositiveIntegerField(default=0)
    facilities = models.PositiveIntegerField(default=0)
    facilities_needing_repair = models.PositiveIntegerField(default=0)
    # The day the age bands were counted on.
    counted_on = models.DateField()

    class Meta:
        verbose_name = _("micro-grid figures")
        verbose_name_plural = _("micro-grid figures")
        indexes = [models.Index(fields=["code"], name="micro_grid_figures_code",
                                opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.micro_grid_id}: {self.people}"


class MicroGridCareFigure(models.Model):
    """How many active people of one micro-grid are in one care group; see MicroGridFigures."""

    micro_grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="+")
    care_group = models.ForeignKey(CareGroup, on_delete=models.CASCADE, related_name="+")
    people = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["micro_grid", "care_group"],
                                               name="care_figure_unique")]

    def __str__(self) -> str:
        return f"{self.micro_grid_id} {self.care_group_id}: {self.people}"

"""Writes to the registry. Nothing here deletes: people move out or die, buildings move.

Every function is atomic, takes the acting user, keeps history (django-simple-history rows
with a change reason, and `PersonEvent`s for what happened to a person)."""

import datetime
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core import validators as v
from wangge.core.bulk import bulk_insert
from wangge.core.crypto import lookup_hash
from wangge.core.models import AuditAction
from wangge.core.services import audit_record
from wangge.grids.choices import Tier
from wangge.grids.locate import OUTSIDE, current_index
from wangge.grids.models import Grid
from wangge.grids.selectors import locate_point
from wangge.registry.choices import PersonEventKind, PersonStatus, Relation
from wangge.registry.figures import figures_refresh
from wangge.registry.models import (
    Building,
    Facility,
    House,
    Household,
    Person,
    PersonEvent,
)

ID_PURPOSE = "resident_id"
PHONE_PURPOSE = "phone"


class RegistryError(ValueError):
    """A change the registry refuses; the message is for the user."""


def id_number_hash(number: str) -> str:
    return lookup_hash(number, purpose=ID_PURPOSE)


def phone_hash(phone: str) -> str:
    return lookup_hash(phone, purpose=PHONE_PURPOSE)


# --- buildings -------------------------------------------------------------------------------


def _cascade_micro_grid(building: Building, *, actor, reason: str) -> None:
    """Houses, households and people carry their building's micro-grid (for scoping)."""
    grid_id = building.micro_grid_id
    for model, path in ((House, "building"), (Household, "house__building"),
                        (Person, "household__house__building")):
        rows = list(model.objects.filter(**{path: building}).exclude(micro_grid_id=grid_id))
        for row in rows:
            row.micro_grid_id = grid_id
            row._change_reason = reason
            row._history_user = actor
            row.save(update_fields=["micro_grid", "updated_at"])


def building_set_location(*, building: Building, lon: float, lat: float, actor,
                          reason: str = "") -> Building:
    """Place a building at a point; its micro-grid follows by locate unless set by hand."""
    with transaction.atomic():
        locked = Building.objects.select_for_update().get(pk=building.pk)
        before = locked.micro_grid_id
        locked.lon, locked.lat = lon, lat
        if not locked.grid_set_by_hand:
            located = locate_point(lon=lon, lat=lat)
            if located.micro_grid is None:
                raise RegistryError(_("This location is not in any micro-grid of the street."))
            locked.micro_grid = located.micro_grid
        locked._change_reason = reason or _("location set")
        locked._history_user = actor
        locked.save()
        _cascade_micro_grid(locked, actor=actor, reason=locked._change_reason)
        figures_refresh(micro_grid_ids=[before, locked.micro_grid_id])
    return locked


def building_set_micro_grid(*, building: Building, micro_grid: Grid | None, actor,
                            reason: str) -> Building:
    """Override the micro-grid by hand (None: go back to the one its location gives)."""
    if not reason.strip():
        raise RegistryError(_("Setting a micro-grid by hand needs a reason."))
    with transaction.atomic():
        locked = Building.objects.select_for_update().get(pk=building.pk)
        before = locked.micro_grid_id
        if micro_grid is None:
            locked.grid_set_by_hand = False
            if locked.lon is not None:
                located = locate_point(lon=locked.lon, lat=locked.lat)
                if located.micro_grid is not None:
                    locked.micro_grid = located.micro_grid
        else:
            if micro_grid.tier != Tier.MICRO_GRID:
                raise RegistryError(_("A building belongs to a micro-grid."))
            locked.micro_grid = micro_grid
            locked.grid_set_by_hand = True
        locked._change_reason = reason
        locked._history_user = actor
        locked.save()
        _cascade_micro_grid(locked, actor=actor, reason=reason)
        figures_refresh(micro_grid_ids=[before, locked.micro_grid_id])
    return locked


# --- people ----------------------------------------------------------------------------------


def _event(person: Person, kind: str, *, date: datetime.date, actor, note: str = "",
           from_household: Household | None = None,
           to_household: Household | None = None) -> PersonEvent:
    return PersonEvent.objects.create(
        person=person, kind=kind, date=date, note=note, from_household=from_household,
        to_household=to_household, recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=timezone.now(),
    )


def _save_person(person: Person, *, actor, reason: str, fields: list[str]) -> None:
    person._change_reason = reason
    person._history_user = actor
    person.save(update_fields=[*fields, "updated_at"])


def _check_head_leaves(person: Person) -> None:
    if person.relation == Relation.HEAD and person.household.members.filter(
        status=PersonStatus.ACTIVE
    ).exclude(pk=person.pk).exists():
        raise RegistryError(_(
            "%(name)s is the head of a household with other members: name a new head first."
        ) % {"name": person.name})


def person_move_out(*, person: Person, date: datetime.date, actor, note: str = "") -> Person:
    """迁出: the person leaves the street; the record stays, marked moved out."""
    with transaction.atomic():
        locked = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
        if locked.status != PersonStatus.ACTIVE:
            raise RegistryError(_("Only a person living here can move out."))
        _check_head_leaves(locked)
        locked.status = PersonStatus.MOVED_OUT
        _save_person(locked, actor=actor, reason=_("moved out"), fields=["status"])
        _event(locked, PersonEventKind.MOVED_OUT, date=date, actor=actor, note=note,
               from_household=locked.household)
        figures_refresh(micro_grid_ids=[locked.micro_grid_id])
    return locked


def person_record_death(*, person: Person, date: datetime.date, actor,
                        note: str = "") -> Person:
    with transaction.atomic():
        locked = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
        if locked.status == PersonStatus.DECEASED:
            raise RegistryError(_("This death is already recorded."))
        _check_head_leaves(locked)
        locked.status = PersonStatus.DECEASED
        _save_person(locked, actor=actor, reason=_("died"), fields=["status"])
        _event(locked, PersonEventKind.DIED, date=date, actor=actor, note=note)
        figures_refresh(micro_grid_ids=[locked.micro_grid_id])
    return locked


def person_move_to_household(*, person: Person, household: Household, relation: str,
                             date: datetime.date, actor, note: str = "") -> Person:
    """迁入 or a change of household: the person now lives in `household`."""
    if relation not in Relation.values:
        raise RegistryError(_("Unknown relation to the head of household."))
    with transaction.atomic():
        locked = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
        if locked.status == PersonStatus.DECEASED:
            raise RegistryError(_("A deceased person cannot move."))
        target = Household.objects.select_for_update().get(pk=household.pk)
        has_head = target.members.filter(status=PersonStatus.ACTIVE,
                                         relation=Relation.HEAD).exclude(pk=locked.pk).exists()
        if relation == Relation.HEAD and has_head:
            raise RegistryError(_("That household already has a head."))
        if relation != Relation.HEAD and not has_head:
            raise RegistryError(_("That household has no head: join it as its head."))
        coming_back = locked.status == PersonStatus.MOVED_OUT
        if not coming_back and locked.household_id != target.pk:
            _check_head_leaves(locked)
        previous = locked.household
        was_in = locked.micro_grid_id
        locked.household = target
        locked.micro_grid_id = target.micro_grid_id
        locked.relation = relation
        locked.status = PersonStatus.ACTIVE
        kind = PersonEventKind.MOVED_IN if coming_back else PersonEventKind.HOUSEHOLD_CHANGED
        _save_person(locked, actor=actor, reason=str(PersonEventKind(kind).label),
                     fields=["household", "micro_grid", "relation", "status"])
        _event(locked, kind, date=date, actor=actor, note=note,
               from_household=previous, to_household=target)
        figures_refresh(micro_grid_ids=[was_in, locked.micro_grid_id])
    return locked


def household_create(*, house: House, actor) -> Household:
    household = Household(house=house, micro_grid_id=house.micro_grid_id)
    household._history_user = actor
    household.save()  # nobody lives in it yet: the figures count households lived in
    return household


# --- bulk placement by location --------------------------------------------------------------


@dataclass(frozen=True)
class PlacedItem:
    """Something to create at a point; its micro-grid is found by locate."""

    lon: float
    lat: float
    fields: dict


def _locate_all(items: list[PlacedItem]) -> list[int]:
    index = current_index()
    found = index.locate_many([i.lon for i in items], [i.lat for i in items])
    if (found == OUTSIDE).any():
        bad = items[int(np.flatnonzero(found == OUTSIDE)[0])]
        raise RegistryError(_("(%(lon).6f, %(lat).6f) is not in any micro-grid of the street.")
                            % {"lon": bad.lon, "lat": bad.lat})
    ids = dict(Grid.objects.filter(code__in=set(index.codes)).values_list("code", "pk"))
    return [ids[index.codes[i]] for i in found]


def _create_located(model, *, items: list[PlacedItem], actor, reason: str) -> list:
    with transaction.atomic():
        grid_ids = _locate_all(items)
        records = [model(micro_grid_id=g, lon=i.lon, lat=i.lat, **i.fields)
                   for i, g in zip(items, grid_ids, strict=True)]
        bulk_insert(records, user=_user(actor), reason=reason)
        figures_refresh(micro_grid_ids=grid_ids)
        return records


def buildings_create_located(*, items: list[PlacedItem], actor, reason: str) -> list[Building]:
    """Create buildings at their locations, each in the micro-grid that holds it."""
    return _create_located(Building, items=items, actor=actor, reason=reason)


def facilities_create_located(*, items: list[PlacedItem], actor, reason: str) -> list[Facility]:
    """Create facilities (部件) at their locations, each in the micro-grid that holds it."""
    return _create_located(Facility, items=items, actor=actor, reason=reason)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- records created and changed one at a time (web forms, API) ---------------------------


def _checked_person_fields(data: dict) -> dict:
    """Run a person's fields through the same validators as the ledger importer."""
    out: dict = {}
    try:
        if "id_number" in data:
            rid = v.parse_resident_id(data["id_number"])
            v.check_resident_id_agrees(rid, sex=data.get("sex") or None,
                                       birth_date=data.get("birth_date") or None)
            out.update(id_number=rid.number, sex=rid.sex, birth_date=rid.birth_date)
        if "phone" in data:
            out["phone"] = v.parse_phone(data["phone"])
        if "ethnic_group" in data:
            out["ethnic_group"] = v.parse_ethnic_group(data["ethnic_group"]) or ""
    except v.InvalidValue as exc:
        raise RegistryError(str(exc)) from None
    if "name" in data:
        name = v.normalize_text(data["name"])
        if not name:
            raise RegistryError(_("A name is required."))
        out["name"] = name
    for key in ("population_type", "political_status", "registered_address", "note",
                "relation"):
        if key in data:
            out[key] = data[key]
    return out


def person_create(*, household: Household, actor, care_groups=(), **data) -> Person:
    """Register a person into a household (迁入 of someone new)."""
    fields = _checked_person_fields(data)
    if "id_number" not in fields:
        raise RegistryError(_("A resident ID number is required."))
    with transaction.atomic():
        target = Household.objects.select_for_update().get(pk=household.pk)
        digest = id_number_hash(fields["id_number"])
        if Person.objects.filter(id_number_hash=digest).exists():
            raise RegistryError(_("A person with this ID number is already registered."))
        has_head = target.members.filter(status=PersonStatus.ACTIVE,
                                         relation=Relation.HEAD).exists()
        if (fields.get("relation") == Relation.HEAD) == has_head:
            raise RegistryError(_("That household already has a head.") if has_head else
                                _("That household has no head: join it as its head."))
        person = Person(household=target, micro_grid_id=target.micro_grid_id,
                        id_number_hash=digest, phone_hash=phone_hash(fields.get("phone", "")),
                        **fields)
        person._history_user = actor
        person._change_reason = _("registered")
        person.save()
        person.care_groups.set(care_groups)
        _event(person, PersonEventKind.REGISTERED, date=timezone.localdate(), actor=actor,
               to_household=target)
        figures_refresh(micro_grid_ids=[person.micro_grid_id])
    return person


def person_update(*, person: Person, actor, reason: str, care_groups=None, **data) -> Person:
    """Correct or update a person's record; every change is kept in its history."""
    fields = _checked_person_fields(data)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        changed = [k for k, value in fields.items() if getattr(locked, k) != value]
        notes = []
        if "id_number" in changed:
            digest = id_number_hash(fields["id_number"])
            if Person.objects.filter(id_number_hash=digest).exclude(pk=locked.pk).exists():
                raise RegistryError(_("A person with this ID number is already registered."))
            locked.id_number_hash = digest
            changed.append("id_number_hash")
        if "phone" in changed:
            locked.phone_hash = phone_hash(fields["phone"])
            changed.append("phone_hash")
        for key in changed:
            if key in fields:
                setattr(locked, key, fields[key])
        if care_groups is not None:
            before = set(locked.care_groups.values_list("name", flat=True))
            after = {g.name for g in care_groups}
            if before != after:
                locked.care_groups.set(care_groups)
                notes.append("关注类别:{} → {}".format("、".join(sorted(before)) or "-",
                                                     "、".join(sorted(after)) or "-"))
        if changed or notes:
            locked._change_reason = "; ".join([reason, *notes])
            locked._history_user = actor
            locked.save(update_fields=[*changed, "updated_at"])
            figures_refresh(micro_grid_ids=[locked.micro_grid_id])
    return locked


def person_reveal(*, person: Person, actor, reason: str, request=None) -> dict:
    """The full ID number, phone and sensitive care groups, for a stated reason; every
    reveal is in the audit log (who, what, when, why)."""
    if not reason.strip():
        raise RegistryError(_("Say why you need to see the full record."))
    if not actor.has_perm("registry.view_personal_data"):
        raise RegistryError(_("You are not allowed to see personal data unmasked."))
    audit_record(actor=actor, action=AuditAction.VIEW_UNMASKED, target=person, reason=reason,
                 detail={"fields": ["id_number", "phone", "sensitive_care_groups"]},
                 request=request)
    return {
        "id_number": person.id_number,
        "phone": person.phone,
        "sensitive_care_groups": list(
            person.care_groups.filter(sensitive=True).values_list("name", flat=True)),
    }


def building_create(*, name: str, actor, address: str = "", lon: float | None = None,
                    lat: float | None = None, micro_grid: Grid | None = None) -> Building:
    """A new building, placed by its location, or by hand when no location is known."""
    name = v.normalize_text(name)
    if not name:
        raise RegistryError(_("A building needs a name."))
    with transaction.atomic():
        by_hand = micro_grid is not None
        if micro_grid is None:
            if lon is None or lat is None:
                raise RegistryError(_("Give the building's location or its micro-grid."))
            micro_grid = locate_point(lon=lon, lat=lat).micro_grid
            if micro_grid is None:
                raise RegistryError(_("This location is not in any micro-grid of the street."))
        if micro_grid.tier != Tier.MICRO_GRID:
            raise RegistryError(_("A building belongs to a micro-grid."))
        if Building.objects.filter(micro_grid=micro_grid, name=name).exists():
            raise RegistryError(_("This micro-grid already has a building of that name."))
        building = Building(micro_grid=micro_grid, name=name, address=address, lon=lon, lat=lat,
                            grid_set_by_hand=by_hand)
        building._history_user = actor
        building.save()
        figures_refresh(micro_grid_ids=[micro_grid.pk])
    return building


def record_update(*, record, actor, reason: str, **fields):
    """Change plain fields of a house, organisation or facility, keeping history."""
    with transaction.atomic():
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        changed = [k for k, value in fields.items() if getattr(locked, k) != value]
        for key in changed:
            setattr(locked, key, fields[key])
        if changed:
            locked.full_clean(exclude=["micro_grid", "building", "kind"])
            locked._change_reason = reason
            locked._history_user = actor
            locked.save(update_fields=[*changed, "updated_at"])
            figures_refresh(micro_grid_ids=[getattr(locked, "micro_grid_id", None)])
    return locked

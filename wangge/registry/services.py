"""Writes to the registry. Nothing here deletes: people move out or die, buildings move.

Every function is atomic, takes the acting user, keeps history (django-simple-history rows
with a change reason, and `PersonEvent`s for what happened to a person)."""

import datetime
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.bulk import bulk_insert
from wangge.core.crypto import lookup_hash
from wangge.grids.choices import Tier
from wangge.grids.locate import OUTSIDE, current_index
from wangge.grids.models import Grid
from wangge.grids.selectors import locate_point
from wangge.registry.choices import PersonEventKind, PersonStatus, Relation
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
    return locked


def building_set_micro_grid(*, building: Building, micro_grid: Grid | None, actor,
                            reason: str) -> Building:
    """Override the micro-grid by hand (None: go back to the one its location gives)."""
    if not reason.strip():
        raise RegistryError(_("Setting a micro-grid by hand needs a reason."))
    with transaction.atomic():
        locked = Building.objects.select_for_update().get(pk=building.pk)
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
        locked.household = target
        locked.micro_grid_id = target.micro_grid_id
        locked.relation = relation
        locked.status = PersonStatus.ACTIVE
        kind = PersonEventKind.MOVED_IN if coming_back else PersonEventKind.HOUSEHOLD_CHANGED
        _save_person(locked, actor=actor, reason=str(PersonEventKind(kind).label),
                     fields=["household", "micro_grid", "relation", "status"])
        _event(locked, kind, date=date, actor=actor, note=note,
               from_household=previous, to_household=target)
    return locked


def household_create(*, house: House, actor) -> Household:
    household = Household(house=house, micro_grid_id=house.micro_grid_id)
    household._history_user = actor
    household.save()
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


def buildings_create_located(*, items: list[PlacedItem], actor, reason: str) -> list[Building]:
    """Create buildings at their locations, each in the micro-grid that holds it."""
    with transaction.atomic():
        grid_ids = _locate_all(items)
        buildings = [Building(micro_grid_id=g, lon=i.lon, lat=i.lat, **i.fields)
                     for i, g in zip(items, grid_ids, strict=True)]
        bulk_insert(buildings, user=_user(actor), reason=reason)
        return buildings


def facilities_create_located(*, items: list[PlacedItem], actor, reason: str) -> list[Facility]:
    with transaction.atomic():
        grid_ids = _locate_all(items)
        facilities = [Facility(micro_grid_id=g, lon=i.lon, lat=i.lat, **i.fields)
                      for i, g in zip(items, grid_ids, strict=True)]
        bulk_insert(facilities, user=_user(actor), reason=reason)
        return facilities


def _user(actor):
    return actor if getattr(actor, "pk", None) else None

"""Writes to the workforce: assignments start and end (never deleted), accounts are linked."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.workforce.choices import PartTimeDuty, RoleKind
from wangge.workforce.models import Assignment, Role, Worker


class WorkforceError(ValueError):
    """A change the workforce refuses; the message is for the user."""


def assignment_start(*, worker: Worker, grid: Grid, role: Role, started_on: datetime.date,
                     actor, duties: list[str] | tuple[str, ...] = (),
                     replace_leader: bool = False) -> Assignment:
    """Put a worker in a role in a grid. A micro-grid has one current grid leader: naming a
    new one needs `replace_leader`, which ends the old leader's term the day before."""
    is_leader = role.kind == RoleKind.GRID_LEADER
    if is_leader and grid.tier != Tier.MICRO_GRID:
        raise WorkforceError(_("A grid leader leads a micro-grid."))
    unknown = set(duties) - set(PartTimeDuty.values)
    if unknown or (duties and role.kind != RoleKind.PART_TIME):
        raise WorkforceError(_("Only part-time workers have the four duties."))
    with transaction.atomic():
        Grid.objects.select_for_update().get(pk=grid.pk)
        if is_leader:
            current = Assignment.objects.filter(grid=grid, is_leader=True,
                                                ended_on__isnull=True).first()
            if current is not None:
                if not replace_leader:
                    raise WorkforceError(_(
                        "%(grid)s already has a grid leader, %(name)s: end that term first."
                    ) % {"grid": grid.name, "name": current.worker.name})
                current.ended_on = started_on - datetime.timedelta(days=1)
                current._history_user = actor
                current.save(update_fields=["ended_on"])
        assignment = Assignment(worker=worker, grid=grid, role=role, is_leader=is_leader,
                                duties=list(duties), started_on=started_on)
        assignment._history_user = actor
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError:
            raise WorkforceError(_("This micro-grid already has a grid leader.")) from None
    return assignment


def assignment_end(*, assignment: Assignment, ended_on: datetime.date, actor) -> Assignment:
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.ended_on is not None:
            raise WorkforceError(_("This assignment has already ended."))
        if ended_on < locked.started_on:
            raise WorkforceError(_("An assignment cannot end before it starts."))
        locked.ended_on = ended_on
        locked._history_user = actor
        locked.save(update_fields=["ended_on"])
    return locked

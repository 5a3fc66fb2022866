"""The registry's figures kept per micro-grid: current after every registry write, recounted
by the daily sweep, and what the grid file and the dashboard read."""

import datetime

import pytest
from django.utils import timezone

from wangge.core import sweeps
from wangge.registry import services
from wangge.registry.choices import PersonStatus, Relation
from wangge.registry.figures import figures_rebuild, figures_sweep
from wangge.registry.models import Household, MicroGridCareFigure, MicroGridFigures, Person
from wangge.registry.selectors import grid_figures

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 1)


def _kept() -> tuple[list[tuple], list[tuple]]:
    columns = [f.attname for f in MicroGridFigures._meta.fields if f.attname != "counted_on"]
    return (sorted(MicroGridFigures.objects.values_list(*columns)),
            sorted(MicroGridCareFigure.objects.filter(people__gt=0)
                   .values_list("micro_grid_id", "care_group_id", "people")))


def _people(code: str) -> int:
    return grid_figures(code=code)[code].people


def test_figures_follow_moves_and_deaths_and_equal_a_full_recount(laocheng):
    mover = Person.objects.filter(status=PersonStatus.ACTIVE).exclude(relation=Relation.HEAD) \
        .select_related("micro_grid").order_by("pk").first()
    home = mover.micro_grid.code
    target = Household.objects.exclude(micro_grid=mover.micro_grid) \
        .filter(members__relation=Relation.HEAD, members__status=PersonStatus.ACTIVE) \
        .select_related("micro_grid").order_by("pk").first()
    away = target.micro_grid.code
    street_before, home_before, away_before = _people("520302001"), _people(home), _people(away)

    services.person_move_to_household(person=mover, household=target, relation=Relation.OTHER,
                                      date=DAY, actor=None)
    assert (_people(home), _people(away)) == (home_before - 1, away_before + 1)
    assert _people("520302001") == street_before

    services.person_record_death(person=mover, date=DAY, actor=None)
    assert _people(away) == away_before
    assert _people("520302001") == street_before - 1

    kept = _kept()
    figures_rebuild()
    assert _kept() == kept


def test_the_daily_sweep_recounts_what_was_counted_on_an_earlier_day(laocheng):
    assert "registry-figures" in sweeps.registered()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    row = MicroGridFigures.objects.order_by("pk").first()
    MicroGridFigures.objects.filter(pk=row.pk).update(counted_on=yesterday, people=0)
    assert figures_sweep() == "1 micro-grids recounted"
    row.refresh_from_db()
    assert row.people > 0 and row.counted_on == timezone.localdate()
    assert figures_sweep() == ""


def test_a_parents_figures_sum_its_micro_grids_kept_rows(laocheng):
    community = "520302001001"
    rows = MicroGridFigures.objects.filter(micro_grid__code__startswith=community)
    assert _people(community) == sum(r.people for r in rows) > 0

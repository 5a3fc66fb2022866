"""Fixtures of the grading tests: a model that counts only facilities in bad condition (ten
points each; yellow from 10, red from 25), so a test moves a micro-grid's score by damaging
its facilities, and helpers to do that."""

import itertools

import pytest

from wangge.grading.choices import Indicator
from wangge.grading.services import grading_model_update
from wangge.grids.models import GridType
from wangge.grids.services import grid_set_level
from wangge.registry.models import Facility, FacilityKind

_codes = itertools.count()
FACILITIES_ONLY = {code: 0.0 for code in Indicator.values} | {"bad_facilities": 10.0}


@pytest.fixture
def facilities_model(laocheng):
    """Every type scores 10 points per facility in bad condition."""
    for grid_type in [None, *GridType.objects.all()]:
        grading_model_update(actor=None, grid_type=grid_type, weights=FACILITIES_ONLY,
                             category_weights={}, yellow_from=10, red_from=25)


def set_bad_facilities(grid, n: int) -> None:
    """Exactly `n` facilities of the micro-grid in bad condition (test set-up)."""
    Facility.objects.filter(micro_grid=grid).update(condition="good")
    kind = FacilityKind.objects.get(code="hydrant")
    for _ in range(n):
        Facility.objects.create(micro_grid=grid, kind=kind,
                                code=f"T-{grid.code}-{next(_codes)}", lon=0, lat=0,
                                condition="damaged")


@pytest.fixture
def green_a(micro_a, facilities_model):
    """Micro-grid A, green, with no facility in bad condition."""
    set_bad_facilities(micro_a, 0)
    grid_set_level(grid=micro_a, level="green", actor=None, reason="test set-up")
    return micro_a

"""Demo data of dynamic grading, loaded by wangge.demo.services.demo_load after the cases:
the model of each of the demo's micro-grid types, and a first computation, which proposes
changes only where the registry (and, with the case history, the cases) says otherwise than
the demo's story (wangge/demo/population.py draws the registry by each micro-grid's level)."""

from wangge.demo import laocheng
from wangge.grading import reference
from wangge.grading.models import GradingModel
from wangge.grading.services import grading_recompute
from wangge.grids.models import GridType


def load(*, with_cases: bool) -> None:
    reference.seed(GradingModel, GridType, type_codes=[code for code, *_ in laocheng.GRID_TYPES])
    grading_recompute(actor=None)

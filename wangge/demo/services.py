"""Loading the Laocheng demo into an empty database, through the same services as real data."""

import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from wangge.demo import laocheng
from wangge.grids.models import Grid, GridType
from wangge.grids.services import grids_import_geojson

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "wangge-demo"


def demo_is_loaded() -> bool:
    return Grid.objects.exists()


def demo_load(*, progress: Callable[[str], None] = lambda message: None) -> dict[str, float]:
    """Build the synthetic Laocheng Street; returns the seconds each step took."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress("生成老城街道网格边界 (generating boundaries)…")
    nodes = laocheng.generate()
    timings["generate"] = time.perf_counter() - started
    with transaction.atomic():
        for order, (code, name, description) in enumerate(laocheng.GRID_TYPES):
            GridType.objects.get_or_create(
                code=code, defaults={"name": name, "description": description,
                                     "sort_order": order},
            )
        progress(f"导入 {len(nodes)} 个网格节点 (importing grid tree)…")
        step = time.perf_counter()
        grids_import_geojson(data=laocheng.feature_collection(nodes), actor=None,
                             reason="演示数据初始化 (demo data)")
        timings["grids"] = time.perf_counter() - step
        user_model = get_user_model()
        if not user_model.objects.filter(username=DEMO_USERNAME).exists():
            user_model.objects.create_superuser(DEMO_USERNAME, "", DEMO_PASSWORD)
    timings["total"] = time.perf_counter() - started
    return timings

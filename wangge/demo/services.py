"""Loading the Laocheng demo into an empty database, through the same services as real data."""

import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from wangge.activities import demo as activities_demo
from wangge.cases import reference as cases_reference
from wangge.cases import triage
from wangge.cases.models import CalendarDay, Category, LevelLimit
from wangge.channels import demo as channels_demo
from wangge.cogovernance import demo as cogovernance_demo
from wangge.demo import cases as demo_cases
from wangge.demo import laocheng, population, workforce
from wangge.env import env_str
from wangge.grading import demo as grading_demo
from wangge.grids.models import Grid, GridType
from wangge.grids.services import grids_import_geojson
from wangge.registry import reference as registry_reference
from wangge.registry.figures import figures_rebuild
from wangge.registry.ledgers.organisations import import_organisations
from wangge.registry.ledgers.people import import_people
from wangge.registry.models import CareGroup, FacilityKind
from wangge.registry.services import (
    PlacedItem,
    buildings_create_located,
    facilities_create_located,
)
from wangge.workforce import reference as workforce_reference
from wangge.workforce.models import MustReportItem, Role, WorkItem

DEMO_USERNAME = "admin"
# Every demo account's password; demo only, never read by production settings.
DEMO_PASSWORD = env_str("WANGGE_DEMO_PASSWORD", "wangge-demo")
REASON = "演示数据初始化 (demo data)"


class DemoError(RuntimeError):
    """The generated demo did not pass the checks real data goes through."""


def demo_is_loaded() -> bool:
    return Grid.objects.exists()


def demo_load(*, progress: Callable[[str], None] = lambda message: None,
              with_cases: bool = True) -> dict[str, float]:
    """Build the synthetic Laocheng Street; returns the seconds each step took.
    `with_cases=False` leaves out the six years of case history (the test suite adds it
    only where a test asks for it)."""
    timings: dict[str, float] = {}
    started = step = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal step
        now = time.perf_counter()
        timings[name] = now - step
        step = now

    progress("生成老城街道网格边界 (generating boundaries)…")
    nodes = laocheng.generate()
    lap("generate_grids")
    with transaction.atomic():
        # Reference data normally comes with the migrations; a flushed database has none.
        registry_reference.seed(CareGroup, FacilityKind)
        workforce_reference.seed(Role, WorkItem, MustReportItem)
        cases_reference.seed(Category, LevelLimit, CalendarDay)
        for order, (code, name, description) in enumerate(laocheng.GRID_TYPES):
            GridType.objects.get_or_create(
                code=code, defaults={"name": name, "description": description,
                                     "sort_order": order},
            )
        progress(f"导入 {len(nodes)} 个网格节点 (importing grid tree)…")
        grids_import_geojson(data=laocheng.feature_collection(nodes), actor=None, reason=REASON)
        lap("grids")
    progress("生成人口、房屋、单位、部件 (generating population)…")
    pop = population.generate(population.micro_grids_from_db())
    lap("generate_population")
    with transaction.atomic():
        progress(f"登记 {len(pop.buildings)} 栋楼 (buildings)…")
        buildings_create_located(items=[
            PlacedItem(lon, lat, {"name": name}) for _code, name, lon, lat in pop.buildings
        ], actor=None, reason=REASON)
        lap("buildings")
        progress(f"导入实有人口台账 {len(pop.people_rows)} 行 (people ledger)…")
        report = import_people(rows=pop.people_rows, reason=REASON)
        if report.rejected:
            raise DemoError("; ".join(str(e) for e in report.errors[:5]))
        lap("people")
        progress(f"导入辖区单位台账 {len(pop.organisation_rows)} 行 (organisations)…")
        report = import_organisations(rows=pop.organisation_rows, reason=REASON)
        if report.rejected:
            raise DemoError("; ".join(str(e) for e in report.errors[:5]))
        kinds = dict(FacilityKind.objects.values_list("code", "pk"))
        facilities_create_located(items=[
            PlacedItem(lon, lat, {"kind_id": kinds[kind], "code": code, "condition": condition})
            for kind, code, lon, lat, condition in pop.facilities
        ], actor=None, reason=REASON)
        figures_rebuild()
        lap("organisations_facilities")
        progress("安排网格服务队伍、党组织和账号 (workforce, Party, accounts)…")
        workforce.load(password=DEMO_PASSWORD, reason=REASON)
        workforce.grant_officer_permissions()
        lap("workforce")
        channels_demo.load()
        if with_cases:
            progress("生成 2020 年以来的事件办理记录 (case history)…")
            demo_cases.load(progress=progress)
            lap("cases")
        progress("共建共治、活动联办、动态评级 (co-governance, activities, grading)…")
        cogovernance_demo.load(with_cases=with_cases)
        activities_demo.load(with_cases=with_cases)
        grading_demo.load(with_cases=with_cases)
        lap("governance")
        if with_cases:
            triage.train_demo()
            lap("triage")
        user_model = get_user_model()
        if not user_model.objects.filter(username=DEMO_USERNAME).exists():
            user_model.objects.create_superuser(DEMO_USERNAME, "", DEMO_PASSWORD)
    timings["total"] = time.perf_counter() - started
    return timings

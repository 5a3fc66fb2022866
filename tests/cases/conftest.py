import pytest

from tests.conftest import MICRO_A
from wangge.cases.choices import Source
from wangge.cases.models import Category
from wangge.cases.services import case_report
from wangge.grids.models import Grid


@pytest.fixture
def micro_a(laocheng) -> Grid:
    return Grid.objects.get(code=MICRO_A)


@pytest.fixture
def point_a(micro_a) -> tuple[float, float]:
    """A point inside micro-grid A."""
    from shapely.geometry import shape

    p = shape(micro_a.boundary).representative_point()
    return p.x, p.y


@pytest.fixture
def sanitation(laocheng) -> Category:
    return Category.objects.get(code="sanitation")


@pytest.fixture
def case_a(point_a, sanitation):
    """A resident's appeal in micro-grid A, just reported."""
    lon, lat = point_a
    return case_report(source=Source.ONLINE, category=sanitation, title="垃圾未清运",
                       description="楼下垃圾桶三天没有清运,气味很大。", lon=lon, lat=lat,
                       reporter_name="张三", reporter_phone="13800138000")

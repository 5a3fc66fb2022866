"""Fixtures of the console tests: a case in micro-grid B beside the shared `case_a`."""

import pytest
from shapely.geometry import shape

from tests.conftest import MICRO_B
from wangge.cases.choices import Source
from wangge.cases.services import case_report
from wangge.grids.models import Grid


@pytest.fixture
def case_b(laocheng, sanitation):
    """A resident's appeal in micro-grid B (another community), just reported."""
    p = shape(Grid.objects.get(code=MICRO_B).boundary).representative_point()
    return case_report(source=Source.ONLINE, category=sanitation, title="路灯不亮",
                       description="小区门口路灯坏了一周。", lon=p.x, lat=p.y,
                       reporter_name="李四", reporter_phone="13900139000")


@pytest.fixture
def login(client):
    """Log a user in on the test client and return the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login

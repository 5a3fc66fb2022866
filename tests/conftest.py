"""Shared fixtures. The Laocheng demo is loaded once per test database, through the same
services as real data; tests roll back around it."""

import pytest
from django.contrib.auth import get_user_model

from wangge.cases.choices import Source
from wangge.cases.models import Category
from wangge.cases.services import case_report
from wangge.demo.services import demo_is_loaded, demo_load
from wangge.grids.models import Grid


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_load(with_cases=False)


@pytest.fixture
def laocheng(db) -> Grid:
    """The demo street; reloaded if a transactional test has flushed the database."""
    if not demo_is_loaded():
        demo_load(with_cases=False)
    return Grid.objects.get(code="520302001")


@pytest.fixture
def street_admin(db):
    return get_user_model().objects.create_user(
        "test-superuser", password="pw-street-admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def outsider(db):
    return get_user_model().objects.create_user("outsider", password="pw-outsider")


# The fixed cast (STYLE.md): demo accounts of micro-grid A, its community, the street, and a
# worker of micro-grid B in the neighbouring community.
MICRO_A = "520302001001001001"
MICRO_B = "520302001002001001"


def _demo_user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def worker_a(laocheng):
    return _demo_user(f"worker-{MICRO_A}")


@pytest.fixture
def leader_a(laocheng):
    return _demo_user(f"leader-{MICRO_A}")


@pytest.fixture
def community_officer(laocheng):
    return _demo_user(f"community-{MICRO_A[:12]}")


@pytest.fixture
def street_staff(laocheng):
    return _demo_user("street-admin")


@pytest.fixture
def worker_b(laocheng):
    return _demo_user(f"worker-{MICRO_B}")


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """`force_login` skips the login form, and so the second factor too."""
    from django.test import Client

    from tests.helpers import mark_verified_for_tests

    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        mark_verified_for_tests(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_verified)


# --- cases ------------------------------------------------------------------------------


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

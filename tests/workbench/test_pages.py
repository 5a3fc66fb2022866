"""The must-report items and my micro-grid's file."""

import pytest

from tests.conftest import MICRO_A
from wangge.registry.models import Person
from wangge.workforce.models import MustReportItem

pytestmark = pytest.mark.django_db


def test_the_must_report_page_lists_the_items_with_a_report_link(client, worker_a):
    client.force_login(worker_a)
    page = client.get("/m/must-report").content.decode()
    items = list(MustReportItem.objects.all())
    assert len(items) == 8
    for item in items:
        assert item.title in page
    # The public-facility item leads to a report under a facilities category.
    assert "/m/report?category=" in page
    assert 'data-category="fire_hazard"' in page  # 有不安全隐患必报
    assert 'data-category="illegal_building"' in page  # 有违章建筑必报
    assert "专职网格员" in page  # the work items of the worker's role


def test_my_grid_shows_figures_and_people_with_masked_id_numbers_only(client, worker_a):
    client.force_login(worker_a)
    people = Person.objects.filter(micro_grid__code=MICRO_A, status="active") \
        .order_by("micro_grid__code", "household_id", "id")
    first = people.first()  # the first on the list
    assert len(first.id_number) == 18
    response = client.get("/m/grid")
    page = response.content.decode()
    assert response.status_code == 200
    assert first.name in page
    assert first.id_number not in page
    assert first.id_number[:6] + "********" + first.id_number[-4:] in page
    if first.phone:
        assert first.phone not in page
    assert f'data-figure="people">{people.count()}<' in page


def test_sensitive_care_groups_are_left_out(client, community_officer):
    person = Person.objects.filter(micro_grid__code__startswith=MICRO_A[:12], status="active",
                                   care_groups__sensitive=True).first()
    client.force_login(community_officer)
    page = client.get("/m/grid", {"q": person.name}).content.decode()
    assert person.name in page
    sensitive = list(person.care_groups.filter(sensitive=True))
    assert sensitive
    for group in sensitive:
        assert group.name not in page


def test_another_micro_grid_is_not_shown(client, worker_b):
    person = Person.objects.filter(micro_grid__code=MICRO_A, status="active").first()
    client.force_login(worker_b)
    page = client.get("/m/grid", {"grid": MICRO_A, "q": person.name}).content.decode()
    assert person.id_number[:6] + "********" + person.id_number[-4:] not in page

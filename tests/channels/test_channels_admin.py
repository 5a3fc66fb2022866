"""The street's channel settings in the admin."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.conftest import MICRO_A, MICRO_B
from wangge.channels.models import ApiClient, Door, HotlineMapping
from wangge.channels.services import api_client_for_key

pytestmark = pytest.mark.django_db


def test_adding_an_api_client_shows_its_key_once(client, street_admin):
    client.force_login(street_admin)
    response = client.post(reverse("admin:channels_apiclient_add"),
                           {"name": "区政务服务平台", "contact": "0851-28221234"}, follow=True)
    assert response.status_code == 200
    key = re.search(r"<code>([^<]+)</code>", response.content.decode()).group(1)
    created = ApiClient.objects.get(name="区政务服务平台")
    assert api_client_for_key(key) == created
    assert key not in created.key_hash and created.key_hint == key[-4:]
    # The change page never shows it again.
    page = client.get(reverse("admin:channels_apiclient_change", args=[created.pk]))
    assert key not in page.content.decode()


@pytest.fixture
def staff_leader_a(leader_a):
    """Grid leader of A given admin access to doors and events."""
    leader_a.is_staff = True
    leader_a.save()
    leader_a.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_door", "change_door", "add_door", "view_accessevent"]))
    return leader_a


def test_staff_see_and_add_doors_only_in_their_grids(client, staff_leader_a):
    client.force_login(staff_leader_a)
    page = client.get(reverse("admin:channels_door_changelist")).content.decode()
    assert f"DOOR-{MICRO_A}-1" in page and f"DOOR-{MICRO_B}-1" not in page
    door_b = Door.objects.get(code=f"DOOR-{MICRO_B}-1")
    response = client.get(reverse("admin:channels_door_change", args=[door_b.pk]))
    assert response.status_code == 302  # "not found" in the admin: back to the index
    micro_b = door_b.micro_grid
    response = client.post(reverse("admin:channels_door_add"), {
        "code": "DOOR-NEW", "name": "新门禁", "micro_grid": micro_b.pk, "active": "on"})
    assert response.status_code == 200 and not Door.objects.filter(code="DOOR-NEW").exists()


def test_access_events_are_read_only(client, staff_leader_a):
    client.force_login(staff_leader_a)
    assert client.get(reverse("admin:channels_accessevent_changelist")).status_code == 200
    assert client.get(reverse("admin:channels_accessevent_add")).status_code == 403


def test_a_mapping_without_the_required_columns_is_not_saved(client, street_admin):
    client.force_login(street_admin)
    response = client.post(reverse("admin:channels_hotlinemapping_add"), {
        "name": "坏格式", "columns": '{"description": "内容", "nonsense": "X"}',
        "category_names": '{"市容": "no-such-code"}'})
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.non_field_errors())
    assert "external_id" in errors and "nonsense" in errors and "no-such-code" in errors
    assert not HotlineMapping.objects.filter(name="坏格式").exists()

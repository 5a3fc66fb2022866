import datetime

import pytest
from django.db import IntegrityError, transaction

from tests.conftest import MICRO_A
from wangge.grids.models import Grid
from wangge.workforce import selectors, services
from wangge.workforce.models import Assignment, PartyOrg, Role, Worker

pytestmark = pytest.mark.django_db


def test_every_demo_micro_grid_has_exactly_one_leader(laocheng):
    assert not selectors.micro_grids_without_leader(code="520302001").exists()
    leaders = Assignment.objects.current().filter(is_leader=True,
                                                  grid__code__startswith="520302001")
    assert leaders.count() == 885


def test_the_database_refuses_a_second_current_leader(laocheng):
    micro = Grid.objects.get(code=MICRO_A)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(worker=Worker.objects.create(name="冒名网格长"), grid=micro,
                                  role=Role.objects.get(code="grid_leader"), is_leader=True,
                                  started_on=datetime.date(2026, 1, 1))


def test_a_new_leader_replaces_the_old_one_with_history(laocheng):
    micro = Grid.objects.get(code=MICRO_A)
    role = Role.objects.get(code="grid_leader")
    newcomer = Worker.objects.create(name="新网格长")
    with pytest.raises(services.WorkforceError):
        services.assignment_start(worker=newcomer, grid=micro, role=role,
                                  started_on=datetime.date(2026, 6, 1), actor=None)
    services.assignment_start(worker=newcomer, grid=micro, role=role,
                              started_on=datetime.date(2026, 6, 1), actor=None,
                              replace_leader=True)
    leader = Assignment.objects.get(grid=micro, is_leader=True, ended_on__isnull=True)
    assert leader.worker == newcomer
    old = Assignment.objects.filter(grid=micro, is_leader=True).exclude(pk=leader.pk).get()
    assert old.ended_on == datetime.date(2026, 5, 31)
    assert old.history.count() == 2


def test_only_part_time_workers_have_the_four_duties(laocheng):
    micro = Grid.objects.get(code=MICRO_A)
    with pytest.raises(services.WorkforceError):
        services.assignment_start(worker=Worker.objects.create(name="某人"), grid=micro,
                                  role=Role.objects.get(code="full_time"),
                                  started_on=datetime.date(2026, 1, 1), actor=None,
                                  duties=["mediator"])


def test_the_party_organisation_reproduces_the_seed(laocheng):
    counts = {level: PartyOrg.objects.filter(level=level).count()
              for level in ("general_branch", "grid_branch", "building_group",
                            "centre_household")}
    assert counts["general_branch"] == 7
    assert counts["grid_branch"] == 15
    assert counts["building_group"] == 30
    assert counts["centre_household"] >= 300
    centre = PartyOrg.objects.filter(level="centre_household").select_related("household").first()
    assert centre.household.members.filter(political_status="party_member").exists()


def test_the_public_board_needs_no_login_and_prints_with_a_qr_code(client, laocheng):
    page = client.get(f"/board/{MICRO_A}/")
    assert page.status_code == 200
    html = page.content.decode()
    board = selectors.board(micro_grid=Grid.objects.get(code=MICRO_A))
    assert board.leader is not None and board.leader.name in html
    assert board.leader.phone in html
    assert "网格长" in html and board.must_report[0].title in html
    printed = client.get(f"/board/{MICRO_A}/print").content.decode()
    assert "<svg" in printed and board.leader.name in printed
    assert "信息采集" in printed  # the services the team offers
    # No personal data of residents on a public page.
    assert "公民身份号码" not in html


def test_a_resident_finds_their_board_by_address(client, laocheng):
    from wangge.registry.models import Building

    building = Building.objects.filter(micro_grid__code=MICRO_A).first()
    page = client.get("/board/", {"q": building.name})
    assert f"/board/{MICRO_A}/" in page.content.decode()
    assert client.get("/board/999/").status_code == 404


def test_a_worker_sees_their_duties(client, worker_a):
    client.force_login(worker_a)
    html = client.get("/me/").content.decode()
    assert "专职网格员" in html and "信息采集" in html and "有不安全隐患必报" in html

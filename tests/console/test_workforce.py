"""The workforce and Party organisation of the user's grids."""

import pytest

from tests.conftest import MICRO_A, MICRO_B
from wangge.workforce.models import Assignment, PartyOrg

pytestmark = pytest.mark.django_db


def test_the_community_officer_sees_the_community_team(login, community_officer):
    client = login(community_officer)
    response = client.get("/console/workforce")
    page = response.content.decode()
    assert response.status_code == 200
    for a in Assignment.objects.current().filter(grid__code=MICRO_A[:12]).select_related(
            "worker"):
        assert a.worker.name in page[page.index('id="team"'):]
    general = PartyOrg.objects.get(grid__code=MICRO_A[:12], level="general_branch")
    assert general.name in page[page.index('id="party"'):]
    assert f'data-code="{MICRO_A[:15]}"' in page  # the grids below, each a line


def test_a_micro_grid_shows_its_leader_and_board(login, community_officer):
    page = login(community_officer).get(f"/console/workforce/{MICRO_A}").content.decode()
    leader = Assignment.objects.current().get(grid__code=MICRO_A, is_leader=True)
    assert leader.worker.name in page and f'href="/board/{MICRO_A}/"' in page


def test_micro_grids_without_a_leader_are_named(login, community_officer):
    from django.utils import timezone

    leader = Assignment.objects.current().get(grid__code=MICRO_A, is_leader=True)
    Assignment.objects.filter(pk=leader.pk).update(ended_on=timezone.localdate()
                                                   - timezone.timedelta(days=1))
    page = login(community_officer).get(f"/console/workforce/{MICRO_A[:15]}").content.decode()
    section = page[page.index('id="leaderless"'):page.index('id="party"')]
    assert f'href="/console/workforce/{MICRO_A}"' in section


def test_another_community_is_not_found(login, community_officer):
    assert login(community_officer).get(f"/console/workforce/{MICRO_B}").status_code == 404


def test_a_long_list_of_micro_grids_without_a_leader_is_cut_and_counted(login, street_admin):
    import re

    from django.utils import timezone

    from wangge.console.selectors import LEADERLESS_SHOWN

    Assignment.objects.current().filter(is_leader=True, grid__code__startswith="520302001") \
        .update(ended_on=timezone.localdate() - timezone.timedelta(days=1))
    from django.conf import settings

    client = login(street_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/console/workforce/520302001").content.decode()
    section = page[page.index('id="leaderless"'):page.index('id="party"')]
    assert section.count('href="/console/workforce/') == LEADERLESS_SHOWN
    assert "(885 in all" in section
    counts = re.findall(r'<span class="chip chip-bad">(\d+)</span>', page)
    assert sum(int(n) for n in counts) == 885  # the communities' lines add up

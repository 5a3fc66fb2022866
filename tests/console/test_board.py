"""The case board (案件): what each user sees, the filters, and bulk dispatch."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import MICRO_A
from wangge.cases.choices import Action, Source, Status
from wangge.cases.models import Case
from wangge.cases.services import case_act, case_report
from wangge.grids.models import Grid
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db


def codes_on_page(response) -> set[str]:
    """Tracking codes of the board's rows."""
    import re

    return set(re.findall(r'<tr data-code="([0-9A-Z]{10})"', response.content.decode()))


def test_a_community_officer_sees_cases_of_their_community_only(login, community_officer,
                                                                 case_a, case_b):
    client = login(community_officer)
    response = client.get("/console/")
    assert response.status_code == 200
    assert case_a.tracking_code in codes_on_page(response)
    assert case_b.tracking_code not in codes_on_page(response)
    # Not even when asked for by its code, with every status.
    response = client.get("/console/", {"state": "all", "q": case_b.tracking_code})
    assert codes_on_page(response) == set()
    assert 'id="board-empty"' in response.content.decode()


def test_a_worker_of_b_sees_b_but_not_a(login, worker_b, case_a, case_b):
    response = login(worker_b).get("/console/", {"state": "all"})
    codes = codes_on_page(response)
    assert case_b.tracking_code in codes and case_a.tracking_code not in codes
    assert all(c.grid.code.startswith("520302001002001001")
               for c in Case.objects.filter(tracking_code__in=codes).select_related("grid"))


def test_the_status_filter_narrows_the_table(login, community_officer, case_a, leader_a):
    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)
    client = login(community_officer)
    assert case_a.tracking_code in codes_on_page(client.get("/console/", {"state": "accepted"}))
    assert case_a.tracking_code not in codes_on_page(
        client.get("/console/", {"state": "reported"}))
    assert case_a.tracking_code not in codes_on_page(
        client.get("/console/", {"state": "finished"}))
    accepted = codes_on_page(client.get("/console/", {"state": "accepted"}))
    assert set(Case.objects.filter(tracking_code__in=accepted)
               .values_list("status", flat=True)) == {Status.ACCEPTED}


def test_overdue_only_shows_cases_past_their_level_limit(login, community_officer, case_a,
                                                         micro_a, sanitation):
    late = case_report(source=Source.PATROL, category=sanitation, title="积水三天",
                       description="楼道口积水三天未处理。", grid=micro_a,
                       reported_at=timezone.now() - dt.timedelta(days=20))
    client = login(community_officer)
    overdue = codes_on_page(client.get("/console/", {"overdue": "on", "state": "all"}))
    assert late.tracking_code in overdue and case_a.tracking_code not in overdue
    now = timezone.now()
    assert all(c.level_due_at < now for c in Case.objects.filter(tracking_code__in=overdue))
    page = client.get("/console/", {"overdue": "on", "state": "all"}).content.decode()
    assert "chip chip-bad" in page  # the time-left column says it is overdue


def test_a_line_of_work_includes_its_categories(login, community_officer, case_a):
    client = login(community_officer)
    line = case_a.category.parent.code
    assert case_a.tracking_code in codes_on_page(client.get("/console/", {"category": line}))
    assert case_a.tracking_code in codes_on_page(
        client.get("/console/", {"category": "sanitation"}))
    assert case_a.tracking_code not in codes_on_page(
        client.get("/console/", {"category": "public_order"}))


def test_the_place_filter_lists_only_the_users_grids(login, community_officer, case_a):
    client = login(community_officer)
    page = client.get("/console/").content.decode()
    assert 'value="520302001001"' in page  # the officer's community
    assert 'value="520302001002"' not in page  # the neighbouring one
    response = client.get("/console/", {"grid": "520302001002"})
    assert response.status_code == 200
    assert "error" in response.content.decode()  # not a choice: said so, nothing breaks
    grid = client.get("/console/", {"grid": MICRO_A[:15]})
    assert case_a.tracking_code in codes_on_page(grid)


def test_a_bad_date_is_explained_and_kept(login, community_officer, case_a):
    response = login(community_officer).get("/console/", {"reported_from": "2025-13-40"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="2025-13-40"' in page
    assert 'class="error"' in page


def test_a_filter_change_through_htmx_returns_the_table_alone(login, community_officer,
                                                             case_a):
    response = login(community_officer).get("/console/", {"state": "reported"},
                                            HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="board-table"' in page
    assert case_a.tracking_code in codes_on_page(response)
    assert response["Vary"].lower().count("hx-request") == 1


def test_bulk_dispatch_reports_each_case(login, community_officer, leader_a, case_a,
                                         micro_a, sanitation):
    other = case_report(source=Source.PATROL, category=sanitation, title="垃圾满溢",
                        description="垃圾桶满溢。", grid=micro_a)
    stale = case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)  # version 2
    case_act(case=stale, action=Action.COMMENT, actor=leader_a, note="已电话联系")  # 3
    handler = Worker.objects.get(user__username=f"worker-{MICRO_A}")
    client = login(community_officer)
    response = client.post("/console/dispatch", {
        "case": [f"{case_a.tracking_code}:2", f"{other.tracking_code}:{other.version}"],
        "handler": handler.pk, "plan": "联系环卫所清运", "participants": "网格长、网格员",
        "query": "state=all",
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-code="{case_a.tracking_code}" data-outcome="changed"' in page
    assert f'data-code="{other.tracking_code}" data-outcome="done"' in page
    case_a.refresh_from_db()
    other.refresh_from_db()
    # The stale one is untouched; the other was accepted and dispatched, both on its timeline.
    assert case_a.status == Status.ACCEPTED and case_a.handler is None
    assert case_a.discussions.count() == 0
    assert other.status == Status.DISPATCHED and other.handler == handler
    assert [s.action for s in other.steps.order_by("seq")] == ["report", "accept", "dispatch"]
    assert other.discussions.get().plan == "联系环卫所清运"


def test_bulk_dispatch_needs_a_plan_and_a_choice_and_keeps_the_input(login, community_officer,
                                                                     case_a):
    client = login(community_officer)
    response = client.post("/console/dispatch", {
        "case": [f"{case_a.tracking_code}:{case_a.version}"], "handling_unit": "",
        "plan": "", "participants": "王五"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="王五"' in page
    assert page.count('class="error"') >= 2  # no plan, no handler or unit
    case_a.refresh_from_db()
    assert case_a.status == Status.REPORTED
    nothing = client.post("/console/dispatch", {"handling_unit": "街道环卫所", "plan": "清运"})
    assert nothing.status_code == 400 and "msg-error" in nothing.content.decode()


def test_bulk_dispatch_cannot_touch_a_case_outside_the_users_grids(login, community_officer,
                                                                  case_b):
    response = login(community_officer).post("/console/dispatch", {
        "case": [f"{case_b.tracking_code}:{case_b.version}"], "handling_unit": "城管中队",
        "plan": "清理"})
    assert f'data-code="{case_b.tracking_code}" data-outcome="missing"' in \
        response.content.decode()
    case_b.refresh_from_db()
    assert case_b.status == Status.REPORTED


@pytest.fixture
def many_cases(laocheng, leader_a, sanitation):
    """55 cases in several micro-grids of community A, a third dispatched to a handler."""
    from wangge.cases.models import Category

    grids = list(Grid.objects.micro_grids().filter(code__startswith=MICRO_A[:12])
                 .order_by("code")[:5])
    categories = [sanitation, *Category.objects.filter(parent__isnull=False)
                  .exclude(pk=sanitation.pk).order_by("code")[:3]]
    handler = Worker.objects.get(user__username=f"worker-{MICRO_A}")
    cases = []
    for i in range(55):
        case = case_report(source=Source.PATROL, category=categories[i % len(categories)],
                           title=f"巡查发现问题{i}", description="巡查发现的问题。",
                           grid=grids[i % len(grids)])
        if i % 3 == 0 and case.grid.code == MICRO_A:
            case = case_act(case=case, action=Action.ACCEPT, actor=leader_a)
            case = case_act(case=case, action=Action.DISPATCH, actor=leader_a,
                            handler=handler, plan="现场处理")
        cases.append(case)
    return cases


def test_the_board_with_50_rows_runs_no_query_per_row(login, community_officer, many_cases,
                                                      django_assert_max_num_queries):
    client = login(community_officer)
    client.get("/console/", {"state": "all"})  # warm up sessions and caches
    with django_assert_max_num_queries(20):
        response = client.get("/console/", {"state": "all"})
    assert len(codes_on_page(response)) == 50
    assert "现场处理" not in response.content.decode()  # rows, not case pages
    with django_assert_max_num_queries(15):
        response = client.get("/console/", {"state": "all", "page": 2},
                              HTTP_HX_REQUEST="true")
    assert len(codes_on_page(response)) >= 5


def test_the_outsider_sees_an_empty_state(login, outsider, case_a):
    for url in ("/console/", "/console/map", "/console/levels", "/console/workforce",
                "/console/registry"):
        response = login(outsider).get(url)
        assert response.status_code == 200, url
        assert 'id="no-scope"' in response.content.decode(), url
    assert login(outsider).post("/console/dispatch", {
        "case": [f"{case_a.tracking_code}:1"], "handling_unit": "x", "plan": "y"}
    ).status_code == 200
    case_a.refresh_from_db()
    assert case_a.status == Status.REPORTED


def test_the_board_needs_a_login(client):
    response = client.get("/console/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_place_column_and_links(login, community_officer, case_a):
    page = login(community_officer).get("/console/").content.decode()
    assert f'href="/console/cases/{case_a.tracking_code}"' in page
    assert Grid.objects.get(code=MICRO_A).name in page


def test_bulk_dispatch_through_htmx_answers_with_the_board_body(login, community_officer,
                                                                case_a):
    client = login(community_officer)
    response = client.post("/console/dispatch", {
        "case": [f"{case_a.tracking_code}:{case_a.version}"], "handling_unit": "街道环卫所",
        "plan": "联系清运", "query": "state=all"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert 'id="dispatch-outcomes"' in page and 'id="bulk-dispatch"' in page
    assert f'<tr data-code="{case_a.tracking_code}" data-status="dispatched"' in page
    refused = client.post("/console/dispatch", {"plan": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and 'id="bulk-dispatch"' in refused.content.decode()


def test_the_place_filter_stops_at_a_tier_that_would_make_it_too_long(street_admin, laocheng,
                                                                       monkeypatch):
    from wangge.console import selectors

    full = selectors.place_choices(user=street_admin)
    assert len(full) == 1 + 7 + 51  # the street, its communities and grids
    monkeypatch.setattr(selectors, "PLACE_CHOICES_MAX", 20)
    short = selectors.place_choices(user=street_admin)
    assert [len(code) for code, _name in short] == [9] + [12] * 7
    grid = "520302001001001"
    assert grid in dict(selectors.place_choices(user=street_admin, selected=grid))
    assert "520399001001001" not in dict(
        selectors.place_choices(user=street_admin, selected="520399001001001"))

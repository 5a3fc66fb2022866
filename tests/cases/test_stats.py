"""Case figures: the rates of docs/metrics.md on a hand-built month of cases, the
precomputed tables against a rebuild, groupings, rankings, scope and the public figures."""

import datetime as dt
from fractions import Fraction

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from tests.conftest import MICRO_A, MICRO_B
from wangge.cases import stats
from wangge.cases.choices import Action, Outcome, Source
from wangge.cases.models import (
    CaseCommunityMonthFigures,
    CaseDayFigures,
    CaseMonthFigures,
    Category,
)
from wangge.cases.services import case_act, case_report
from wangge.grids.models import Grid

pytestmark = pytest.mark.django_db

URL = "/api/stats/cases"
RANKING = "/api/stats/cases/ranking"
MARCH = {"from": "2019-03-01", "to": "2019-03-31"}
COMMUNITY_A, COMMUNITY_B = MICRO_A[:12], MICRO_B[:12]


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in March 2019 (4 March is a Monday), local time."""
    return dt.datetime(2019, 3, day, hour, minute, tzinfo=timezone.get_default_timezone())


def report(grid: Grid, category: Category, day: int, *, source=Source.ONLINE, actor=None):
    return case_report(source=source, category=category, title="测试事件",
                       description="统计测试用的事件。", grid=grid, actor=actor,
                       reported_at=at(day, 9, 30))


def act(case, action, actor, moment, **params):
    return case_act(case=case, action=action, actor=actor, at=moment, **params)


@pytest.fixture
def month(micro_a, sanitation, worker_a, leader_a, community_officer):
    """A hand-built March 2019 in micro-grid A (each case's story in its comment), plus a
    case in another grid of community A and two in micro-grid B. Sanitation cases must be
    accepted within 4 working hours and handled within 2 working days."""
    assert stats.case_figures(grid=micro_a.parent.parent.parent, date_from=dt.date(2019, 3, 1),
                              date_to=dt.date(2019, 3, 31))["totals"]["counts"]["received"] == 0
    handler_a, officer = worker_a.worker, community_officer.worker
    lamp = Category.objects.get(code="street_lamp")
    cases = {}
    # c1: accepted in time, dispatched, closed on time, rated satisfied.
    c = report(micro_a, sanitation, 4)
    act(c, Action.ACCEPT, leader_a, at(4, 10))
    act(c, Action.DISPATCH, leader_a, at(4, 10, 5), handler=handler_a, plan="清运")
    act(c, Action.START, worker_a, at(4, 11))
    act(c, Action.HANDLE, worker_a, at(5, 10), result="已清运")
    act(c, Action.CLOSE, leader_a, at(5, 11))
    cases["c1"] = act(c, Action.EVALUATE, None, at(5, 15), evaluation="satisfied")
    # c2: accepted late (next day), handled on the spot a week later: late, only explained.
    c = report(micro_a, sanitation, 4)
    act(c, Action.ACCEPT, leader_a, at(5, 10))
    cases["c2"] = act(c, Action.HANDLE_ON_SPOT, worker_a, at(11, 10), result="已解释",
                      outcome=Outcome.EXPLAINED)
    # c3: declined within the response limit.
    c = report(micro_a, sanitation, 4)
    cases["c3"] = act(c, Action.DECLINE, leader_a, at(4, 11), note="不属于受理范围")
    # c4: a duplicate of c1, merged: counted nowhere.
    c = report(micro_a, sanitation, 5)
    cases["c4"] = act(c, Action.MARK_DUPLICATE, leader_a, at(5, 10),
                      duplicate_of=cases["c1"])
    # c5: sent back for rework once, then closed on time.
    c = report(micro_a, sanitation, 6)
    act(c, Action.ACCEPT, leader_a, at(6, 9, 40))
    act(c, Action.DISPATCH, leader_a, at(6, 9, 45), handler=handler_a, plan="清运")
    act(c, Action.HANDLE, worker_a, at(6, 11), result="已清运")
    act(c, Action.REWORK, leader_a, at(6, 14), note="没有清理干净")
    act(c, Action.HANDLE, worker_a, at(7, 10), result="已清理干净")
    cases["c5"] = act(c, Action.CLOSE, leader_a, at(7, 11))
    # c6: raised to the community, which dispatches and closes it on time.
    c = report(micro_a, sanitation, 6)
    act(c, Action.RAISE, leader_a, at(6, 10), note="需要社区协调")
    act(c, Action.DISPATCH, community_officer, at(6, 11), handler=officer, plan="协调")
    act(c, Action.HANDLE, community_officer, at(7, 10), result="已协调")
    cases["c6"] = act(c, Action.CLOSE, community_officer, at(7, 11))
    # c7: handled on the spot, reopened by a dissatisfied reporter, closed again; not re-rated.
    c = report(micro_a, sanitation, 7)
    act(c, Action.HANDLE_ON_SPOT, worker_a, at(7, 10), result="已处理")
    act(c, Action.REOPEN, None, at(7, 15), evaluation="dissatisfied")
    act(c, Action.HANDLE, worker_a, at(8, 10), result="重新处理")
    cases["c7"] = act(c, Action.CLOSE, leader_a, at(8, 11))
    # c8: never touched: open, and long overdue.
    cases["c8"] = report(micro_a, sanitation, 7)
    # c9: a street lamp the worker found on patrol and fixed on the spot.
    c = report(micro_a, lamp, 8, source=Source.PATROL, actor=worker_a)
    cases["c9"] = act(c, Action.HANDLE_ON_SPOT, worker_a, at(8, 10), result="已修复")
    # Elsewhere in community A: one declined case in another grid.
    other = (Grid.objects.micro_grids().filter(code__startswith=COMMUNITY_A)
             .exclude(code__startswith=MICRO_A[:15]).order_by("code").first())
    c = report(other, sanitation, 5)
    cases["a2"] = act(c, Action.DECLINE, None, at(5, 10), note="重复反映")
    # Micro-grid B (community B): one closed on the spot, one open.
    micro_b = Grid.objects.get(code=MICRO_B)
    c = report(micro_b, sanitation, 5)
    cases["b1"] = act(c, Action.HANDLE_ON_SPOT, None, at(5, 10), result="已处理")
    cases["b2"] = report(micro_b, sanitation, 12)
    return cases


def get(client, user, url=URL, **params):
    client.force_login(user)
    return client.get(url, params)


def value(rate: dict) -> Fraction | None:
    return Fraction(rate["numerator"], rate["denominator"]) if rate["denominator"] else None


def test_rates_of_a_hand_built_month_match_the_definitions(client, month, worker_a):
    response = get(client, worker_a, **MARCH)
    assert response.status_code == 200
    body = response.json()
    assert body["grid"]["code"] == MICRO_A  # a worker's default: their micro-grid
    counts, rates = body["totals"]["counts"], body["totals"]["rates"]
    # c1–c9 without the merged c4.
    assert counts["received"] == 8
    assert counts["declined"] == 1 and counts["accepted"] == 7
    assert counts["closed"] == 6  # c1 (evaluated), c2, c5, c6, c7, c9
    assert counts["open"] == 1 and counts["overdue"] == 1  # c8
    assert counts["by_status"] == {"reported": 1, "accepted": 0, "dispatched": 0,
                                   "in_progress": 0, "handled": 0, "closed": 5,
                                   "evaluated": 1, "deferred": 0, "declined": 1}
    assert counts["open_by_level"] == {"grid": 1, "community": 0, "street": 0}
    expected = {
        "closure_rate": Fraction(6, 7),
        "on_time_rate": Fraction(5, 6),  # all but c2
        "response_rate": Fraction(6, 8),  # all but c2 (late) and c8 (never)
        "resolution_rate": Fraction(5, 6),  # all but c2 (explained)
        "satisfaction_rate": Fraction(1, 2),  # c1 satisfied, c7 still dissatisfied
        "rework_rate": Fraction(2, 6),  # c5, c7
        "in_grid_rate": Fraction(5, 6),  # all but c6 (raised)
    }
    assert {name: value(rates[name]) for name in expected} == expected
    assert rates["closure_rate"]["value"] == 0.8571
    assert rates["rework_rate"]["value"] == 0.3333


def test_a_rate_without_cases_is_null(client, month, worker_a):
    body = get(client, worker_a, **{"from": "2019-02-01", "to": "2019-02-28"}).json()
    assert body["totals"]["counts"]["received"] == 0
    assert body["totals"]["rates"]["closure_rate"] == {"value": None, "numerator": 0,
                                                      "denominator": 0}


def _table(model, *key):
    rows = [model_to_dict(row, exclude=["id"]) for row in model.objects.all()]
    rows = [r for r in rows if any(r[name] for name in stats.COUNTERS)]
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in key))


def test_a_rebuild_gives_exactly_the_incrementally_kept_tables(client, month, worker_a):
    day = _table(CaseDayFigures, "day", "grid_code", "category", "source", "handler")
    by_month = _table(CaseMonthFigures, "month", "grid_code")
    by_community = _table(CaseCommunityMonthFigures, "month", "grid_code")
    assert day and by_month and by_community
    assert {len(r["grid_code"]) for r in by_community} == {12}
    before = get(client, worker_a, **MARCH, by="category").json()
    stats.rebuild()
    assert _table(CaseDayFigures, "day", "grid_code", "category", "source", "handler") == day
    assert _table(CaseMonthFigures, "month", "grid_code") == by_month
    assert _table(CaseCommunityMonthFigures, "month", "grid_code") == by_community
    assert get(client, worker_a, **MARCH, by="category").json() == before


def _sum(rows: list[dict]) -> dict:
    total: dict = {}
    for row in rows:
        for name, n in row["counts"].items():
            if isinstance(n, dict):
                inner = total.setdefault(name, {})
                for k, m in n.items():
                    inner[k] = inner.get(k, 0) + m
            else:
                total[name] = total.get(name, 0) + n
    return total


@pytest.mark.parametrize("by", ["month", "category", "source", "worker", "micro_grid"])
def test_rows_sum_to_the_totals(client, month, leader_a, by):
    body = get(client, leader_a, **MARCH, by=by).json()
    assert body["rows"] and _sum(body["rows"]) == body["totals"]["counts"]


def test_groupings_say_what_each_row_is(client, month, worker_a, sanitation):
    rows = {r["key"]: r for r in get(client, worker_a, **MARCH, by="source").json()["rows"]}
    assert rows["online"]["counts"]["received"] == 7 and rows["patrol"]["counts"]["received"] == 1
    rows = {r["key"]: r for r in get(client, worker_a, **MARCH, by="category").json()["rows"]}
    assert rows["sanitation"]["label"] == sanitation.name
    assert rows["street_lamp"]["counts"]["closed"] == 1
    # The handler after the last move: c1 and c5 worker A's, c6 the community officer's.
    rows = {r["key"]: r for r in get(client, worker_a, **MARCH, by="worker").json()["rows"]}
    mine = rows[str(worker_a.worker.pk)]
    assert mine["label"] == worker_a.worker.name and mine["counts"]["received"] == 2
    assert rows[""]["counts"]["received"] == 5
    # Every month of the period is a row, with or without cases.
    body = get(client, worker_a, **{"from": "2019-02-10", "to": "2019-04-05"},
               by="month").json()
    assert [r["key"] for r in body["rows"]] == ["2019-02", "2019-03", "2019-04"]
    assert [r["counts"]["received"] for r in body["rows"]] == [0, 8, 0]


def test_whole_months_partial_months_and_filters_agree(client, month, worker_a):
    march = get(client, worker_a, **MARCH).json()["totals"]
    # Edge days from the day table, March from the month table.
    wider = get(client, worker_a, **{"from": "2019-02-20", "to": "2019-04-10"}).json()["totals"]
    assert wider == march
    # A line of work includes its categories (the day table).
    line = get(client, worker_a, **MARCH, category="civility_hygiene").json()["totals"]
    assert line["counts"]["received"] == 7 and line["counts"]["closed"] == 5
    # Days 6–7: c5, c6, c7, c8.
    days = get(client, worker_a, **{"from": "2019-03-06", "to": "2019-03-07"}).json()
    assert days["totals"]["counts"]["received"] == 4
    assert days["totals"]["counts"]["by_status"]["closed"] == 3


def test_a_parents_figures_are_the_sum_of_its_childrens(client, month, street_staff):
    community = get(client, street_staff, **MARCH, grid=COMMUNITY_A, by="grid").json()
    assert community["totals"]["counts"]["received"] == 9  # micro-grid A's 8 and a2
    assert _sum(community["rows"]) == community["totals"]["counts"]
    street = get(client, street_staff, **MARCH, by="community").json()
    assert street["grid"]["code"] == "520302001"
    assert len(street["rows"]) == 7
    assert _sum(street["rows"]) == street["totals"]["counts"]
    assert street["totals"]["counts"]["received"] == 11
    rows = {r["key"]: r for r in street["rows"]}
    assert rows[COMMUNITY_A]["counts"] == community["totals"]["counts"]


def test_the_community_roll_up_answers_as_the_micro_grid_months_do(client, month,
                                                                    street_staff):
    """A street by community over whole months reads the community roll-up; the same
    question by grid (finer than a community) reads the micro-grid months: both add up."""
    by_community = get(client, street_staff, **MARCH, by="community").json()
    by_grid = get(client, street_staff, **MARCH, by="grid").json()
    assert by_community["totals"] == by_grid["totals"]
    CaseCommunityMonthFigures.objects.all().delete()  # now the roll-up says nothing
    emptied = get(client, street_staff, **MARCH, by="community").json()
    assert emptied["totals"]["counts"]["received"] == 0
    assert get(client, street_staff, **MARCH, by="grid").json()["totals"] == by_grid["totals"]


def test_two_groupings_nest(client, month, street_staff):
    body = get(client, street_staff, **{"from": "2019-01-01", "to": "2019-12-31"},
               by="community,month").json()
    rows = {r["key"]: r for r in body["rows"]}
    months = rows[COMMUNITY_B]["rows"]
    assert len(months) == 12
    assert months[2]["key"] == "2019-03" and months[2]["counts"]["received"] == 2
    assert _sum(months) == rows[COMMUNITY_B]["counts"]


def test_ranking_orders_communities_by_the_rate(client, month, street_staff):
    body = get(client, street_staff, RANKING, **MARCH, level="community",
               rate="closure_rate").json()
    ranked = [(r["rank"], r["code"]) for r in body["rows"]]
    # A: 6 closed of 7 accepted (a2 declined); B: 1 of 2.
    assert ranked[:2] == [(1, COMMUNITY_A), (2, COMMUNITY_B)]
    assert all(rank is None for rank, _code in ranked[2:]) and len(ranked) == 7
    assert body["rows"][0]["value"] == 0.8571
    # Less rework is better: B (none) before A (2 of 6).
    body = get(client, street_staff, RANKING, **MARCH, level="community",
               rate="rework_rate").json()
    assert [r["code"] for r in body["rows"][:2]] == [COMMUNITY_B, COMMUNITY_A]
    grids = get(client, street_staff, RANKING, **MARCH, grid=COMMUNITY_A, level="grid").json()
    assert grids["rows"][0]["code"] == MICRO_A[:15] and grids["rows"][0]["rank"] == 1


def test_ranking_needs_a_grid_above_the_level(client, month, worker_a):
    assert get(client, worker_a, RANKING, **MARCH, level="grid").status_code == 400


def test_figures_stay_within_the_users_part_of_the_tree(client, month, worker_b, outsider,
                                                        community_officer):
    assert get(client, worker_b, **MARCH, grid=MICRO_A).status_code == 404
    assert get(client, worker_b, RANKING, **MARCH, grid=COMMUNITY_A,
               level="grid").status_code == 404
    mine = get(client, worker_b, **MARCH).json()
    assert mine["grid"]["code"] == MICRO_B and mine["totals"]["counts"]["received"] == 2
    assert get(client, outsider, **MARCH).status_code == 404
    assert get(client, outsider, **MARCH, grid=MICRO_A).status_code == 404
    assert get(client, outsider, RANKING, **MARCH).status_code == 404
    assert get(client, community_officer, **MARCH, grid="520302001").status_code == 404
    assert get(client, community_officer, **MARCH).json()["grid"]["code"] == COMMUNITY_A
    client.logout()
    assert client.get(URL, MARCH).status_code in (401, 403)


def test_bad_queries_are_refused(client, month, worker_a):
    assert get(client, worker_a, **{"from": "2019-04-01", "to": "2019-03-01"}).status_code == 400
    assert get(client, worker_a, **MARCH, by="weather").status_code == 400
    assert get(client, worker_a, **MARCH, by="community").status_code == 400  # below it


def test_public_figures_need_no_login_and_show_only_the_street(client, laocheng, micro_a,
                                                               sanitation, worker_a):
    before = client.get("/api/stats/public").json()
    today = timezone.localdate()
    case = case_report(source=Source.ONLINE, category=sanitation, title="公开统计",
                       description="测试。", grid=micro_a)
    case_act(case=case, action=Action.HANDLE_ON_SPOT, actor=worker_a, result="已处理")
    case_act(case=case, action=Action.EVALUATE, actor=None, evaluation="basically")
    case_report(source=Source.PATROL, category=sanitation, title="巡查", description="测试。",
                grid=micro_a, actor=worker_a)  # not an appeal: not counted
    response = client.get("/api/stats/public")
    assert response.status_code == 200
    body = response.json()
    assert body["since"] == "2020-01-01" and body["to"] == today.isoformat()
    [street] = body["streets"]
    [old] = before["streets"]
    assert set(street) == {"code", "name", "received", "closed", "closure_rate",
                           "satisfaction_rate"}
    assert street["code"] == "520302001"
    assert street["received"] == old["received"] + 1
    assert street["closed"] == old["closed"] + 1
    assert (street["satisfaction_rate"]["numerator"]
            == old["satisfaction_rate"]["numerator"] + 1)


def test_the_api_is_documented(client, street_admin):
    client.force_login(street_admin)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    params = {p["name"] for p in paths["/api/stats/cases"]["get"]["parameters"]}
    assert {"grid", "from", "to", "by", "category", "source", "worker"} <= params
    params = {p["name"] for p in paths["/api/stats/cases/ranking"]["get"]["parameters"]}
    assert {"grid", "from", "to", "level", "rate"} <= params
    assert "/api/stats/public" in paths


@pytest.mark.parametrize("denominator", [3, 7, 32, 160, 800, 1600, 4000, 20000, 12345])
def test_rates_round_as_python_rounds_even_next_to_a_tie(denominator):
    # The rates of a whole table are computed column-wise; 1/160 = 0.00625 is one of the
    # fractions where naive scaling rounds the other way from Python's round().
    rows = []
    for closed in range(denominator + 1):
        counters = dict.fromkeys(stats.COUNTERS, 0)
        counters["status_closed"] = denominator
        counters["on_time"] = closed
        rows.append([counters[name] for name in stats.COUNTERS])
    shown = [f["rates"]["on_time_rate"]["value"]
             for f in stats.figures_many(rows, [0] * len(rows))]
    assert shown == [round(k / denominator, 4) for k in range(denominator + 1)]
    assert stats.figures_of([0] * len(stats.COUNTERS))["rates"]["on_time_rate"]["value"] is None

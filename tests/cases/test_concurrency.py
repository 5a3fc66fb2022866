"""Two people acting on one case at once: exactly one succeeds, the other is told the case
changed (409 with its current state). Nothing is lost or done twice.

Each contender runs in its own thread with its own database connection, released together
by a barrier. On PostgreSQL the row lock (`select_for_update`) decides; on SQLite the
IMMEDIATE transactions serialise the writers, and the loser then finds the case moved on, so
the first two tests run on both; the last forces an interleaving that only row locks can
deadlock, and runs on PostgreSQL alone. They are transactional (the database is really
committed), which flushes it afterwards: the `laocheng` fixture reloads the demo for the
next such test (about 20 s each)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from tests.conftest import MICRO_A
from tests.helpers import mark_verified_for_tests
from wangge.cases import services
from wangge.cases.choices import Action, Decision, Source, Status
from wangge.cases.models import Case, Category, DiscussionEntry
from wangge.cases.services import (
    CaseConflict,
    CaseError,
    MeetingDecision,
    case_act,
    case_report,
    case_sweep,
    direct_line_meeting_create,
    direct_line_meeting_record,
)
from wangge.grids.models import Grid
from wangge.workforce.models import Worker

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4


def race(*contenders: Callable[[], Any], names: tuple[str, ...] = ()
         ) -> list[tuple[str, Any]]:
    """Run the callables at the same moment, each in its own thread (named by `names`) and
    connection; their results as ("ok", value) or ("error", exception), in order."""
    barrier = threading.Barrier(len(contenders))
    results: list[tuple[str, Any]] = [("missing", None)] * len(contenders)

    def run(index: int, contender: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", contender())
        except Exception as exc:  # reported to the test, which decides
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c),
                                name=names[i] if names else f"contender-{i}")
               for i, c in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a contender never finished"
    return results


def one_winner(results) -> tuple[Any, Exception]:
    """The winner's result and the loser's error; fails unless exactly one succeeded."""
    ok = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert len(ok) == 1 and len(errors) == 1, results
    return ok[0], errors[0]


def new_case(micro: Grid, n: int) -> Case:
    return case_report(source=Source.ONLINE, category=Category.objects.get(code="sanitation"),
                       title=f"并发测试 {n}", description="垃圾未清运", grid=micro)


def test_two_people_acting_at_once_one_wins_the_other_is_told(
        laocheng, leader_a, community_officer, worker_a):
    micro = Grid.objects.get(code=MICRO_A)
    handler_a = Worker.objects.get(user=worker_a)
    handler_c = Worker.objects.get(user=community_officer)
    for n in range(ROUNDS):
        # Accept against decline, both from what they saw (version 1).
        case = new_case(micro, n)
        winner, loser = one_winner(race(
            lambda c=case: case_act(case=c.pk, action=Action.ACCEPT, actor=leader_a,
                                    expected_version=1),
            lambda c=case: case_act(case=c.pk, action=Action.DECLINE,
                                    actor=community_officer, note="不属于受理范围",
                                    expected_version=1)))
        assert isinstance(loser, CaseConflict), loser
        assert loser.case.status == winner.status and loser.case.version == 2
        case.refresh_from_db()
        assert case.status == winner.status and case.version == 2
        assert list(case.steps.values_list("seq", flat=True)) == [1, 2]

        # Two dispatches of the accepted case from the same version.
        if case.status != Status.ACCEPTED:  # the decline won: race on another case
            case = case_act(case=new_case(micro, 50 + n).pk, action=Action.ACCEPT,
                            actor=leader_a)
        version = case.version
        winner, loser = one_winner(race(
            lambda c=case, v=version: case_act(
                case=c.pk, action=Action.DISPATCH, actor=leader_a, handler=handler_a,
                plan="网格员上门处理", expected_version=v),
            lambda c=case, v=version: case_act(
                case=c.pk, action=Action.DISPATCH, actor=community_officer,
                handler=handler_c, plan="社区统一协调", expected_version=v)))
        assert isinstance(loser, CaseConflict), loser
        assert (loser.case.status, loser.case.version) == (Status.DISPATCHED, version + 1)
        case.refresh_from_db()
        assert case.version == version + 1 and case.steps.count() == version + 1
        assert case.handler == winner.handler
        # One plan on the joint discussion list, the winner's.
        [entry] = DiscussionEntry.objects.filter(case=case)
        assert entry.plan == ("网格员上门处理" if winner.handler == handler_a else "社区统一协调")

    # Through the HTTP API: the same version posted twice, one 200 and one 409.
    clients = []
    for user in (leader_a, community_officer):
        client = Client()
        client.force_login(user)
        mark_verified_for_tests(client, user)
        clients.append(client)
    for n in range(ROUNDS):
        case = new_case(micro, 100 + n)
        url = f"/api/cases/{case.tracking_code}/accept/"
        responses = [value for _, value in race(*[
            lambda c=client, u=url: c.post(u, {"version": 1, "note": "受理"},
                                           content_type="application/json")
            for client in clients])]
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 409], [r.content for r in responses]
        conflict = next(r for r in responses if r.status_code == 409).json()
        assert conflict["case"] == {"tracking_code": case.tracking_code, "status": "accepted",
                                    "level": "grid", "version": 2}
        case.refresh_from_db()
        assert case.version == 2 and case.steps.count() == 2


def test_merging_duplicates_while_others_act(laocheng, leader_a, community_officer):
    micro = Grid.objects.get(code=MICRO_A)
    for n in range(ROUNDS):
        # Two leaders merge two cases into each other: one wins, the other is refused.
        first, second = new_case(micro, 4 * n), new_case(micro, 4 * n + 1)
        results = race(
            lambda a=first, b=second: case_act(case=a.pk, action=Action.MARK_DUPLICATE,
                                               actor=leader_a, duplicate_of=b),
            lambda a=first, b=second: case_act(case=b.pk, action=Action.MARK_DUPLICATE,
                                               actor=community_officer, duplicate_of=a))
        _, loser = one_winner(results)
        assert isinstance(loser, CaseError), f"{connection.vendor}: {loser!r}"
        first.refresh_from_db()
        second.refresh_from_db()
        assert [first.status, second.status].count(Status.MERGED) == 1

        # One leader merges a case into the original while another accepts the original:
        # the two do not contradict each other, both succeed.
        duplicate, original = new_case(micro, 4 * n + 2), new_case(micro, 4 * n + 3)
        results = race(
            lambda d=duplicate, o=original: case_act(
                case=d.pk, action=Action.MARK_DUPLICATE, actor=leader_a, duplicate_of=o),
            lambda o=original: case_act(case=o.pk, action=Action.ACCEPT,
                                        actor=community_officer))
        assert [kind for kind, _ in results] == ["ok", "ok"], f"{connection.vendor}: {results}"
        original.refresh_from_db()
        assert original.status == Status.ACCEPTED and original.version == 3


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks: SQLite serialises whole transactions, no deadlock there")
def test_a_meeting_record_and_a_step_on_one_of_its_cases_do_not_deadlock(
        laocheng, street_staff, worker_a, leader_a, monkeypatch):
    """The interleaving that deadlocks is forced: the meeting's second case is locked by the
    street officer's step before the meeting's record reaches it."""
    micro = Grid.objects.get(code=MICRO_A)
    sanitation = Category.objects.get(code="sanitation")
    reported = timezone.now() - dt.timedelta(days=25)
    cases = [case_report(source=Source.ONLINE, category=sanitation, title=f"直通车 {i}",
                         description="长期未解决", grid=micro,
                         reported_at=reported + dt.timedelta(minutes=i)) for i in range(2)]
    for _ in range(3):  # grid → community → street → the direct line, both together
        due = max(Case.objects.filter(pk__in=[c.pk for c in cases])
                  .values_list("level_due_at", flat=True))
        case_sweep(now=due + dt.timedelta(minutes=1))
    meeting = direct_line_meeting_create(street=laocheng, held_on=timezone.localdate(),
                                         title="书记直通车恳谈会", actor=street_staff)
    assert meeting.items.count() == 2
    first, second = cases
    step_holds_second = threading.Event()
    meeting_reaches_second = threading.Event()
    real_lock = services._lock

    def lock(case_id):
        me = threading.current_thread().name
        if me == "meeting" and case_id == second.pk:
            step_holds_second.wait(3)  # never set if the meeting locked both first
            meeting_reaches_second.set()
        row = real_lock(case_id)
        if me == "step" and case_id == second.pk:
            step_holds_second.set()
            meeting_reaches_second.wait(3)
        return row

    monkeypatch.setattr(services, "_lock", lock)
    handler = Worker.objects.get(user=worker_a)
    results = race(
        lambda: direct_line_meeting_record(
            meeting=meeting, participants="街道党工委书记、社区书记", minutes="",
            actor=street_staff, decisions=[
                MeetingDecision(case=first, decision=Decision.DISPATCH, note="限期",
                                handler=handler),
                MeetingDecision(case=second, decision=Decision.DISPATCH, note="限期",
                                handler=handler)]),
        lambda: case_act(case=second.pk, action=Action.DISPATCH, actor=street_staff,
                         handler=Worker.objects.get(user=leader_a), plan="先行处理"),
        names=("meeting", "step"))
    for kind, value in results:
        assert kind == "ok" or isinstance(value, CaseError), repr(value)

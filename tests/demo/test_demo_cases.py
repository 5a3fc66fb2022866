"""The demo's case history since 2020: the seed's 467 resident appeals, all closed; every
timeline a valid walk through the state machine; work open at every level, as the sweep
would have left it; one case waiting for the secretary's direct-line meeting."""

import datetime as dt
import itertools
import re
from collections import defaultdict

import pytest
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from wangge.cases.choices import (
    CLOSED,
    FINISHED,
    RUNNING,
    Action,
    Decision,
    Level,
    MeetingStatus,
    Source,
    Status,
)
from wangge.cases.models import (
    Case,
    CaseStep,
    DirectLineItem,
    DirectLineMeeting,
    FeedbackEntry,
)
from wangge.cases.services import case_sweep
from wangge.cases.workflow import TRANSITIONS
from wangge.core.validators import parse_phone
from wangge.demo import cases as demo_cases
from wangge.grids.selectors import locate_points
from wangge.registry.services import phone_hash

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
SINCE_2020 = dt.datetime(2020, 1, 1, tzinfo=TZ)


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """The demo with its case history, loaded once for this module and rolled back after
    it (a no-op load when `demo_load` has already brought the history)."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_cases.load()
        yield
        transaction.set_rollback(True)


# --- the loaded history ------------------------------------------------------------------------


def test_467_resident_appeals_since_2020_all_closed_mostly_in_the_grid(history):
    now = timezone.now()
    appeals = Case.objects.filter(source=Source.ONLINE, reported_at__gte=SINCE_2020,
                                  reported_at__lte=now)
    assert appeals.count() == 467
    assert not appeals.exclude(status__in=CLOSED).exists()
    assert Case.objects.filter(source=Source.ONLINE).count() == 467
    # 小事不出格: most stay in their grid, some reach the community, a few the street.
    levels = dict(appeals.values_list("max_level").annotate(n=Count("id")))
    assert levels[Level.GRID] > 0.7 * 467
    assert levels[Level.COMMUNITY] > 10 and 0 < levels[Level.STREET] < levels[Level.COMMUNITY]
    # Handled mostly, not always, within the time limit.
    on_time = appeals.filter(closed_at__lte=F("due_at")).count() / 467
    assert 0.9 <= on_time < 1
    views = dict(appeals.values_list("evaluation").annotate(n=Count("id")))
    assert views["satisfied"] > views["basically"] > 0 and views[""] > 0
    reopened = appeals.filter(steps__action=Action.REOPEN).distinct()
    assert 0 < reopened.count() < 20
    assert not reopened.exclude(status=Status.EVALUATED).exists()
    assert appeals.filter(steps__action=Action.REWORK).exists()
    # The first appeals came in early 2020, more of them in recent years.
    assert appeals.filter(reported_at__lt=dt.datetime(2020, 4, 1, tzinfo=TZ)).exists()
    per_year = dict(appeals.values_list("reported_at__year").annotate(n=Count("id")))
    assert per_year[2020] < per_year[2025]


def test_every_timeline_is_a_walk_through_the_state_machine(history):
    steps = defaultdict(list)
    for row in CaseStep.objects.order_by("case_id", "seq").values_list(
            "case_id", "seq", "action", "from_status", "to_status", "at"):
        steps[row[0]].append(row[1:])
    cases = dict(Case.objects.values_list("id", "status"))
    versions = dict(Case.objects.values_list("id", "version"))
    assert set(steps) == set(cases)
    for case_id, timeline in steps.items():
        assert [s[0] for s in timeline] == list(range(1, len(timeline) + 1)), case_id
        assert timeline[0][1] == Action.REPORT and timeline[0][2] == ""
        for before, after in itertools.pairwise(timeline):
            assert after[2] == before[3], (case_id, after)
            assert after[4] >= before[4], (case_id, after)
        for _seq, action, from_status, _to, _at in timeline:
            assert from_status in TRANSITIONS[action].sources, (case_id, action, from_status)
        assert timeline[-1][3] == cases[case_id]
        assert versions[case_id] == len(timeline)


def test_closed_cases_have_all_three_lists(history):
    closed = Case.objects.filter(status__in=CLOSED).annotate(
        plans=Count("discussions", distinct=True), results=Count("feedback", distinct=True))
    assert closed.count() > 1900
    assert not closed.filter(Q(plans=0) | Q(results=0)).exists()
    # A reporter's view is written on the feedback row it judged: the latest one.
    latest = {}
    for case_id, view, case_view in (FeedbackEntry.objects
                                     .filter(case__status=Status.EVALUATED)
                                     .order_by("at", "id")
                                     .values_list("case_id", "evaluation", "case__evaluation")):
        latest[case_id] = (view, case_view)
    assert len(latest) == Case.objects.filter(status=Status.EVALUATED).count() > 700
    assert all(view == case_view for view, case_view in latest.values())


def test_work_is_open_at_every_level_as_the_sweep_left_it(history):
    open_cases = Case.objects.exclude(status__in=FINISHED)
    assert {Level.GRID, Level.COMMUNITY, Level.STREET} <= set(
        open_cases.values_list("level", flat=True))
    assert not open_cases.filter(source=Source.ONLINE).exists()
    # Fresh, in progress, handled and deferred cases.
    statuses = set(open_cases.values_list("status", flat=True))
    assert {Status.REPORTED, Status.IN_PROGRESS, Status.HANDLED, Status.DEFERRED} <= statuses
    # Overdue cases the sweep raised show it in their timeline.
    raised = open_cases.filter(steps__action=Action.RAISE, steps__actor__isnull=True)
    assert raised.filter(level=Level.COMMUNITY).exists()
    assert raised.filter(level=Level.STREET).exists()
    # The history is what the sweep would have made: right now it has nothing to raise.
    result = case_sweep(now=timezone.now())
    assert result.raised == [] and result.direct_line == []
    # Deferrals were approved by community officers.
    approvals = CaseStep.objects.filter(action=Action.DEFER)
    assert approvals.exists()
    assert all(name.startswith("community-")
               for name in approvals.values_list("actor__username", flat=True))
    assert all(user.has_perm("cases.approve_deferral") for user in
               {step.actor for step in approvals.select_related("actor")})


def test_the_first_micro_grid_of_the_cast_has_work_in_hand(history, worker_a, leader_a,
                                                           community_officer):
    mine = Case.objects.for_user(worker_a).exclude(status__in=FINISHED)
    assert mine.filter(level=Level.GRID).exists()
    assert Case.objects.for_user(community_officer).exclude(status__in=FINISHED).filter(
        level=Level.COMMUNITY).exists()
    assert CaseStep.objects.filter(actor=leader_a).exists()


def test_one_case_waits_for_the_planned_direct_line_meeting(history):
    waiting = DirectLineItem.objects.filter(decided_at__isnull=True)
    assert waiting.count() == 1
    item = waiting.select_related("meeting", "case").get()
    assert item.meeting.status == MeetingStatus.PLANNED
    assert item.meeting.held_on > timezone.localdate()
    assert item.meeting.held_on <= timezone.localdate() + dt.timedelta(days=14)
    case = item.case
    assert case.level == Level.STREET and case.status not in FINISHED
    last = case.steps.order_by("-seq").first()
    assert last.action == Action.DIRECT_LINE and last.actor_id is None
    assert case.steps.filter(action=Action.RAISE, actor__isnull=True).count() == 2


def test_a_held_meeting_assigned_a_case_that_was_then_closed(history):
    held = DirectLineMeeting.objects.get(status=MeetingStatus.HELD)
    assert held.participants and held.minutes and held.held_on < timezone.localdate()
    item = held.items.select_related("case").get()
    assert item.decision == Decision.DISPATCH and item.decided_at is not None
    assert item.case.status in CLOSED
    actions = list(item.case.steps.order_by("seq").values_list("action", flat=True))
    assert actions.index(Action.DIRECT_LINE) < actions.index(Action.DIRECT_LINE_DECISION) \
        < actions.index(Action.CLOSE)


def test_case_points_lie_in_their_micro_grids(history):
    rows = list(Case.objects.filter(lon__isnull=False).values_list("lon", "lat", "grid__code"))
    assert len(rows) > 1500
    found = locate_points(points=[(lon, lat) for lon, lat, _code in rows])
    assert found == [code for _lon, _lat, code in rows]


def test_reporters_and_work_orders_look_real(history):
    phones = Case.objects.exclude(reporter_phone_hash="").only(
        "reporter_phone", "reporter_phone_hash")
    assert phones.count() > 700
    for case in phones:
        assert re.fullmatch(r"1[3-9][0-9]{9}", case.reporter_phone)
        assert parse_phone(case.reporter_phone) == case.reporter_phone
        assert phone_hash(case.reporter_phone) == case.reporter_phone_hash
    orders = Case.objects.filter(source=Source.HOTLINE).values_list("external_id",
                                                                    "reported_at")
    assert len(orders) >= 300
    for number, reported_at in orders:
        match = re.fullmatch(r"ZY12345-(\d{4})-(\d{6})", number)
        assert match and int(match[1]) == timezone.localtime(reported_at).year
    codes = list(Case.objects.values_list("tracking_code", flat=True))
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}", c) for c in codes)


# --- the generator, without saving --------------------------------------------------------------


def _summary(history: demo_cases.History) -> list[tuple]:
    return [(c.tracking_code, c.source, c.category.code, c.grid.code, c.status, c.level,
             c.reported_at, c.closed_at, c.lon, c.lat, c.title, c.reporter_phone,
             c.external_id) for c in history.cases] + [
        (s.case.tracking_code, s.seq, s.action, s.at, s.actor_name, s.note)
        for s in history.steps]


def test_the_same_seed_gives_the_same_history(laocheng):
    world = demo_cases.world_from_db(now=dt.datetime(2026, 11, 27, 15, 0, tzinfo=TZ))
    first = demo_cases.generate(world, seed=7)
    again = demo_cases.generate(world, seed=7)
    assert _summary(first) == _summary(again)
    other = demo_cases.generate(world, seed=8)
    assert _summary(other) != _summary(first)


@pytest.mark.parametrize("moment", [
    dt.datetime(2026, 2, 18, 10, 0),  # in the Spring Festival holiday
    dt.datetime(2025, 10, 6, 21, 30),  # National Day week, evening
    dt.datetime(2027, 3, 1, 9, 1),  # a Monday morning beyond the calendar's known years
])
def test_the_history_fits_whatever_the_moment(laocheng, moment):
    now = moment.replace(tzinfo=TZ)
    history = demo_cases.generate(demo_cases.world_from_db(now=now))
    online = [c for c in history.cases if c.source == Source.ONLINE]
    assert len(online) == 467 and all(c.status in CLOSED for c in online)
    assert all(SINCE_2020 <= c.reported_at < now - dt.timedelta(days=30) for c in online)
    assert all(s.at <= now for s in history.steps)
    for case in history.cases:
        if case.status in RUNNING and case.level_due_at is not None:
            assert case.level_due_at > now, case.tracking_code
    waiting = [i for i in history.items if i.decided_at is None]
    assert len(waiting) == 1
    assert waiting[0].meeting.held_on > timezone.localtime(now).date()
    for level in Level.values:
        assert any(c.level == level and c.status not in FINISHED for c in history.cases)


def test_hours_before_is_the_inverse_of_add_hours(laocheng):
    from wangge.cases.calendar import WorkCalendar

    calendar = WorkCalendar.load()
    start = dt.datetime(2026, 1, 28, 16, 47, tzinfo=TZ)
    for k in range(60):
        at = start + dt.timedelta(hours=7.3 * k)
        hours = (k * 2.7) % 45
        back = calendar.hours_before(at, hours)
        assert calendar.hours_between(back, at) == pytest.approx(hours)

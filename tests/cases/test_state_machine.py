"""Random sequences of actions and sweeps never break the invariants of the case workflow.

A hypothesis state machine reports cases in micro-grids A and B, takes any action (except
report and warn, which only the system takes) by anyone of the fixed cast or by the system
(actor None), with plausible random parameters, and runs the sweep at random later moments
of a fake clock that only moves forward. It runs against the real services and database,
inside the test's transaction (each example in a savepoint that is rolled back).

After every step, for every case: status and level are valid; the responsible node is the
prefix of the case's grid that matches the level; the timeline is complete (steps 1..version,
each starting where the previous ended, the last one ending where the case is); closed cases
have their three lists; running cases have a time limit unless waiting on the direct line;
at most one open direct-line item, and none once the case is finished. A move the table does
not allow, or one the rules refuse, changes nothing; a worker of B never moves a grid-level
case of A. At the end of each run the precomputed case figures equal those counted afresh
from the cases."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import MICRO_A, MICRO_B
from wangge.cases import stats
from wangge.cases.choices import (
    FINISHED,
    LEVEL_ORDER,
    RUNNING,
    Action,
    Decision,
    Evaluation,
    Level,
    Outcome,
    Source,
    Status,
)
from wangge.cases.models import Case, CaseDayFigures, CaseMonthFigures, DirectLineItem
from wangge.cases.selectors import leaf_categories
from wangge.cases.services import (
    CaseConflict,
    CaseError,
    CasePermissionDenied,
    case_act,
    case_report,
    case_sweep,
)
from wangge.cases.workflow import TRANSITIONS, Who
from wangge.grids.models import Grid
from wangge.workforce.models import Assignment, Worker

pytestmark = pytest.mark.django_db

ACTIONS = [a for a in Action.values if a not in (Action.REPORT, Action.WARN)]
CAST = ["worker_a", "leader_a", "community_officer", "street_staff", "worker_b", None]
# What each member of the cast may see: their part of the grid tree (conftest's cast).
SCOPE = {"worker_a": MICRO_A, "leader_a": MICRO_A, "community_officer": MICRO_A[:12],
         "street_staff": MICRO_A[:9], "worker_b": MICRO_B}
# A Tuesday in September 2026: the runs cross the Mid-autumn and National Day holidays.
START = dt.datetime(2026, 9, 22, 8, 30, tzinfo=timezone.get_current_timezone())
NOTES = ["", "  ", "现场查看", "需要社区协调处理"]
# Moves that end a case early or change nothing: taken less often, so that runs go far.
SIDE_ACTIONS = frozenset({Action.DECLINE, Action.MARK_DUPLICATE, Action.COMMENT,
                          Action.RELOCATE, Action.DISCUSS, Action.REQUEST_DEFERRAL})
DECISION_STATUS = {Decision.DISPATCH: Status.DISPATCHED, Decision.DEFER: Status.DEFERRED,
                   Decision.DECLINE: Status.DECLINED}


def sensible(action: str, case: Snapshot) -> bool:
    """Whether a move the table allows also fits the case's level and agenda."""
    if action == Action.DIRECT_LINE:
        return case.level == Level.STREET and not case.open_items
    if action == Action.DIRECT_LINE_DECISION:
        return bool(case.open_items)
    if action == Action.HANDLE_ON_SPOT:
        return case.level == Level.GRID
    if action == Action.RAISE:
        return case.level != Level.STREET
    return True


def expected_responsible(grid_code: str, level: str) -> str:
    return {Level.GRID: grid_code, Level.COMMUNITY: grid_code[:12],
            Level.STREET: grid_code[:9]}[level]


@dataclass(frozen=True)
class Snapshot:
    """Everything a move may change on a case, as stored."""

    status: str
    level: str
    version: int
    responsible: str
    grid: str
    handler_id: int | None
    handling_unit: str
    level_due_at: dt.datetime | None
    closed_at: dt.datetime | None
    duplicate_of_id: int | None
    deferral_requested: bool
    rework_count: int
    evaluation: str
    steps: int
    discussions: int
    feedback: int
    items: int
    open_items: int

    @classmethod
    def of(cls, pk: int) -> Snapshot:
        c = Case.objects.select_related("grid", "responsible").get(pk=pk)
        items = DirectLineItem.objects.filter(case=c)
        return cls(c.status, c.level, c.version, c.responsible.code, c.grid.code,
                   c.handler_id, c.handling_unit, c.level_due_at, c.closed_at,
                   c.duplicate_of_id, c.deferral_requested, c.rework_count, c.evaluation,
                   c.steps.count(), c.discussions.count(), c.feedback.count(), items.count(),
                   items.filter(decided_at__isnull=True).count())


def figures_from_the_cases() -> tuple[dict, dict]:
    """The day and month figures as `stats.facts` of every case says they should be."""
    day: dict[tuple, list[int]] = {}
    for case in Case.objects.select_related("grid"):
        facts = stats.facts(case)
        if facts is not None:
            row = day.setdefault(tuple(facts.key), [0] * len(stats.COUNTERS))
            for i, n in enumerate(facts.counts):
                row[i] += n
    month: dict[tuple, list[int]] = {}
    for key, counts in day.items():
        row = month.setdefault((key[0].replace(day=1), key[1]), [0] * len(stats.COUNTERS))
        for i, n in enumerate(counts):
            row[i] += n
    return ({k: v for k, v in day.items() if any(v)},
            {k: v for k, v in month.items() if any(v)})


def figures_as_stored() -> tuple[dict, dict]:
    def counts(row) -> list[int]:
        return [getattr(row, name) for name in stats.COUNTERS]

    day = {(r.day, r.grid_code, r.category_id, r.source, r.handler): counts(r)
           for r in CaseDayFigures.objects.all()}
    month = {(r.month, r.grid_code): counts(r) for r in CaseMonthFigures.objects.all()}
    return ({k: v for k, v in day.items() if any(v)},
            {k: v for k, v in month.items() if any(v)})


def test_random_sequences_of_actions_and_sweeps_keep_the_invariants(
        laocheng, worker_a, leader_a, community_officer, street_staff, worker_b):
    users = {"worker_a": worker_a, "leader_a": leader_a,
             "community_officer": community_officer, "street_staff": street_staff,
             "worker_b": worker_b, None: None}
    handlers = list(Worker.objects.filter(
        assignments__in=Assignment.objects.current().filter(grid__code=MICRO_A))
        .distinct().order_by("pk"))
    grids = {code: Grid.objects.get(code=code) for code in (MICRO_A, MICRO_B)}
    relocation_targets = [grids[MICRO_A], grids[MICRO_B], Grid.objects.get(code=MICRO_A[:12])]
    categories = list(leaf_categories())

    def may(actor_key: str | None, who: str, before: Snapshot) -> bool:
        """Whether the actor may take a step of this kind on the case, from the domain: staff
        act on cases their part of the tree holds; a handler on their own case; anyone who
        can see a case may add a note; deferring needs the approver's permission."""
        if actor_key is None:
            return True
        scope, user = SCOPE[actor_key], users[actor_key]
        holds = before.responsible.startswith(scope)
        if who == Who.ANYONE_IN_SCOPE:
            return holds or before.grid.startswith(scope)
        if who == Who.HANDLER:
            handler = Worker.objects.filter(pk=before.handler_id).first()
            return holds or (handler is not None and handler.user_id == user.pk)
        if who == Who.APPROVER:
            return holds and user.has_perm("cases.approve_deferral")
        return holds

    class Workflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()
            self.now = START
            self.cases: list[int] = []

        def teardown(self):
            try:
                # The figures kept up to date move by move equal those counted afresh.
                assert figures_as_stored() == figures_from_the_cases()
            finally:
                transaction.set_rollback(True)
                self.savepoint.__exit__(None, None, None)

        def tick(self, data, *, longest: int) -> None:
            minutes = data.draw(st.one_of(st.integers(0, 90), st.integers(0, longest)),
                                label="minutes")
            self.now += dt.timedelta(minutes=minutes)

        # --- rules ------------------------------------------------------------------------

        @rule(data=st.data())
        def move(self, data):
            """One rule that picks what happens next (hypothesis would otherwise switch
            whole rules off in some runs, and runs with no actions prove little)."""
            kind = data.draw(st.sampled_from(["act"] * 5 + ["report", "sweep"])
                             if self.cases else st.just("report"), label="kind")
            getattr(self, kind)(data)

        def report(self, data):
            code = data.draw(st.sampled_from([MICRO_A, MICRO_B]), label="micro-grid")
            actor_key = data.draw(st.sampled_from(CAST), label="reporter")
            category = data.draw(st.sampled_from(categories), label="category")
            self.tick(data, longest=24 * 60)
            count = Case.objects.count()
            try:
                case = case_report(
                    source=Source.ONLINE if actor_key is None else Source.PATROL,
                    category=category, title="随机事件", description="随机生成的事件描述",
                    grid=grids[code], actor=users[actor_key], reported_at=self.now,
                    reporter_phone=data.draw(st.sampled_from(["", "13800138000"])))
            except CasePermissionDenied:
                assert actor_key is not None and not code.startswith(SCOPE[actor_key])
                assert Case.objects.count() == count
                return
            assert actor_key is None or code.startswith(SCOPE[actor_key])
            assert (case.status, case.level, case.version) == (Status.REPORTED, Level.GRID, 1)
            self.cases.append(case.pk)

        def act(self, data):
            # Mostly the latest case, so that a run takes some cases far along the loop.
            pk = data.draw(st.sampled_from([self.cases[-1], *self.cases]), label="case")
            self.tick(data, longest=3 * 24 * 60)
            before = Snapshot.of(pk)
            # Mostly a plausible move (allowed from the status, by someone who may, with
            # the details it needs); sometimes anything at all.
            plausible = data.draw(st.sampled_from([True, True, True, False]), label="plausible")
            actions = [a for a in ACTIONS if before.status in TRANSITIONS[a].sources
                       and sensible(a, before)
                       for _ in range(1 if a in SIDE_ACTIONS else 4)]
            action = data.draw(st.sampled_from(actions if plausible else ACTIONS),
                               label="action")
            who = TRANSITIONS[action].who
            actors = [k for k in CAST if may(k, who, before)] if plausible else CAST
            actor_key = data.draw(st.sampled_from(actors), label="actor")
            note = data.draw(st.sampled_from(NOTES[2:] if plausible else NOTES), label="note")
            params = self.params(data, action, plausible)
            original = params.get("duplicate_of")
            original_before = Snapshot.of(original.pk) if original is not None else None
            rule_ = TRANSITIONS[action]
            allowed = before.status in rule_.sources
            permitted = may(actor_key, rule_.who, before)
            try:
                case_act(case=pk, action=action, actor=users[actor_key], note=note,
                         at=self.now, **params)
            except CaseError as exc:
                # A refused move changes nothing, on the case or on the original.
                assert Snapshot.of(pk) == before, (action, exc)
                if original_before is not None:
                    assert Snapshot.of(original.pk) == original_before
                if not allowed:
                    assert isinstance(exc, CaseConflict) or (
                        isinstance(exc, CasePermissionDenied) and not permitted), (action, exc)
                if not permitted and allowed:
                    assert isinstance(exc, CasePermissionDenied), (action, actor_key, exc)
                if isinstance(exc, CaseConflict):
                    assert exc.case is not None and exc.case.pk == pk
                    assert exc.case.status == before.status
                return
            after = Snapshot.of(pk)
            assert allowed, f"{action} accepted from {before.status}"
            assert permitted, f"{actor_key} took {action} on a case held by {before.responsible}"
            if actor_key == "worker_b":
                assert not (before.grid.startswith(MICRO_A) and before.level == Level.GRID)
            assert after.version == before.version + 1
            assert after.steps == before.steps + 1
            step = Case.objects.get(pk=pk).steps.get(seq=after.version)
            assert step.action == action and step.at == self.now
            assert step.actor_id == (users[actor_key].pk if actor_key else None)
            if action == Action.DIRECT_LINE_DECISION:
                assert after.status == DECISION_STATUS[params["decision"]]
                assert after.open_items == 0 and before.open_items == 1
            elif rule_.target is not None:
                assert after.status == rule_.target
            else:
                assert after.status == before.status
            if action == Action.RAISE:
                assert LEVEL_ORDER.index(after.level) == LEVEL_ORDER.index(before.level) + 1
                assert after.handler_id is None
            if action == Action.DIRECT_LINE:
                assert after.level == Level.STREET and after.open_items == 1
                assert after.level_due_at is None
            if action == Action.RELOCATE:
                assert (after.grid, after.level) == (params["grid"].code, Level.GRID)
            if action == Action.MARK_DUPLICATE:
                assert after.duplicate_of_id == original.pk
                merged = Snapshot.of(original.pk)
                assert merged.version == original_before.version + 1
                assert merged.status == original_before.status

        def sweep(self, data):
            self.tick(data, longest=10 * 24 * 60)
            before = {pk: Snapshot.of(pk) for pk in self.cases}
            result = case_sweep(now=self.now)
            ours = {Case.objects.get(pk=pk).tracking_code: pk for pk in self.cases}
            touched = [*result.raised, *result.direct_line, *result.warned]
            assert set(touched) <= set(ours), "the sweep moved a case it should not see"
            assert len(touched) == len(set(touched))
            for code, pk in ours.items():
                old, new = before[pk], Snapshot.of(pk)
                if code in result.raised:
                    assert old.status in RUNNING and old.level_due_at <= self.now
                    assert new.status == Status.ACCEPTED
                    assert LEVEL_ORDER.index(new.level) == LEVEL_ORDER.index(old.level) + 1
                    assert new.level_due_at > self.now
                elif code in result.direct_line:
                    assert old.level == Level.STREET and old.level_due_at <= self.now
                    assert new.open_items == 1 and new.level_due_at is None
                elif code in result.warned:
                    assert new.version == old.version + 1 and new.status == old.status
                else:
                    assert new == old
                if new.status in RUNNING and new.level_due_at is not None:
                    assert new.level_due_at > self.now or new.open_items == 1, (
                        f"{code} left lapsed by the sweep")
            again = case_sweep(now=self.now)
            assert not (again.raised or again.direct_line or again.warned), "not idempotent"

        # --- parameters -----------------------------------------------------------------

        def params(self, data, action: str, plausible: bool) -> dict:
            draw = data.draw

            def text(*values):
                """A valid value, or also an empty one when anything goes."""
                return st.sampled_from(values if plausible else ("", *values))

            handler = st.sampled_from(handlers)
            if not plausible:
                handler = st.one_of(st.none(), handler)
            if action == Action.DISPATCH:
                return {"handler": draw(handler, label="handler"),
                        "handling_unit": draw(st.sampled_from(["", "街道环卫所"])),
                        "plan": draw(text("联系责任单位处理")),
                        "participants": draw(st.sampled_from(["", "网格长、网格员、居民代表"]))}
            if action in (Action.HANDLE, Action.HANDLE_ON_SPOT):
                params = {"result": draw(text("已处理完毕")),
                          "outcome": draw(text(*Outcome.values))}
                if action == Action.HANDLE_ON_SPOT and draw(st.booleans()):
                    params["handler"] = draw(handler)
                return params
            if action in (Action.EVALUATE, Action.REOPEN):
                values = ([Evaluation.DISSATISFIED] if action == Action.REOPEN and plausible
                          else [Evaluation.SATISFIED, Evaluation.BASICALLY]
                          if plausible else ["", *Evaluation.values])
                return {"evaluation": draw(st.sampled_from(values), label="evaluation"),
                        "comment": draw(st.sampled_from(["", "处理及时"]))}
            if action == Action.MARK_DUPLICATE:
                pk = draw(st.sampled_from(self.cases), label="original")
                return {"duplicate_of": Case.objects.get(pk=pk)}
            if action == Action.RELOCATE:
                return {"grid": draw(st.sampled_from(relocation_targets[:2] if plausible
                                                     else relocation_targets), label="grid")}
            if action == Action.DIRECT_LINE_DECISION:
                return {"decision": draw(st.sampled_from(Decision.values), label="decision"),
                        "handler": draw(handler),
                        "handling_unit": draw(st.sampled_from(["", "城管中队"])),
                        "days": draw(st.integers(1, 15)),
                        "until": draw(st.one_of(st.none(), st.just(dt.date(2027, 3, 1))))}
            if action == Action.DEFER:
                return {"until": draw(st.one_of(st.none(), st.just(dt.date(2027, 1, 4))))}
            if action == Action.DISCUSS:
                return {"plan": draw(text("召集物业、居民协商")),
                        "participants": draw(st.sampled_from(["", "社区书记、物业经理"]))}
            return {}

        # --- invariants -----------------------------------------------------------------

        @invariant()
        def every_case_is_consistent(self):
            for pk in self.cases:
                case = Case.objects.select_related("grid", "responsible").get(pk=pk)
                code = case.tracking_code
                assert case.status in Status.values and case.level in Level.values
                assert case.responsible.code == expected_responsible(case.grid.code,
                                                                     case.level), code
                steps = list(case.steps.order_by("seq"))
                assert [s.seq for s in steps] == list(range(1, case.version + 1)), code
                assert steps[0].action == Action.REPORT and steps[0].from_status == ""
                for previous, step in itertools.pairwise(steps):
                    assert step.from_status == previous.to_status, (code, step.seq)
                    assert step.from_level == previous.to_level, (code, step.seq)
                    assert step.at >= previous.at, (code, step.seq)
                assert (steps[-1].to_status, steps[-1].to_level) == (case.status, case.level)
                assert steps[-1].responsible_id == case.responsible_id
                open_items = case.direct_line_items.filter(decided_at__isnull=True).count()
                assert open_items <= 1
                if case.status in FINISHED:
                    assert open_items == 0, f"{code} finished but still on the agenda"
                if case.status in (Status.CLOSED, Status.EVALUATED):
                    assert case.discussions.exists(), f"{code} closed without a plan"
                    assert case.feedback.exists(), f"{code} closed without feedback"
                    assert case.closed_at is not None
                if case.status in FINISHED:
                    assert case.closed_at is not None, code
                if case.status in RUNNING:
                    assert case.level_due_at is not None or open_items == 1, (
                        f"{code} is {case.status} with no time limit")
                else:
                    assert case.level_due_at is None, code
                assert (case.status == Status.MERGED) == (case.duplicate_of_id is not None)
                if case.status == Status.EVALUATED:
                    assert case.evaluation in (Evaluation.SATISFIED, Evaluation.BASICALLY)

    run_state_machine_as_test(Workflow, settings=settings(
        max_examples=25, stateful_step_count=25, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                               HealthCheck.filter_too_much]))

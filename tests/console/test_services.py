"""Bulk dispatch, the console's one write: each case all or nothing."""

import pytest

from wangge.cases.choices import Status
from wangge.console.services import cases_dispatch

pytestmark = pytest.mark.django_db


def test_a_reported_case_is_not_left_accepted_when_its_dispatch_fails(community_officer,
                                                                      case_a):
    [outcome] = cases_dispatch(user=community_officer,
                               items=[(case_a.tracking_code, case_a.version)], handler=None,
                               handling_unit="街道环卫所", plan="")
    assert outcome.kind == "invalid" and not outcome.ok
    case_a.refresh_from_db()
    assert case_a.status == Status.REPORTED and case_a.version == 1
    assert [s.action for s in case_a.steps.all()] == ["report"]


def test_each_case_gets_its_own_outcome_in_order(community_officer, worker_b, case_a, case_b):
    outcomes = cases_dispatch(user=community_officer,
                              items=[(case_b.tracking_code, 1), (case_a.tracking_code, 1)],
                              handler=None, handling_unit="街道环卫所", plan="清运")
    assert [(o.code, o.kind) for o in outcomes] == [(case_b.tracking_code, "missing"),
                                                     (case_a.tracking_code, "done")]
    case_a.refresh_from_db()
    assert case_a.status == Status.DISPATCHED and case_a.handling_unit == "街道环卫所"


def test_a_worker_cannot_dispatch_a_case_held_by_the_community(worker_a, leader_a, case_a):
    from wangge.cases.choices import Action
    from wangge.cases.services import case_act

    case_act(case=case_a, action=Action.ACCEPT, actor=leader_a)
    case = case_act(case=case_a, action=Action.RAISE, actor=leader_a, note="需社区协调")
    [outcome] = cases_dispatch(user=worker_a, items=[(case.tracking_code, case.version)],
                               handler=None, handling_unit="城管中队", plan="清理")
    assert outcome.kind == "refused" and outcome.message
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED

"""Writes of the cadres' console. There is one: dispatching many cases at once (批量派遣),
which is `cases.services.case_act` once per case, each with the version the board showed.
Each case succeeds or fails on its own and nothing is half-done for a case: a case still
"reported" is accepted and dispatched in one transaction, both steps or neither."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from wangge.cases import services as case_services
from wangge.cases.choices import Action, Status
from wangge.cases.models import Case
from wangge.workforce.models import Worker


@dataclass(frozen=True)
class DispatchOutcome:
    """What happened to one case of a bulk dispatch: `kind` is done, changed (someone moved
    it since the board was loaded, or its status does not allow a dispatch), refused (not
    the user's to dispatch), invalid (the move is incomplete) or missing."""

    code: str
    kind: str
    message: str
    case: Case | None = None

    @property
    def ok(self) -> bool:
        return self.kind == "done"


def cases_dispatch(*, user, items: list[tuple[str, int]], handler: Worker | None,
                   handling_unit: str, plan: str, participants: str = "",
                   units: str = "") -> list[DispatchOutcome]:
    """Dispatch each `(tracking code, version seen)` to the handler or handling unit with
    the plan (joint discussion list). Returns one outcome per case, in the given order."""
    visible = {c.tracking_code: c for c in
               Case.objects.for_user(user).filter(tracking_code__in=[c for c, _v in items])
               .only("id", "tracking_code", "status", "version")}
    params = {"handler": handler, "handling_unit": handling_unit, "plan": plan,
              "participants": participants, "units": units or handling_unit}
    outcomes = []
    for code, version in items:
        case = visible.get(code)
        if case is None:
            outcomes.append(DispatchOutcome(code, "missing", _(
                "No such case in your grids.")))
            continue
        outcomes.append(_dispatch_one(case, version, user, params))
    return outcomes


def _dispatch_one(case: Case, version: int, user, params: dict) -> DispatchOutcome:
    try:
        with transaction.atomic():
            seen = version
            accepted = False
            if case.status == Status.REPORTED:
                case_services.case_act(case=case.pk, action=Action.ACCEPT, actor=user,
                                       expected_version=seen)
                seen, accepted = seen + 1, True
            moved = case_services.case_act(case=case.pk, action=Action.DISPATCH, actor=user,
                                           expected_version=seen, **params)
    except case_services.CaseConflict as exc:
        return DispatchOutcome(case.tracking_code, "changed", str(exc), exc.case)
    except case_services.CasePermissionDenied as exc:
        return DispatchOutcome(case.tracking_code, "refused", str(exc))
    except case_services.CaseError as exc:
        return DispatchOutcome(case.tracking_code, "invalid", str(exc))
    message = (_("Accepted and dispatched.") if accepted else _("Dispatched."))
    return DispatchOutcome(case.tracking_code, "done", message, moved)

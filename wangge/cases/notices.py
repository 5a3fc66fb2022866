"""Who hears about a case move, and what they are told. Called after commit only."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core import notify
from wangge.workforce.choices import RoleKind
from wangge.workforce.models import Assignment, Worker

# The people at a grid node who receive raised cases and warnings.
_DESK_KINDS = (RoleKind.GRID_LEADER, RoleKind.FULL_TIME, RoleKind.OFFICER)

_SUBJECTS = {
    "assigned": gettext_lazy("Case %(code)s is assigned to you: %(title)s"),
    "near_deadline": gettext_lazy("Case %(code)s is near its time limit: %(title)s"),
    "raised": gettext_lazy("Case %(code)s has been raised to you: %(title)s"),
    "result_ready": gettext_lazy("The result of your case %(code)s is ready; please rate it."),
    "deferral_requested": gettext_lazy("Case %(code)s: deferral requested"),
}


def _worker(worker: Worker) -> notify.Recipient:
    email = getattr(worker.user, "email", "") if worker.user_id else ""
    return notify.Recipient(worker.name, worker.work_phone, email or "", worker.user_id)


def recipients(notice) -> tuple[notify.Recipient, ...]:
    case = notice.case
    if notice.to_reporter:
        if not (case.reporter_phone or case.reporter_email):
            return ()
        return (notify.Recipient(case.reporter_name or _("reporter"), case.reporter_phone,
                                 case.reporter_email),)
    if notice.worker_id:
        worker = Worker.objects.select_related("user").filter(pk=notice.worker_id).first()
        return (_worker(worker),) if worker else ()
    if notice.grid_code:
        workers = (Worker.objects.select_related("user")
                   .filter(assignments__in=Assignment.objects.current().filter(
                       grid__code=notice.grid_code, role__kind__in=_DESK_KINDS))
                   .distinct())
        return tuple(_worker(w) for w in workers)
    return ()


def send(pending: list) -> None:
    for notice in pending:
        case = notice.case
        subject = str(_SUBJECTS.get(notice.kind, "%(code)s")) % {
            "code": case.tracking_code, "title": case.title}
        notify.send(notify.Message(
            kind=notice.kind, subject=subject, body=case.description[:200],
            recipients=recipients(notice), link=f"/appeal/{case.tracking_code}"
            if notice.to_reporter else f"/console/cases/{case.tracking_code}",
            extra={"case": case.tracking_code}))

"""Forms of the co-governance console: plan a meeting with its agenda, and hold it
(attendance, minutes, decisions with a follow-up task each, the direct line's case
decisions). Forms check format and turn the rows into the services' inputs."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.cases.choices import Decision as CaseDecision
from wangge.cases.models import Case
from wangge.cases.services import MeetingDecision
from wangge.cogovernance import selectors
from wangge.cogovernance.choices import MeetingKind, Presence
from wangge.cogovernance.models import Meeting
from wangge.cogovernance.services import (
    AgendaInput,
    AttendanceInput,
    DecisionInput,
    TaskInput,
)
from wangge.workforce.models import Worker

AGENDA_ROWS = 5
DECISION_ROWS = 4


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    committee = forms.ModelChoiceField(label=_("Committee"), queryset=None, required=False,
                                       empty_label=_("(no committee)"))
    grid = forms.ModelChoiceField(label=_("Street or community"), queryset=None,
                                  required=False, empty_label=_("(the committee's community)"))
    title = forms.CharField(label=_("Title"), max_length=100)
    held_at = forms.DateTimeField(label=_("Date and time"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(label=_("Place"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["committee"].queryset = selectors.committees(user=user).filter(active=True)
        self.fields["grid"].queryset = selectors.meeting_grids(user=user)
        for i in range(1, AGENDA_ROWS + 1):
            self.fields[f"agenda_title_{i}"] = forms.CharField(
                label=_("Agenda item %(n)s") % {"n": i}, max_length=100, required=False)
            self.fields[f"agenda_case_{i}"] = forms.CharField(
                label=_("Case tracking code (optional)"), max_length=12, required=False)

    def agenda_rows(self):
        return [(self[f"agenda_title_{i}"], self[f"agenda_case_{i}"])
                for i in range(1, AGENDA_ROWS + 1)]

    def clean(self):
        data = super().clean()
        if not data.get("committee") and not data.get("grid"):
            self.add_error("grid", _("Choose a committee or a street or community."))
        agenda = []
        visible = Case.objects.for_user(self.user)
        for i in range(1, AGENDA_ROWS + 1):
            title = data.get(f"agenda_title_{i}", "").strip()
            code = data.get(f"agenda_case_{i}", "").strip().upper()
            case = None
            if code:
                case = visible.select_related("grid").filter(tracking_code=code).first()
                if case is None:
                    self.add_error(f"agenda_case_{i}", _("No such case: %(code)s")
                                   % {"code": code})
                    continue
            if title or case:
                agenda.append(AgendaInput(title=title, case=case))
        data["agenda"] = agenda
        return data


class HoldForm(forms.Form):
    """Attendance (ticked: present), the minutes, the decisions with one follow-up task
    each, publication, and for the direct line the decision on each case."""

    present = forms.MultipleChoiceField(label=_("Member units present"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}),
                              max_length=10000)
    public = forms.BooleanField(label=_("Publish the minutes on the residents' site"),
                                required=False)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.members = (list(selectors.current_members(meeting.committee))
                        if meeting.committee_id else [])
        self.fields["present"].choices = [(str(m.pk), m.organisation.name)
                                          for m in self.members]
        self.fields["present"].initial = [str(m.pk) for m in self.members]
        items = list(meeting.agenda.all())
        self.items = {str(i.pk): i for i in items}
        item_choices = [("", _("(general)"))] + [(str(i.pk), f"{i.order}. {i.title}")
                                                 for i in items]
        self.workers = {str(w.pk): w for w in selectors.assignable_workers(grid=meeting.grid)}
        assignees = [("", "—")]
        assignees += [(f"m{m.pk}", m.organisation.name) for m in self.members]
        assignees += [(f"w{pk}", w.name) for pk, w in self.workers.items()]
        for i in range(1, DECISION_ROWS + 1):
            self.fields[f"decision_{i}"] = forms.CharField(
                label=_("Decision %(n)s") % {"n": i}, required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"item_{i}"] = forms.ChoiceField(label=_("On agenda item"),
                                                         choices=item_choices, required=False)
            self.fields[f"task_{i}"] = forms.CharField(label=_("Follow-up task"),
                                                       max_length=200, required=False)
            self.fields[f"assignee_{i}"] = forms.ChoiceField(label=_("Assigned to"),
                                                             choices=assignees, required=False)
            self.fields[f"due_{i}"] = forms.DateField(
                label=_("Due on"), required=False,
                widget=forms.DateInput(attrs={"type": "date"}))
        self.case_items = ([i for i in items if i.case_id]
                           if meeting.kind == MeetingKind.DIRECT_LINE else [])
        for item in self.case_items:
            self.fields[f"case_decision_{item.pk}"] = forms.ChoiceField(
                label=_("Decision on %(code)s") % {"code": item.case.tracking_code},
                choices=[("", "—"), *CaseDecision.choices], required=False)
            self.fields[f"case_unit_{item.pk}"] = forms.CharField(
                label=_("Handling unit"), max_length=100, required=False)

    def decision_rows(self):
        return [{"n": i, "text": self[f"decision_{i}"], "item": self[f"item_{i}"],
                 "task": self[f"task_{i}"], "assignee": self[f"assignee_{i}"],
                 "due": self[f"due_{i}"]} for i in range(1, DECISION_ROWS + 1)]

    def case_rows(self):
        return [{"item": i, "decision": self[f"case_decision_{i.pk}"],
                 "unit": self[f"case_unit_{i.pk}"]} for i in self.case_items]

    def clean(self):
        data = super().clean()
        decisions = []
        for i in range(1, DECISION_ROWS + 1):
            text = data.get(f"decision_{i}", "").strip()
            task = data.get(f"task_{i}", "").strip()
            assignee = data.get(f"assignee_{i}", "")
            due = data.get(f"due_{i}")
            if not text:
                if task or assignee:
                    self.add_error(f"decision_{i}", _("Write what was decided."))
                continue
            tasks = []
            if task or assignee or due:
                if not task:
                    self.add_error(f"task_{i}", _("Say what the follow-up task is."))
                if not assignee:
                    self.add_error(f"assignee_{i}", _("Choose who does it."))
                if due is None:
                    self.add_error(f"due_{i}", _("Give a due date."))
                if task and assignee and due:
                    member = next((m for m in self.members if f"m{m.pk}" == assignee), None)
                    worker: Worker | None = self.workers.get(assignee[1:]) \
                        if assignee.startswith("w") else None
                    tasks.append(TaskInput(title=task, due_on=due, member=member,
                                           worker=worker))
            item = self.items.get(data.get(f"item_{i}") or "")
            decisions.append(DecisionInput(text=text, agenda_item=item, tasks=tasks))
        data["decisions"] = decisions
        present = set(data.get("present") or [])
        data["attendance"] = [
            AttendanceInput(presence=Presence.PRESENT if str(m.pk) in present
                            else Presence.ABSENT, member=m) for m in self.members]
        case_decisions = []
        for item in self.case_items:
            decision = data.get(f"case_decision_{item.pk}")
            if not decision:
                continue
            unit = data.get(f"case_unit_{item.pk}", "").strip()
            if decision == CaseDecision.DISPATCH and not unit:
                self.add_error(f"case_unit_{item.pk}", _("Name the handling unit."))
            case_decisions.append(MeetingDecision(
                case=item.case, decision=decision, handling_unit=unit,
                note=next((d.text for d in decisions if d.agenda_item == item), "")
                or str(CaseDecision(decision).label)))
        data["case_decisions"] = case_decisions
        return data


class TaskDoneForm(forms.Form):
    result = forms.CharField(label=_("What was done"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

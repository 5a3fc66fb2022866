"""Forms of the cadres' console. They check format on the server, keep what the user
typed and say what is wrong; the rules that span records are the services' (`cases.services`,
`grids.services`), whose messages the views put back on the form."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from wangge.cases.choices import Action, Decision, Evaluation, Level, Outcome, Source, Status
from wangge.cases.forms import PhotosField
from wangge.cases.models import Case
from wangge.console import selectors
from wangge.grids.choices import Level as GridLevel
from wangge.workforce.models import Worker

# The board's status list: all open cases (the default), everything, or one status.
STATE_OPEN, STATE_ALL, STATE_FINISHED = "open", "all", "finished"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BoardFilterForm(forms.Form):
    """The case board's filters. `case_filter_params` turns them into the parameters of
    `cases.filters.CaseFilter`, the filter of the API."""

    state = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    level = forms.ChoiceField(label=pgettext_lazy("three-level linkage", "Level"),
                              required=False)
    grid = forms.ChoiceField(label=gettext_lazy("Where"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={
                            "type": "search",
                            "placeholder": gettext_lazy("title, description or code")}))
    reported_from = forms.DateField(label=gettext_lazy("Reported from"), required=False,
                                    widget=DateInput)
    reported_to = forms.DateField(label=gettext_lazy("to"), required=False, widget=DateInput)
    sort = forms.ChoiceField(label=gettext_lazy("Order"), required=False, choices=[
        ("new", gettext_lazy("newest first")), ("due", gettext_lazy("time limit first")),
        ("old", gettext_lazy("oldest first"))])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            (STATE_OPEN, _("all open cases")), (STATE_ALL, _("all cases")),
            (STATE_FINISHED, _("finished cases")), *Status.choices]
        self.fields["source"].choices = [("", _("all sources")), *Source.choices]
        self.fields["category"].choices = [("", _("all categories")),
                                           *selectors.category_choices()]
        self.fields["level"].choices = [("", _("all levels")), *Level.choices]
        selected = self.data.get("grid", "") if self.is_bound else ""
        self.fields["grid"].choices = [("", _("all my grids")),
                                       *selectors.place_choices(user=user, selected=selected)]

    def clean(self):
        data = super().clean()
        start, end = data.get("reported_from"), data.get("reported_to")
        if start and end and start > end:
            self.add_error("reported_to", _("The end date is before the start date."))
        return data

    def case_filter_params(self) -> QueryDict:
        """The valid filters as `CaseFilter` parameters (an invalid field is left out)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        params = QueryDict(mutable=True)
        state = data.get("state") or STATE_OPEN
        if state == STATE_OPEN:
            params["open"] = "true"
        elif state == STATE_FINISHED:
            params["open"] = "false"
        elif state != STATE_ALL:
            params["status"] = state
        for name in ("source", "category", "level", "grid", "q"):
            if data.get(name):
                params[name] = data[name]
        if data.get("overdue"):
            params["overdue"] = "true"
        for name in ("reported_from", "reported_to"):
            if data.get(name):
                params[name] = data[name].isoformat()
        return params

    def ordering(self) -> str:
        return (self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else "") or "new"


class HandlerField(forms.ModelChoiceField):
    """A worker of the user's grids, shown with where and as what they serve."""

    def label_from_instance(self, worker: Worker) -> str:
        parts = [worker.name, getattr(worker, "role_name", ""), getattr(worker, "place", "")]
        return " · ".join(p for p in parts if p)


class DispatchFieldsMixin(forms.Form):
    """Who takes the case on, and the plan that goes into the joint discussion list."""

    handler = HandlerField(label=gettext_lazy("Handler"), queryset=Worker.objects.none(),
                           required=False, empty_label=gettext_lazy("— no named handler —"))
    handling_unit = forms.CharField(label=gettext_lazy("Or handling unit"), max_length=100,
                                    required=False)
    plan = forms.CharField(label=gettext_lazy("Plan (joint discussion list)"),
                           max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    participants = forms.CharField(label=gettext_lazy("Who discussed it"), max_length=300,
                                   required=False)

    def _set_handlers(self, user) -> None:
        self.fields["handler"].queryset = selectors.dispatch_handlers(user=user)

    def needs_handler(self, data: dict) -> bool:
        return True

    def clean(self):
        data = super().clean()
        if self.needs_handler(data) and "handler" not in self.errors \
                and not data.get("handler") and not (data.get("handling_unit") or "").strip():
            self.add_error("handler", _("Choose a handler or write the handling unit."))
        return data


class DispatchForm(DispatchFieldsMixin):
    """Bulk dispatch from the case board; the ticked cases come as `code:version`."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_handlers(user)


def parse_selection(values: list[str]) -> list[tuple[str, int]]:
    """The ticked cases of the board (`CODE:VERSION`), in order, each once; malformed
    values are dropped."""
    seen: dict[str, int] = {}
    for value in values:
        code, _sep, version = value.partition(":")
        code = code.strip().upper()
        if code and version.isdigit() and code not in seen:
            seen[code] = int(version)
    return list(seen.items())


# --- steps on one case ------------------------------------------------------------------------

# Steps whose note is the reason and so required, with the question the form asks.
REASON_LABELS = {
    Action.DECLINE: gettext_lazy("Why is it declined?"),
    Action.REWORK: gettext_lazy("What must be redone?"),
    Action.RAISE: gettext_lazy("Why raise it to the next level?"),
    Action.DIRECT_LINE: gettext_lazy("Why does it go to the secretary's direct line?"),
    Action.REQUEST_DEFERRAL: gettext_lazy("Why should it be deferred?"),
    Action.DEFER: gettext_lazy("Why is it deferred?"),
    Action.COMMENT: gettext_lazy("Note"),
}


class StepForm(DispatchFieldsMixin):
    """One step on a case from the desk; the fields depend on the step. Every step carries
    the version of the case the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, action: str, user, **kwargs):
        # Several step forms share the case page: ids per step, field names unchanged.
        kwargs.setdefault("auto_id", f"{action}-%s")
        super().__init__(*args, **kwargs)
        self.action = action
        self.user = user
        dispatching = action == Action.DISPATCH
        deciding = action == Action.DIRECT_LINE_DECISION
        if dispatching or deciding:
            self._set_handlers(user)
        else:
            del self.fields["handler"], self.fields["handling_unit"]
        if action not in (Action.DISPATCH, Action.DISCUSS, Action.HANDLE_ON_SPOT):
            del self.fields["plan"], self.fields["participants"]
        elif action == Action.HANDLE_ON_SPOT:
            self.fields["plan"].required = False
            self.fields["plan"].label = _("How it was handled (optional)")
        if action in (Action.DISPATCH, Action.DISCUSS):
            self.fields["units"] = forms.CharField(label=_("Units involved"), max_length=300,
                                                   required=False)
        if action in (Action.HANDLE, Action.HANDLE_ON_SPOT):
            self.fields["outcome"] = forms.ChoiceField(
                label=_("Outcome"), choices=Outcome.choices, initial=Outcome.RESOLVED)
            self.fields["result"] = forms.CharField(
                label=_("What was done (feedback list)"), max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}))
            self.fields["photos"] = PhotosField(label=_("Photos of the result"))
        if action == Action.EVALUATE:
            self.fields["evaluation"] = forms.ChoiceField(
                label=_("The reporter's view"), widget=forms.RadioSelect,
                choices=[c for c in Evaluation.choices if c[0] != Evaluation.DISSATISFIED])
        if action in (Action.EVALUATE, Action.REOPEN):
            self.fields["comment"] = forms.CharField(
                label=_("What the reporter said"), max_length=500, required=False)
        if action == Action.MARK_DUPLICATE:
            self.fields["duplicate_of"] = forms.CharField(
                label=_("Tracking code of the original case"), max_length=12)
        if action == Action.RELOCATE:
            self.fields["grid"] = forms.ModelChoiceField(
                label=_("Micro-grid"), queryset=selectors.micro_grids(user=user),
                to_field_name="code")
        if action == Action.DEFER or deciding:
            self.fields["until"] = forms.DateField(label=_("Deferred until (optional)"),
                                                   required=False, widget=DateInput)
        if deciding:
            self.fields["decision"] = forms.ChoiceField(label=_("Decision"),
                                                        choices=Decision.choices)
            self.fields["days"] = forms.IntegerField(
                label=_("New time limit (working days)"), min_value=1, max_value=365,
                initial=10, required=False)
        if action not in (Action.EVALUATE, Action.REOPEN):
            required = action in REASON_LABELS
            self.fields["note"] = forms.CharField(
                label=REASON_LABELS.get(action, _("Note (optional)")), max_length=2000,
                required=required, widget=forms.Textarea(attrs={"rows": 2}))
        self.order_fields(["decision", "evaluation", "outcome", "result", "handler",
                           "handling_unit", "plan", "participants", "units", "duplicate_of",
                           "grid", "until", "days", "comment", "photos", "note"])

    def needs_handler(self, data: dict) -> bool:
        return self.action == Action.DISPATCH or (
            self.action == Action.DIRECT_LINE_DECISION
            and data.get("decision") == Decision.DISPATCH)

    def clean_duplicate_of(self):
        code = self.cleaned_data["duplicate_of"].strip().upper()
        original = Case.objects.for_user(self.user).filter(tracking_code=code).first()
        if original is None:
            raise forms.ValidationError(_("No case with this tracking code in your grids."))
        return original

    def params(self) -> dict:
        """Keyword arguments for `case_act` besides the case, the action and the actor."""
        data = dict(self.cleaned_data)
        params = {"expected_version": data.pop("version"), "note": data.pop("note", "") or "",
                  "photos": data.pop("photos", [])}
        if self.action in (Action.EVALUATE, Action.REOPEN):
            comment = data.get("comment", "")
            params["note"] = comment
            if self.action == Action.REOPEN:
                data["evaluation"] = Evaluation.DISSATISFIED
        if self.action == Action.DIRECT_LINE_DECISION and not data.get("days"):
            data.pop("days", None)
        if self.action == Action.DISPATCH and "units" in data and not data["units"]:
            data["units"] = data.get("handling_unit", "")
        params.update({k: v for k, v in data.items() if v not in (None, "")})
        return params


# --- grid levels ------------------------------------------------------------------------------


class LevelForm(forms.Form):
    """Change a micro-grid's green/yellow/red level (绿黄红牌), always with a reason."""

    level = forms.ChoiceField(label=gettext_lazy("New level"), choices=GridLevel.choices,
                              widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        # The same message as the service's, already in the catalogue.
        error_messages={"required": gettext_lazy("A level change needs a reason.")})

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A level change needs a reason."))
        return reason


class LevelFilterForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False,
                              choices=[("", gettext_lazy("all levels")), *GridLevel.choices])


class MapFilterForm(forms.Form):
    """Which cases the map shows: open (the default), finished or all, reported when."""

    state = forms.ChoiceField(required=False, choices=[
        (STATE_OPEN, gettext_lazy("open cases")), ("closed", gettext_lazy("finished cases")),
        (STATE_ALL, gettext_lazy("all cases"))])
    reported_from = forms.DateField(required=False, widget=DateInput)
    reported_to = forms.DateField(required=False, widget=DateInput)

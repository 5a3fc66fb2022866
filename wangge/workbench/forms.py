"""Forms of the workbench. They check format and keep what the worker typed; the rules that
span records are the services' (`cases.services`, `workbench.services`), whose messages the
views put back on the form."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.cases.choices import Action, Outcome, Urgency
from wangge.cases.forms import PhotosField
from wangge.cases.models import Category
from wangge.workbench import selectors
from wangge.workbench.choices import FindingKind, PatrolKind


def category_choices() -> list:
    """Leaf categories grouped by line of work, as select options keyed by code."""
    return [("", "—"), *[(line, [(c.code, c.name) for c in cats])
                         for line, cats in selectors.category_groups()]]


class CategoryField(forms.ChoiceField):
    """A leaf category chosen by its code; cleans to the `Category`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Category"))
        super().__init__(choices=category_choices, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        category = Category.objects.filter(code=code, active=True).first()
        if category is None:
            raise forms.ValidationError(_("Choose a category from the list."))
        return category


class PointMixin(forms.Form):
    """A point from the phone's position or the pin on the map (hidden fields)."""

    lon = forms.FloatField(required=False, min_value=-180, max_value=180,
                           widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90,
                           widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if (data.get("lon") is None) != (data.get("lat") is None):
            raise forms.ValidationError(_("The position is incomplete: tap “use my "
                                          "position” again or place the pin on the map."))
        return data


class ReportForm(PointMixin):
    """Report a case from the phone (上报事件)."""

    category = CategoryField()
    description = forms.CharField(label=gettext_lazy("What is the matter?"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    title = forms.CharField(label=gettext_lazy("Short title (optional)"), max_length=100,
                            required=False)
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), choices=Urgency.choices,
                                initial=Urgency.NORMAL)
    building = forms.ModelChoiceField(label=gettext_lazy("Or choose a building"),
                                      queryset=None, required=False,
                                      empty_label=gettext_lazy("— no building —"))
    address = forms.CharField(label=gettext_lazy("Address or landmark (optional)"),
                              max_length=200, required=False)
    photos = PhotosField()

    def __init__(self, *args, user, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].required = True
        self.fields["building"].queryset = selectors.buildings(user=user, grids=grids)
        self.fields["building"].label_from_instance = lambda b: (
            f"{b.name} · {b.address}" if b.address and b.address != b.name else b.name)

    def clean(self):
        data = super().clean()
        if (not self.errors and data.get("lon") is None and data.get("building") is None):
            raise forms.ValidationError(_("Say where it is: tap “use my position”, place the "
                                          "pin on the map, or choose a building."))
        return data


class StepForm(forms.Form):
    """One step on a case from the phone; which fields it has depends on the step."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, action: str, **kwargs):
        # Several steps' forms share a page: their ids must not clash.
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        if action in (Action.HANDLE, Action.HANDLE_ON_SPOT):
            self.fields["outcome"] = forms.ChoiceField(
                label=_("Outcome"), choices=Outcome.choices, initial=Outcome.RESOLVED,
                required=False)
            self.fields["result"] = forms.CharField(
                label=_("What was done"), max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}))
            self.fields["photos"] = PhotosField(label=_("Photos of the result"))
        if action != Action.START:
            needs_note = action in (Action.RAISE, Action.REQUEST_DEFERRAL, Action.COMMENT)
            label = {Action.RAISE: _("Why raise it to the next level?"),
                     Action.REQUEST_DEFERRAL: _("Why should it be deferred?"),
                     Action.COMMENT: _("Note")}.get(action, _("Note (optional)"))
            self.fields["note"] = forms.CharField(
                label=label, max_length=2000, required=needs_note,
                widget=forms.Textarea(attrs={"rows": 2}))

    def params(self) -> dict:
        """Keyword arguments for `case_act` besides the case, action and actor."""
        data = dict(self.cleaned_data)
        params = {"expected_version": data.pop("version"), "note": data.pop("note", "") or "",
                  "photos": data.pop("photos", [])}
        params.update({k: v for k, v in data.items() if v not in (None, "")})
        return params


class PatrolStartForm(forms.Form):
    """Start a patrol or a round of visits."""

    kind = forms.ChoiceField(label=gettext_lazy("What kind of round"),
                             choices=PatrolKind.choices, initial=PatrolKind.PATROL,
                             widget=forms.RadioSelect)
    micro_grid = forms.ChoiceField(label=gettext_lazy("Micro-grid"))

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = {g.code: g for g in grids}
        self.fields["micro_grid"].choices = [(g.code, g.name) for g in grids]
        if len(grids) == 1:
            self.fields["micro_grid"].initial = grids[0].code
            self.fields["micro_grid"].widget = forms.HiddenInput()

    def clean_micro_grid(self):
        return self.grids[self.cleaned_data["micro_grid"]]


class VisitForm(forms.Form):
    """A household called on."""

    household = forms.IntegerField(label=gettext_lazy("Household"))
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=500,
                           required=False)


class FindingForm(PointMixin):
    """Something found; `turn` says whether it becomes a case or a registry note."""

    text = forms.CharField(label=gettext_lazy("What did you find?"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    category = CategoryField(required=False)
    household = forms.IntegerField(label=gettext_lazy("Household"), required=False,
                                   widget=forms.HiddenInput)
    photos = PhotosField()
    turn = forms.ChoiceField(choices=FindingKind.choices, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("turn") == FindingKind.CASE and not data.get("category") \
                and "category" not in self.errors:
            self.add_error("category", _("Choose a category to report it as a case."))
        if data.get("turn") == FindingKind.REGISTRY and not data.get("household") \
                and "household" not in self.errors:
            self.add_error("household", _("Choose the household whose record needs "
                                          "updating (in the list above)."))
        return data


class EndForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Summary: what did you see?"), max_length=4000,
                           required=False, widget=forms.Textarea(attrs={"rows": 3}))


def parse_points(payload) -> list[tuple[float, float, dt.datetime]]:
    """Points posted by the phone: `{"points": [[lon, lat, "ISO time"], ...]}`. Malformed
    points are dropped; a time without a zone is taken as local time."""
    rows = payload.get("points") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        raise forms.ValidationError(_("No points sent."))
    points = []
    now = timezone.now()
    for row in rows[:1000]:
        if not isinstance(row, list | tuple) or len(row) < 3:
            continue
        try:
            lon, lat = float(row[0]), float(row[1])
        except (TypeError, ValueError):
            continue
        at = parse_datetime(str(row[2])) if row[2] else None
        if at is None:
            continue
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at > now + dt.timedelta(minutes=5):  # a phone clock far ahead: not trusted
            continue
        points.append((lon, lat, at))
    return points

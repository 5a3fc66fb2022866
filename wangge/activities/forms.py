"""Forms of the activities console: they check format; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.activities.choices import ActivityKind, ProjectStatus, VolunteerKind
from wangge.grids.models import Grid

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Grid) -> str:
        return obj.name


def _communities(field: forms.ModelChoiceField, communities: list[Grid]) -> None:
    field.queryset = Grid.objects.filter(pk__in=[c.pk for c in communities]).order_by("code")
    if len(communities) == 1:
        field.initial = communities[0].pk


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    community = CommunityChoiceField(label=_("Community"), queryset=Grid.objects.none())
    organiser_text = forms.CharField(label=_("Organised with"), max_length=100, required=False,
                                     help_text=_("e.g. the co-governance committee, a unit"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False,
                                  help_text=_("empty: no limit"))
    hours = forms.DecimalField(label=_("Hours to credit each attendee"), min_value=0,
                               max_value=24, decimal_places=1, initial=2)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(
        attrs={"rows": 3}), required=False)
    public = forms.BooleanField(label=_("Show on the residents' site"), required=False,
                                initial=True)
    open_now = forms.BooleanField(label=_("Open for sign-up now"), required=False,
                                  initial=True)

    def __init__(self, *args, communities: list[Grid], **kwargs):
        super().__init__(*args, **kwargs)
        _communities(self.fields["community"], communities)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("An activity cannot end before it starts."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class RegisterForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=VolunteerKind.choices)
    workplace = forms.CharField(label=_("Workplace"), max_length=100, required=False)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    community = CommunityChoiceField(label=_("Community"), queryset=Grid.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DATE, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(
        attrs={"rows": 3}), required=False)
    public = forms.BooleanField(label=_("Show on the residents' site"), required=False,
                                initial=True)

    def __init__(self, *args, communities: list[Grid], **kwargs):
        super().__init__(*args, **kwargs)
        _communities(self.fields["community"], communities)


class PartnerForm(forms.Form):
    organisation = forms.IntegerField(label=_("Unit"))
    role = forms.CharField(label=_("Role or contribution"), max_length=200, required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=100)
    due_on = forms.DateField(label=_("Due on"), widget=DATE, required=False)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100,
                                  initial=0)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

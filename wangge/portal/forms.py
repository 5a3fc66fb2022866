"""The residents' appeal and rating forms. Validation messages are in the user's language;
a form that fails keeps what the resident typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.cases.choices import Evaluation
from wangge.cases.forms import PhotosField
from wangge.cases.selectors import leaf_categories
from wangge.core.validators import InvalidValue, parse_phone


def category_choices() -> list:
    groups: dict[str, list] = {}
    for category in leaf_categories():
        groups.setdefault(category.parent.name, []).append((category.code, category.name))
    return [("", _("— choose what it is about —")), *groups.items()]


class AppealForm(forms.Form):
    # The description first: the page suggests the category from it (cases.triage), and the
    # resident then picks the category.
    field_order = ["description", "category"]

    category = forms.ChoiceField(label=_("What is it about?"))
    description = forms.CharField(
        label=_("Describe the matter"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, where exactly, since when."))
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False,
                              help_text=_("Needed if you do not place a pin on the map."))
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    photos = PhotosField(label=_("Photos (optional)"))
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Your phone (optional)"), max_length=40, required=False,
        help_text=_("Only the staff handling your matter see it; we text you the result."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        try:
            return parse_phone(value)
        except InvalidValue as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        has_point = data.get("lon") is not None and data.get("lat") is not None
        if not has_point and not (data.get("address") or "").strip():
            raise forms.ValidationError(
                _("Place a pin on the map or write the address, so that we know where it is."))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)


class RateForm(forms.Form):
    evaluation = forms.ChoiceField(label=_("How satisfied are you with the result?"),
                                   choices=Evaluation.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

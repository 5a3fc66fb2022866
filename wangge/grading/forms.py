"""Forms of the grading page: the models of every micro-grid type in one table, the street's
setting, and a decision on a proposal."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.cases.models import Category
from wangge.grading.choices import Indicator
from wangge.grading.indicators import Config
from wangge.grading.models import GradingModel
from wangge.grading.services import MAX_WEIGHT
from wangge.grids.choices import Level
from wangge.grids.models import GridType

DEFAULT_KEY = "default"


@dataclass
class Column:
    """One model in the table: the default, or a micro-grid type's."""

    key: str
    label: str
    grid_type: GridType | None
    config: Config


@dataclass
class Row:
    label: str
    fields: list  # bound fields, one per column
    kind: str  # indicator, line, threshold


def columns(*, models: list[GradingModel], grid_types: list[GridType],
            default: Config) -> list[Column]:
    by_type = {m.grid_type_id: m for m in models}
    base = Config.of(by_type[None]) if None in by_type else default
    cols = [Column(DEFAULT_KEY, _("default (other types)"), None, base)]
    for t in grid_types:
        model = by_type.get(t.pk)
        cols.append(Column(t.code, t.name, t, Config.of(model) if model else base))
    return cols


def lines_of_work() -> list[tuple[str, str]]:
    return list(Category.objects.filter(parent__isnull=True, active=True)
                .order_by("sort_order", "code").values_list("code", "name"))


class ModelsForm(forms.Form):
    """Weights and thresholds of every model at once, so the preview sees them together."""

    def __init__(self, *args, cols: list[Column], lines: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.cols, self.lines = cols, lines
        for col in cols:
            for code in Indicator.values:
                self.fields[f"{col.key}__{code}"] = self._number(
                    col.config.weights.get(code, 0.0))
            for code, _name in lines:
                self.fields[f"{col.key}__line__{code}"] = self._number(
                    col.config.category_weights.get(code, 1.0))
            self.fields[f"{col.key}__yellow_from"] = self._number(col.config.yellow_from,
                                                                  low=0.1)
            self.fields[f"{col.key}__red_from"] = self._number(col.config.red_from, low=0.1)

    @staticmethod
    def _number(initial: float, *, low: float = 0.0) -> forms.FloatField:
        return forms.FloatField(initial=initial, min_value=low, max_value=MAX_WEIGHT,
                                widget=forms.NumberInput(attrs={"step": "any",
                                                                "class": "num"}))

    def rows(self) -> list[Row]:
        out = [Row(label, [self[f"{c.key}__{code}"] for c in self.cols], "indicator")
               for code, label in Indicator.choices]
        out += [Row(_("one recent case of “%(line)s” counts") % {"line": name},
                    [self[f"{c.key}__line__{code}"] for c in self.cols], "line")
                for code, name in self.lines]
        out.append(Row(_("yellow from score"), [self[f"{c.key}__yellow_from"]
                                                for c in self.cols], "threshold"))
        out.append(Row(_("red from score"), [self[f"{c.key}__red_from"] for c in self.cols],
                       "threshold"))
        return out

    def clean(self):
        data = super().clean()
        for col in self.cols:
            yellow, red = data.get(f"{col.key}__yellow_from"), data.get(f"{col.key}__red_from")
            if yellow is not None and red is not None and red <= yellow:
                self.add_error(f"{col.key}__red_from",
                               _("The red threshold must be above the yellow one."))
        return data

    def configs(self) -> dict[str, Config]:
        """The models as typed (after `is_valid`), by column key."""
        data = self.cleaned_data
        return {col.key: Config(
            {code: data[f"{col.key}__{code}"] for code in Indicator.values},
            {code: data[f"{col.key}__line__{code}"] for code, _name in self.lines},
            data[f"{col.key}__yellow_from"], data[f"{col.key}__red_from"])
            for col in self.cols}

    def configs_by_type(self) -> dict[int | None, Config]:
        configs = self.configs()
        return {col.grid_type.pk if col.grid_type else None: configs[col.key]
                for col in self.cols}


class SettingForm(forms.Form):
    auto_apply = forms.BooleanField(
        label=gettext_lazy("Apply computed levels automatically"), required=False,
        help_text=gettext_lazy("Off: each change waits for the community's confirmation."))


class OverrideForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level to keep or set"), choices=Level.choices)
    note = forms.CharField(label=gettext_lazy("Why"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=2000,
                           required=False)

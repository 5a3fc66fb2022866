"""Admin pages of dynamic grading: read-only views of what the console writes (the model,
settings and decisions change through the console or the API, i.e. through the services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from wangge.core.admin import ReadOnlyAdminMixin
from wangge.core.scope import ScopedAdminMixin
from wangge.grading.models import GradingModel, GradingRun, GradingSetting, LevelProposal


class ReadOnlyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Grading rows with their history, shown and never edited here."""


@admin.register(GradingModel)
class GradingModelAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "yellow_from", "red_from", "updated_by", "updated_at"]


@admin.register(GradingSetting)
class GradingSettingAdmin(ReadOnlyAdmin):
    list_display = ["street", "auto_apply", "updated_by", "updated_at"]


@admin.register(GradingRun)
class GradingRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "kind", "started_at", "actor", "micro_grids", "proposed", "updated",
                    "superseded", "applied"]
    list_filter = ["kind"]


@admin.register(LevelProposal)
class LevelProposalAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["grid", "from_level", "to_level", "score", "status", "decided_by",
                    "decided_at"]
    list_filter = ["status", "to_level"]
    list_select_related = ["grid", "decided_by"]

"""The street edits its reference data here (categories with time limits, level limits, the
working calendar). Cases are read here, never changed: every move goes through the
workflow (`services.case_act`), from the console or the API."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from wangge.cases.models import (
    CalendarDay,
    Case,
    CaseStep,
    Category,
    DirectLineItem,
    DirectLineMeeting,
    LevelLimit,
    TriageModel,
)
from wangge.core.scope import ScopedAdminMixin


class NoDelete:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnly(NoDelete):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(NoDelete, SimpleHistoryAdmin):
    """The category tree and each category's time limits; retire a category with
    `active`, never delete it (cases refer to it)."""

    list_display = ["name", "code", "parent", "response_hours", "handling_days",
                    "default_unit", "active", "sort_order"]
    list_filter = ["parent", "active"]
    list_editable = ["response_hours", "handling_days", "active", "sort_order"]
    search_fields = ["name", "code", "keywords"]


@admin.register(LevelLimit)
class LevelLimitAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ["level", "working_hours", "warn_hours"]
    list_editable = ["working_hours", "warn_hours"]


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    """Public holidays on weekdays and make-up workdays on weekends."""

    list_display = ["day", "workday", "name"]
    list_filter = ["workday"]
    date_hierarchy = "day"


class StepInline(admin.TabularInline):
    model = CaseStep
    fields = ["seq", "action", "from_status", "to_status", "to_level", "actor_name", "note",
              "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ScopedAdminMixin, ReadOnly, admin.ModelAdmin):
    scope_path = "grid__code"
    list_display = ["tracking_code", "title", "category", "source", "status", "level",
                    "grid", "reported_at"]
    list_filter = ["status", "level", "source", "category__parent"]
    search_fields = ["tracking_code", "title", "external_id"]
    date_hierarchy = "reported_at"
    exclude = ["reporter_phone", "reporter_phone_hash", "reporter_email"]
    inlines = [StepInline]
    list_select_related = ["category", "grid"]


@admin.register(DirectLineMeeting)
class DirectLineMeetingAdmin(ScopedAdminMixin, ReadOnly, SimpleHistoryAdmin):
    scope_path = "street__code"
    list_display = ["held_on", "title", "street", "status"]


@admin.register(DirectLineItem)
class DirectLineItemAdmin(ScopedAdminMixin, ReadOnly, admin.ModelAdmin):
    scope_path = "case__grid__code"
    list_display = ["case", "meeting", "reason", "decision", "decided_at"]


@admin.register(TriageModel)
class TriageModelAdmin(ReadOnly, admin.ModelAdmin):
    """The trained triage models and how well each did; written only by `train-triage`."""

    list_display = ["trained_at", "cases", "accuracy"]
    exclude = ["params"]

"""Patrols and visits are read here, never changed: workers record them from the workbench
(`/m/`) or its API, through `workbench.services`."""

from django.contrib import admin

from wangge.core.scope import ScopedAdminMixin
from wangge.workbench.models import Finding, Patrol, PatrolVisit


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VisitInline(ReadOnly, admin.TabularInline):
    model = PatrolVisit
    fields = ["household", "note", "at"]
    readonly_fields = fields
    extra = 0


class FindingInline(ReadOnly, admin.TabularInline):
    model = Finding
    fields = ["kind", "text", "category", "case", "household", "at", "resolved_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Patrol)
class PatrolAdmin(ReadOnly, ScopedAdminMixin, admin.ModelAdmin):
    """Patrols and visits in the staff member's part of the tree."""

    scope_path = "micro_grid__code"
    list_display = ["started_at", "ended_at", "kind", "worker", "micro_grid"]
    list_filter = ["kind"]
    list_select_related = ["worker", "micro_grid"]
    search_fields = ["worker__name", "micro_grid__code", "micro_grid__name"]
    date_hierarchy = "started_at"
    readonly_fields = ["worker", "micro_grid", "kind", "started_at", "ended_at", "route",
                       "note"]
    inlines = [VisitInline, FindingInline]

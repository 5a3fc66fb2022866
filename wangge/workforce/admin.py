from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from wangge.core.scope import ScopedAdminMixin
from wangge.workforce.models import (
    Assignment,
    MustReportItem,
    PartyOrg,
    Role,
    Worker,
    WorkItem,
)


class NoDelete:
    """Nothing is deleted: an assignment ends, a worker becomes inactive."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Role)
class RoleAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "sort_order"]
    list_editable = ["sort_order"]


@admin.register(WorkItem)
class WorkItemAdmin(NoDelete, SimpleHistoryAdmin):
    """The list of grid work items per role (网格工作事项清单); the street keeps it."""

    list_display = ["title", "role", "sort_order"]
    list_filter = ["role"]
    list_editable = ["sort_order"]


@admin.register(MustReportItem)
class MustReportItemAdmin(NoDelete, SimpleHistoryAdmin):
    """The must-report items (八必报)."""

    list_display = ["title", "sort_order"]
    list_editable = ["sort_order"]


@admin.register(Worker)
class WorkerAdmin(ScopedAdminMixin, NoDelete, SimpleHistoryAdmin):
    scope_path = "assignments__grid__code"
    list_display = ["name", "work_phone", "party_member", "user", "active"]
    list_filter = ["party_member", "active"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user", "person"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdminMixin, NoDelete, SimpleHistoryAdmin):
    """Assignments start and end through the workforce services (one leader per micro-grid);
    here they are read."""

    list_display = ["worker", "role", "grid", "started_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["worker__name", "grid__code", "grid__name"]
    list_select_related = ["worker", "role", "grid"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PartyOrg)
class PartyOrgAdmin(ScopedAdminMixin, NoDelete, SimpleHistoryAdmin):
    list_display = ["name", "level", "grid", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "grid__code"]
    raw_id_fields = ["parent", "grid", "building", "household", "secretary"]

"""Co-governance in the admin: read-only, scoped, with history. Meetings and tasks change
through the console and the API (`services`), never here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from wangge.cases.admin import ReadOnly
from wangge.cogovernance.models import Committee, CommitteeMember, FollowUpTask, Meeting
from wangge.core.scope import ScopedAdminMixin


@admin.register(Committee)
class CommitteeAdmin(ScopedAdminMixin, ReadOnly, SimpleHistoryAdmin):
    list_display = ["name", "grid", "kind", "active"]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ScopedAdminMixin, ReadOnly, SimpleHistoryAdmin):
    scope_path = "committee__grid__code"
    list_display = ["organisation", "committee", "role", "representative_name", "joined_on",
                    "left_on"]
    list_select_related = ["organisation", "committee"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdminMixin, ReadOnly, SimpleHistoryAdmin):
    list_display = ["held_at", "title", "kind", "grid", "status", "public"]
    list_filter = ["kind", "status", "public"]


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(ScopedAdminMixin, ReadOnly, SimpleHistoryAdmin):
    scope_path = "decision__meeting__grid__code"
    list_display = ["title", "assignee_label", "due_on", "status", "overdue"]
    list_filter = ["status", "overdue"]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from wangge.activities.models import Activity, Milestone, Project, ProjectPartner, SignUp, Volunteer
from wangge.core.scope import ScopedAdminMixin


class NoDelete:
    """Nothing is deleted: activities are cancelled, sign-ups withdrawn, volunteers made
    inactive."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Volunteer)
class VolunteerAdmin(NoDelete, ScopedAdminMixin, SimpleHistoryAdmin):
    scope_path = "person__micro_grid__code"
    list_display = ["person", "kind", "party_org", "workplace", "registered_on", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["person__name"]
    raw_id_fields = ["person", "party_org"]


@admin.register(Activity)
class ActivityAdmin(NoDelete, ScopedAdminMixin, SimpleHistoryAdmin):
    """Read here; activities change through the console (status, sign-ups, hours)."""

    scope_path = "community__code"
    list_display = ["title", "community", "kind", "starts_at", "status", "public"]
    list_filter = ["status", "kind", "public"]
    search_fields = ["title"]
    readonly_fields = ["status", "finished_at", "created_by"]
    raw_id_fields = ["organiser"]


@admin.register(SignUp)
class SignUpAdmin(NoDelete, ScopedAdminMixin, SimpleHistoryAdmin):
    scope_path = "activity__community__code"
    list_display = ["volunteer", "activity", "signed_at", "attendance", "hours", "withdrawn_at"]
    list_filter = ["attendance"]
    readonly_fields = ["activity", "volunteer", "signed_at", "attendance", "hours",
                       "withdrawn_at", "signed_by"]


class PartnerInline(admin.TabularInline):
    model = ProjectPartner
    raw_id_fields = ["organisation"]
    extra = 0
    can_delete = False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    can_delete = False


@admin.register(Project)
class ProjectAdmin(NoDelete, ScopedAdminMixin, SimpleHistoryAdmin):
    scope_path = "community__code"
    list_display = ["title", "community", "status", "started_on", "public"]
    list_filter = ["status", "public"]
    inlines = [PartnerInline, MilestoneInline]

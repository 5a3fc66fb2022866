from django.contrib import admin

from wangge.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log: read, filter and search; never changed or deleted."""

    list_display = ["at", "actor_label", "action", "target_label", "reason", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target_label", "target_id", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

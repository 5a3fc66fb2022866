import csv
import io
import json

import axes.admin  # noqa: F401  (registers axes' admins, re-registered below)
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.models import AuditAction, AuditEvent
from wangge.core.security import MANAGE_ACCOUNTS, MANAGE_PERMISSIONS
from wangge.core.services import audit_record

# Characters that make a spreadsheet read a cell as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class ReadOnlyAdminMixin:
    """An admin that shows rows and never adds, changes or deletes them: what the services
    write (the audit log, level changes, events and submissions as received)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log: read, filter and search; never changed or deleted."""

    list_display = ["at", "actor_label", "action", "target_label", "reason", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target_label", "target_id", "reason"]
    date_hierarchy = "at"
    actions = ["export_csv"]


    @admin.action(description=_("Export selected entries as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        """The chosen entries as a CSV file Excel opens (UTF-8 with BOM); the export is itself
        an entry of the log, written in the same transaction."""
        fields = ["at", "actor_label", "action", "target_type", "target_id", "target_label",
                  "reason", "ip_address", "detail"]
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([AuditEvent._meta.get_field(name).verbose_name for name in fields])
        with transaction.atomic():
            count = 0
            for event in queryset.order_by("at", "id").iterator(chunk_size=2000):
                writer.writerow([_cell(value) for value in (
                    timezone.localtime(event.at).isoformat(timespec="seconds"),
                    event.actor_label, event.get_action_display(), event.target_type,
                    event.target_id, event.target_label, event.reason, event.ip_address,
                    json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
                )])
                count += 1
            audit_record(
                actor=request.user, action=AuditAction.EXPORT, request=request,
                target_type=AuditEvent._meta.label_lower,
                target_label=str(AuditEvent._meta.verbose_name_plural),
                detail={"format": "csv", "rows": count},
            )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
        return response


# --- separation of administrator roles (三员分立) -------------------------------------------
# The system administrator (auth.add_user) manages accounts; the security administrator
# (auth.change_group) grants staff status, groups and permissions. Neither can do the other's
# part in the user form, nor change their own groups or permissions, nor make a superuser.

User = get_user_model()
ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "last_login",
                  "date_joined")
PERMISSION_FIELDS = ("is_staff", "groups", "user_permissions")


class RoleSeparatedUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        user = request.user
        if user.is_superuser or obj is None:  # the add form has username and password only
            return fields
        fields.append("is_superuser")
        if not user.has_perm(MANAGE_PERMISSIONS) or obj.pk == user.pk:
            fields.extend(PERMISSION_FIELDS)
        if not user.has_perm(MANAGE_ACCOUNTS):
            fields.extend(ACCOUNT_FIELDS)
        return fields

    def user_change_password(self, request, id, form_url=""):
        if not (request.user.is_superuser or request.user.has_perm(MANAGE_ACCOUNTS)):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


class RoleSeparatedGroupAdmin(GroupAdmin):
    """A member of a group may not change or delete it: no granting oneself more."""

    def _is_member(self, request, obj) -> bool:
        return (obj is not None and not request.user.is_superuser
                and request.user.groups.filter(pk=obj.pk).exists())

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not self._is_member(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self._is_member(request, obj)


for model, model_admin in ((User, RoleSeparatedUserAdmin), (Group, RoleSeparatedGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


# --- unlocking a login (django-axes) -------------------------------------------------------


def _record_unlocks(request, attempts) -> None:
    for attempt in attempts:
        audit_record(
            actor=request.user, action=AuditAction.UNLOCK, request=request,
            target_type=AccessAttempt._meta.label_lower, target_id=str(attempt.pk),
            target_label=attempt.username or attempt.ip_address or "",
            detail={"username": attempt.username, "ip_address": attempt.ip_address,
                    "failures": attempt.failures_since_start},
        )


if admin.site.is_registered(AccessAttempt):
    base_admin = type(admin.site.get_model_admin(AccessAttempt))
    admin.site.unregister(AccessAttempt)

    @admin.register(AccessAttempt)
    class AuditedAccessAttemptAdmin(base_admin):
        """Deleting an attempt record unlocks that login: each deletion is audited."""

        def delete_model(self, request, obj):
            with transaction.atomic():
                _record_unlocks(request, [obj])
                super().delete_model(request, obj)

        def delete_queryset(self, request, queryset):
            with transaction.atomic():
                _record_unlocks(request, list(queryset))
                super().delete_queryset(request, queryset)

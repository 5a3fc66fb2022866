"""The street's settings of its channels: Open311 clients and their keys, 12345 column
mappings, smart doors and the rules that turn door events into cases, and the events
received (read only)."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from wangge.cases import selectors as case_selectors
from wangge.channels import hotline, selectors
from wangge.channels.models import (
    AccessEvent,
    AccessRule,
    ApiClient,
    Door,
    HotlineMapping,
    Open311Submission,
)
from wangge.channels.services import api_client_create
from wangge.core.admin import ReadOnlyAdminMixin
from wangge.core.scope import ScopedAdminMixin, restrict
from wangge.grids.models import Grid
from wangge.registry.models import Building


class NoDelete:
    """Nothing here is deleted: a client, door or rule is made inactive instead."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(NoDelete, SimpleHistoryAdmin):
    """Adding a client issues its key, shown once in a message; only its hash is kept."""

    list_display = ["name", "contact", "key_hint", "active", "intake", "created_at"]
    list_filter = ["active", "intake"]
    search_fields = ["name", "contact"]
    readonly_fields = ["key_hint", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "contact"]
        return ["name", "contact", "active", "intake", "key_hint", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            selectors.cache_clear()  # this process takes the change at once
            return
        client, key = api_client_create(name=obj.name, contact=obj.contact)
        # The admin goes on with `obj` (its log entry, the redirect): make it the new row.
        obj.pk, obj.key_hash, obj.key_hint = client.pk, client.key_hash, client.key_hint
        obj.active, obj.created_at = client.active, client.created_at
        obj._state.adding, obj._state.db = False, client._state.db
        messages.warning(request, format_html(
            gettext("The API key of {name} is <code>{key}</code>. Copy it now and give it to them: "
              "it is not kept and will not be shown again."), name=client.name, key=key))


class HotlineMappingForm(forms.ModelForm):
    class Meta:
        model = HotlineMapping
        fields = ["name", "columns", "category_names", "default"]
        help_texts = {
            "columns": format_lazy(
                _("Our field → their column header, e.g. {example}. Fields: {fields}."),
                example='{"external_id": "工单编号"}', fields=", ".join(hotline.FIELDS)),
            "category_names": _("Their 诉求类型 → our category code; the key \"*\" names the "
                                "category for orders that match nothing else."),
        }

    def clean(self):
        data = super().clean()
        for problem in hotline.mapping_problems(data.get("columns"),
                                                data.get("category_names", {})):
            self.add_error(None, problem)
        if data.get("default"):
            other = HotlineMapping.objects.filter(default=True).exclude(pk=self.instance.pk)
            if other.exists():
                self.add_error("default", gettext(
                    "“%(name)s” is the default mapping; untick it there first.")
                    % {"name": other.first().name})
        return data


@admin.register(HotlineMapping)
class HotlineMappingAdmin(NoDelete, SimpleHistoryAdmin):
    form = HotlineMappingForm
    list_display = ["name", "default"]


class DoorForm(forms.ModelForm):
    class Meta:
        model = Door
        fields = ["code", "name", "micro_grid", "building", "active"]

    def clean(self):
        data = super().clean()
        building, micro = data.get("building"), data.get("micro_grid")
        if building is not None and micro is not None and building.micro_grid_id != micro.pk:
            self.add_error("building", gettext("This building is in another micro-grid."))
        return data


@admin.register(Door)
class DoorAdmin(ScopedAdminMixin, NoDelete, SimpleHistoryAdmin):
    """Doors of the staff member's part of the tree; new ones only in it."""

    scope_path = "micro_grid__code"
    form = DoorForm
    list_display = ["code", "name", "micro_grid", "building", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "micro_grid__code", "micro_grid__name"]
    list_select_related = ["micro_grid", "building"]
    raw_id_fields = ["building"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "micro_grid":
            kwargs["queryset"] = restrict(Grid.objects.micro_grids(), request.user, "code",
                                          distinct=False).order_by("code")
        elif db_field.name == "building":
            kwargs["queryset"] = restrict(Building.objects.all(), request.user,
                                          "micro_grid__code", distinct=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AccessRule)
class AccessRuleAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ["event_type", "category", "min_count", "window_minutes", "urgency",
                    "active"]
    list_filter = ["event_type", "active"]
    list_select_related = ["category"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = case_selectors.leaf_categories()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AccessEvent)
class AccessEventAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the doors sent, as it came (read only)."""

    scope_path = "door__micro_grid__code"
    list_display = ["occurred_at", "door", "event_type", "case_link", "received_at"]
    list_filter = ["event_type"]
    search_fields = ["door__code", "door__name", "event_id", "case__tracking_code"]
    list_select_related = ["door", "case"]
    date_hierarchy = "occurred_at"
    readonly_fields = ["door", "event_type", "occurred_at", "received_at", "event_id",
                       "payload", "case"]

    @admin.display(description=_("case"))
    def case_link(self, obj: AccessEvent) -> str:
        return obj.case.tracking_code if obj.case_id else "-"



@admin.register(Open311Submission)
class Open311SubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Open311 batch requests and what became of them (read only: the drain writes them)."""

    list_display = ["token", "client", "received_at", "case", "filed_at", "error"]
    list_filter = ["client"]
    search_fields = ["token", "case__tracking_code"]
    fields = ["token", "client", "street", "received_at", "case", "filed_at", "error"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("client", "case")


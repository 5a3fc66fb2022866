from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from wangge.core.admin import ReadOnlyAdminMixin
from wangge.grids import selectors, services
from wangge.grids.choices import Tier
from wangge.grids.models import Grid, GridLevelChange, GridType


@admin.register(GridType)
class GridTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]
    ordering = ["sort_order", "code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class GridAdminForm(forms.ModelForm):
    level_reason = forms.CharField(
        label=_("reason for the level change"), required=False, widget=forms.Textarea(
            attrs={"rows": 2}), help_text=_("Required when the level changes."),
    )
    change_reason = forms.CharField(label=_("reason for the change"), required=False)

    class Meta:
        model = Grid
        fields = ["name", "grid_type", "level"]

    def clean(self):
        data = super().clean()
        if self.instance.tier != Tier.MICRO_GRID:
            data["level"] = ""
        elif "level" in self.changed_data and not (data.get("level_reason") or "").strip():
            self.add_error("level_reason", _("A level change needs a reason."))
        return data


@admin.register(Grid)
class GridAdmin(SimpleHistoryAdmin):
    """Boundaries come in through `wangge grids import`, where the tree is checked; here a
    name, a type or a level can be changed, each with its reason kept."""

    form = GridAdminForm
    list_display = ["code", "name", "tier", "level", "grid_type", "parent"]
    list_filter = ["tier", "level", "grid_type"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "grid_type"]
    readonly_fields = ["code", "tier", "parent", "area_m2", "created_at", "updated_at",
                       "level_history"]
    fields = ["code", "tier", "parent", "name", "grid_type", "level", "level_reason",
              "change_reason", "area_m2", "created_at", "updated_at", "level_history"]
    history_list_display = ["name", "level", "grid_type"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("level history"))
    def level_history(self, obj: Grid):
        changes = selectors.grid_level_history(grid=obj)
        if not changes:
            return "-"
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("changed at"), _("level"), _("reason"), _("changed by"),
            format_html_join("", "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>", (
                (localtime(c.changed_at).strftime("%Y-%m-%d %H:%M"),
                 c.get_from_level_display() or "-", c.get_to_level_display(), c.reason,
                 c.changed_by or _("system"))
                for c in changes
            )),
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        original = Grid.objects.get(pk=obj.pk)
        try:
            services.grid_update(
                grid=original, actor=request.user, name=data["name"],
                grid_type=data.get("grid_type"),
                reason=data.get("change_reason") or str(_("changed in the admin")),
            )
            if original.tier == Tier.MICRO_GRID and data.get("level") != original.level:
                services.grid_set_level(grid=original, level=data["level"], actor=request.user,
                                        reason=data["level_reason"])
        except services.GridChangeError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)


@admin.register(GridLevelChange)
class GridLevelChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["grid", "from_level", "to_level", "reason", "changed_by", "changed_at"]
    list_filter = ["to_level"]
    search_fields = ["grid__code", "grid__name", "reason"]
    list_select_related = ["grid", "changed_by"]
    date_hierarchy = "changed_at"


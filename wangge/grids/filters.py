import django_filters
from django.utils.translation import gettext_lazy as _

from wangge.grids.choices import Level, Tier
from wangge.grids.models import Grid


class GridFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices, help_text=_("green, yellow or red"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    parent = django_filters.CharFilter(field_name="parent__code", help_text=_("parent's code"))
    code = django_filters.CharFilter(
        field_name="code", lookup_expr="startswith", help_text=_("code prefix: a whole subtree")
    )

    class Meta:
        model = Grid
        fields = ["level", "tier", "parent", "code"]

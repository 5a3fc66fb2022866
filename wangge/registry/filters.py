import django_filters
from django.utils.translation import gettext_lazy as _

from wangge.core.validators import InvalidValue, parse_resident_id
from wangge.registry.choices import (
    FacilityCondition,
    HouseUse,
    OrganisationKind,
    PersonStatus,
    PopulationType,
)
from wangge.registry.models import Building, Facility, House, Household, Organisation, Person
from wangge.registry.services import id_number_hash


class PlacedFilter(django_filters.FilterSet):
    grid = django_filters.CharFilter(field_name="micro_grid__code", lookup_expr="startswith",
                                     help_text=_("grid code prefix: a whole subtree"))


class PersonFilter(PlacedFilter):
    name = django_filters.CharFilter(lookup_expr="icontains")
    id_number = django_filters.CharFilter(method="filter_id_number",
                                          help_text=_("exact resident ID number"))
    care_group = django_filters.CharFilter(field_name="care_groups__code",
                                           help_text=_("care group code"))
    population_type = django_filters.ChoiceFilter(choices=PopulationType.choices)
    status = django_filters.ChoiceFilter(choices=PersonStatus.choices)

    class Meta:
        model = Person
        fields = ["grid", "name", "id_number", "care_group", "population_type", "status"]

    def filter_id_number(self, queryset, name, value):
        try:
            number = parse_resident_id(value).number
        except InvalidValue:
            return queryset.none()
        # `exclude(… = "")` repeats the condition of the partial unique index on the hash,
        # without which SQLite reads the whole table.
        return queryset.filter(id_number_hash=id_number_hash(number)).exclude(id_number_hash="")


class HouseholdFilter(PlacedFilter):
    class Meta:
        model = Household
        fields = ["grid"]


class HouseFilter(PlacedFilter):
    use = django_filters.ChoiceFilter(choices=HouseUse.choices)

    class Meta:
        model = House
        fields = ["grid", "use", "building"]


class BuildingFilter(PlacedFilter):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Building
        fields = ["grid", "name"]


class OrganisationFilter(PlacedFilter):
    name = django_filters.CharFilter(lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    credit_code = django_filters.CharFilter()

    class Meta:
        model = Organisation
        fields = ["grid", "name", "kind", "credit_code", "co_governance_member"]


class FacilityFilter(PlacedFilter):
    kind = django_filters.CharFilter(field_name="kind__code")
    condition = django_filters.ChoiceFilter(choices=FacilityCondition.choices)

    class Meta:
        model = Facility
        fields = ["grid", "kind", "condition"]

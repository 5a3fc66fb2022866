"""HTTP API of the registry. Every view starts from `Model.objects.for_user(user)`, so a
record outside the user's subtree is "not found". Personal data is masked; the full values
come only from `POST /api/people/{id}/reveal` with a reason, which is audit-logged."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.core.scope import restrict
from wangge.core.validators import mask_phone, mask_resident_id
from wangge.grids.models import Grid
from wangge.registry import filters, services
from wangge.registry.choices import (
    FacilityCondition,
    HouseUse,
    OrganisationKind,
    PoliticalStatus,
    PopulationType,
    Relation,
)
from wangge.registry.models import (
    Building,
    CareGroup,
    Facility,
    FacilityKind,
    House,
    Household,
    Organisation,
    Person,
)


def _registry_error(exc: services.RegistryError):
    return serializers.ValidationError({"detail": [str(exc)]})


class ScopedMixin:
    """Querysets limited to the user's part of the tree."""

    permission_classes = [IsAuthenticated]
    model = None
    related: tuple[str, ...] = ("micro_grid",)

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user).select_related(*self.related)

    def get_grid(self, code: str) -> Grid:
        """A micro-grid the user may place things in."""
        grid = restrict(Grid.objects.micro_grids().filter(code=code), self.request.user,
                        "code").first()
        if grid is None:
            raise serializers.ValidationError({"micro_grid": [_("No such micro-grid.")]})
        return grid


# --- people ----------------------------------------------------------------------------------


class PersonOutputSerializer(serializers.ModelSerializer):
    micro_grid = serializers.CharField(source="micro_grid.code")
    id_number = serializers.SerializerMethodField(help_text=_("masked"))
    phone = serializers.SerializerMethodField(help_text=_("masked"))
    care_groups = serializers.SerializerMethodField(help_text=_("sensitive groups left out"))
    house = serializers.CharField(source="household.house", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "id_number", "sex", "birth_date", "ethnic_group", "phone",
                  "population_type", "political_status", "registered_address", "care_groups",
                  "note", "status", "relation", "household", "house", "micro_grid",
                  "updated_at"]

    def get_id_number(self, person: Person) -> str:
        return mask_resident_id(person.id_number)

    def get_phone(self, person: Person) -> str:
        return mask_phone(person.phone)

    def get_care_groups(self, person: Person) -> list[str]:
        return [g.code for g in person.care_groups.all() if not g.sensitive]


class PersonInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(required=False)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False)
    name = serializers.CharField(max_length=50, required=False)
    id_number = serializers.CharField(max_length=40, required=False)
    ethnic_group = serializers.CharField(max_length=10, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    population_type = serializers.ChoiceField(choices=PopulationType.choices, required=False)
    political_status = serializers.ChoiceField(choices=PoliticalStatus.choices, required=False,
                                               allow_blank=True)
    registered_address = serializers.CharField(max_length=200, required=False,
                                               allow_blank=True)
    care_groups = serializers.ListField(child=serializers.SlugField(), required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def validate_care_groups(self, codes):
        groups = list(CareGroup.objects.filter(code__in=codes))
        if len(groups) != len(set(codes)):
            raise serializers.ValidationError(_("Unknown care group."))
        return groups


class PersonListApi(ScopedMixin, generics.ListCreateAPIView):
    """People in the user's part of the tree (masked); filter by grid code prefix, name,
    exact ID number, care group, population type. POST registers a person."""

    model = Person
    related = ("micro_grid", "household__house__building")
    serializer_class = PersonOutputSerializer
    filterset_class = filters.PersonFilter

    def get_queryset(self):
        qs = super().get_queryset().prefetch_related("care_groups")
        group = self.request.query_params.get("care_group")
        if group and CareGroup.objects.filter(code=group, sensitive=True).exists() and \
                not self.request.user.has_perm("registry.view_personal_data"):
            return qs.none()
        return qs

    @extend_schema(request=PersonInputSerializer, responses=PersonOutputSerializer)
    def post(self, request):
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("reason", None)
        household = get_object_or_404(Household.objects.for_user(request.user),
                                      pk=values.pop("household", None))
        try:
            person = services.person_create(household=household, actor=request.user, **values)
        except services.RegistryError as exc:
            raise _registry_error(exc) from None
        return Response(PersonOutputSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailApi(ScopedMixin, generics.RetrieveAPIView):
    """One person (masked); PATCH corrects the record with a reason, kept in history."""

    model = Person
    related = ("micro_grid", "household__house__building")
    serializer_class = PersonOutputSerializer

    @extend_schema(request=PersonInputSerializer, responses=PersonOutputSerializer)
    def patch(self, request, pk: int):
        person = self.get_object()
        data = PersonInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "") or _("corrected")
        values.pop("household", None)
        values.pop("relation", None)
        try:
            person = services.person_update(person=person, actor=request.user, reason=reason,
                                            **values)
        except services.RegistryError as exc:
            raise _registry_error(exc) from None
        return Response(PersonOutputSerializer(person).data)


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PersonRevealApi(ScopedMixin, APIView):
    """The unmasked ID number, phone and sensitive care groups, for a reason (audit-logged)."""

    model = Person

    @extend_schema(request=RevealSerializer, responses=serializers.DictField())
    def post(self, request, pk: int):
        person = get_object_or_404(self.get_queryset(), pk=pk)
        data = RevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            revealed = services.person_reveal(person=person, actor=request.user,
                                              reason=data.validated_data["reason"],
                                              request=request)
        except services.RegistryError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        return Response(revealed)


class PersonEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["move_out", "death", "move"])
    date = serializers.DateField()
    household = serializers.IntegerField(required=False)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PersonEventApi(ScopedMixin, APIView):
    """Record that a person moved out (迁出), died, or moved to another household (迁入)."""

    model = Person

    @extend_schema(request=PersonEventSerializer, responses=PersonOutputSerializer)
    def post(self, request, pk: int):
        person = get_object_or_404(self.get_queryset(), pk=pk)
        data = PersonEventSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            if d["kind"] == "move_out":
                person = services.person_move_out(person=person, date=d["date"],
                                                  actor=request.user, note=d.get("note", ""))
            elif d["kind"] == "death":
                person = services.person_record_death(person=person, date=d["date"],
                                                      actor=request.user,
                                                      note=d.get("note", ""))
            else:
                household = get_object_or_404(Household.objects.for_user(request.user),
                                              pk=d.get("household"))
                person = services.person_move_to_household(
                    person=person, household=household,
                    relation=d.get("relation", Relation.OTHER), date=d["date"],
                    actor=request.user, note=d.get("note", ""))
        except services.RegistryError as exc:
            raise _registry_error(exc) from None
        return Response(PersonOutputSerializer(person).data)


class PersonChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    type = serializers.CharField(help_text=_("+ created, ~ changed"))
    reason = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    status = serializers.CharField()
    household = serializers.IntegerField()


class PersonEventOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    date = serializers.DateField()
    note = serializers.CharField()
    from_household = serializers.IntegerField(allow_null=True)
    to_household = serializers.IntegerField(allow_null=True)


class PersonHistorySerializer(serializers.Serializer):
    changes = PersonChangeSerializer(many=True)
    events = PersonEventOutputSerializer(many=True)


class PersonHistoryApi(ScopedMixin, APIView):
    """Every change to the record (masked values) and every event, newest first."""

    model = Person

    @extend_schema(responses=PersonHistorySerializer)
    def get(self, request, pk: int):
        person = get_object_or_404(self.get_queryset(), pk=pk)
        changes = [
            {"at": h.history_date, "by": h.history_user.get_username() if h.history_user else
             None, "type": h.history_type, "reason": h.history_change_reason,
             "name": h.name, "status": h.status, "household": h.household_id}
            for h in person.history.select_related("history_user")
        ]
        events = [{"kind": e.kind, "date": e.date, "note": e.note,
                   "from_household": e.from_household_id, "to_household": e.to_household_id}
                  for e in person.events.all()]
        return Response({"changes": changes, "events": events})


# --- places and things -----------------------------------------------------------------------


class HouseholdSerializer(serializers.ModelSerializer):
    micro_grid = serializers.CharField(source="micro_grid.code", read_only=True)
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all())
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "house", "micro_grid", "members"]

    def get_members(self, household: Household) -> list[dict]:
        return [{"id": p.id, "name": p.name, "relation": p.relation, "status": p.status}
                for p in household.members.all()]


class HouseholdListApi(ScopedMixin, generics.ListCreateAPIView):
    model = Household
    serializer_class = HouseholdSerializer
    filterset_class = filters.HouseholdFilter

    def get_queryset(self):
        return super().get_queryset().prefetch_related("members")

    def perform_create(self, serializer):
        house = get_object_or_404(House.objects.for_user(self.request.user),
                                  pk=serializer.validated_data["house"].pk)
        serializer.instance = services.household_create(house=house, actor=self.request.user)


class HouseholdDetailApi(ScopedMixin, generics.RetrieveAPIView):
    model = Household
    serializer_class = HouseholdSerializer


class HouseSerializer(serializers.ModelSerializer):
    micro_grid = serializers.CharField(source="micro_grid.code", read_only=True)
    use = serializers.ChoiceField(choices=HouseUse.choices)

    class Meta:
        model = House
        fields = ["id", "building", "unit", "number", "use", "micro_grid"]
        read_only_fields = ["building", "unit", "number"]


class HouseListApi(ScopedMixin, generics.ListAPIView):
    model = House
    serializer_class = HouseSerializer
    filterset_class = filters.HouseFilter


class HouseDetailApi(ScopedMixin, generics.RetrieveUpdateAPIView):
    """A house; PATCH its use (owner-occupied, rented, vacant, business)."""

    model = House
    serializer_class = HouseSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        serializer.instance = services.record_update(
            record=serializer.instance, actor=self.request.user, reason=_("use changed"),
            use=serializer.validated_data["use"])


class BuildingSerializer(serializers.ModelSerializer):
    micro_grid = serializers.CharField(source="micro_grid.code", required=False)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Building
        fields = ["id", "name", "address", "lon", "lat", "micro_grid", "grid_set_by_hand",
                  "reason"]
        read_only_fields = ["grid_set_by_hand"]


class BuildingListApi(ScopedMixin, generics.ListCreateAPIView):
    """Buildings; POST with a location (lon, lat) places it by locate, or give a micro-grid."""

    model = Building
    serializer_class = BuildingSerializer
    filterset_class = filters.BuildingFilter

    def perform_create(self, serializer):
        d = serializer.validated_data
        code = d.get("micro_grid", {}).get("code")
        grid = self.get_grid(code) if code else None
        try:
            building = services.building_create(
                name=d["name"], address=d.get("address", ""), lon=d.get("lon"),
                lat=d.get("lat"), micro_grid=grid, actor=self.request.user)
        except services.RegistryError as exc:
            raise _registry_error(exc) from None
        if grid is None and not Building.objects.for_user(self.request.user) \
                .filter(pk=building.pk).exists():
            raise serializers.ValidationError({"detail": [_("Outside your part of the tree.")]})
        serializer.instance = building


class BuildingDetailApi(ScopedMixin, generics.RetrieveUpdateAPIView):
    """A building; PATCH lon/lat to move it (its micro-grid follows), or micro_grid with a
    reason to set it by hand."""

    model = Building
    serializer_class = BuildingSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        d = serializer.validated_data
        building = serializer.instance
        try:
            if "micro_grid" in d:
                building = services.building_set_micro_grid(
                    building=building, micro_grid=self.get_grid(d["micro_grid"]["code"]),
                    actor=self.request.user, reason=d.get("reason", ""))
            if "lon" in d and "lat" in d:
                building = services.building_set_location(
                    building=building, lon=d["lon"], lat=d["lat"], actor=self.request.user,
                    reason=d.get("reason", ""))
            plain = {k: d[k] for k in ("name", "address") if k in d}
            if plain:
                building = services.record_update(record=building, actor=self.request.user,
                                                  reason=d.get("reason", "") or _("changed"),
                                                  **plain)
        except services.RegistryError as exc:
            raise _registry_error(exc) from None
        serializer.instance = building


class OrganisationSerializer(serializers.ModelSerializer):
    micro_grid = serializers.CharField(source="micro_grid.code")
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "credit_code", "kind", "address", "micro_grid", "leader",
                  "phone", "co_governance_member", "active"]

    def get_phone(self, org: Organisation) -> str:
        return mask_phone(org.phone)


class OrganisationListApi(ScopedMixin, generics.ListAPIView):
    """Organisations in the area (create and update them through the organisations ledger)."""

    model = Organisation
    serializer_class = OrganisationSerializer
    filterset_class = filters.OrganisationFilter


class OrganisationDetailApi(ScopedMixin, generics.RetrieveAPIView):
    model = Organisation
    serializer_class = OrganisationSerializer


class FacilitySerializer(serializers.ModelSerializer):
    micro_grid = serializers.CharField(source="micro_grid.code", read_only=True)
    kind = serializers.SlugRelatedField(slug_field="code", queryset=FacilityKind.objects.all())
    condition = serializers.ChoiceField(choices=FacilityCondition.choices, required=False)

    class Meta:
        model = Facility
        fields = ["id", "kind", "code", "lon", "lat", "condition", "note", "micro_grid"]


class FacilityListApi(ScopedMixin, generics.ListCreateAPIView):
    """Facilities (部件); POST places one by its location."""

    model = Facility
    related = ("micro_grid", "kind")
    serializer_class = FacilitySerializer
    filterset_class = filters.FacilityFilter

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        lon, lat = d.pop("lon"), d.pop("lat")
        d["kind_id"] = d.pop("kind").pk
        try:
            [facility] = services.facilities_create_located(
                items=[services.PlacedItem(lon, lat, d)], actor=self.request.user,
                reason=_("registered"))
        except services.RegistryError as exc:
            raise _registry_error(exc) from None
        serializer.instance = facility


class FacilityDetailApi(ScopedMixin, generics.RetrieveUpdateAPIView):
    """A facility; PATCH its condition or note."""

    model = Facility
    related = ("micro_grid", "kind")
    serializer_class = FacilitySerializer
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        d = {k: serializer.validated_data[k] for k in ("condition", "note")
             if k in serializer.validated_data}
        serializer.instance = services.record_update(
            record=serializer.instance, actor=self.request.user, reason=_("condition updated"),
            **d)

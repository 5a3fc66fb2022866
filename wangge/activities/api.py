"""HTTP API of joint activities and co-built projects, under /api/activities/. Every view
starts from the scoped selectors, so a row outside the user's grids is "not found"; people
appear by name only (no ID numbers, no phones). Signing up goes through
`services.signup_create`, the function the console calls."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.activities import selectors, services
from wangge.activities.models import Activity, Milestone, Project, SignUp, Volunteer


class ActivityOutputSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code")
    community_name = serializers.CharField(source="community.name")
    organiser = serializers.CharField(source="organiser.name", default="")
    signed = serializers.IntegerField()
    attended = serializers.IntegerField()
    served_hours = serializers.DecimalField(max_digits=8, decimal_places=1)

    class Meta:
        model = Activity
        fields = ["id", "title", "kind", "status", "community", "community_name", "organiser",
                  "organiser_text", "place", "starts_at", "ends_at", "capacity", "hours",
                  "public", "description", "cancel_reason", "finished_at", "signed",
                  "attended", "served_hours"]


class SignUpOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="volunteer.person.name")
    kind = serializers.CharField(source="volunteer.kind")

    class Meta:
        model = SignUp
        fields = ["id", "activity", "volunteer", "name", "kind", "signed_at", "withdrawn_at",
                  "attendance", "hours"]


class SignUpInputSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField()


class VolunteerOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    micro_grid = serializers.CharField(source="person.micro_grid.code")
    party_org = serializers.CharField(source="party_org.name", default="")
    times = serializers.IntegerField(help_text=_("activities attended"))
    hours_year = serializers.DecimalField(max_digits=8, decimal_places=1,
                                          help_text=_("hours credited this year"))
    hours_total = serializers.DecimalField(max_digits=8, decimal_places=1)

    class Meta:
        model = Volunteer
        fields = ["id", "name", "kind", "micro_grid", "party_org", "workplace",
                  "registered_on", "active", "times", "hours_year", "hours_total"]


class RecordEntrySerializer(serializers.Serializer):
    activity = serializers.IntegerField(source="activity.pk")
    title = serializers.CharField(source="activity.title")
    community = serializers.CharField(source="activity.community.name")
    date = serializers.DateTimeField(source="activity.starts_at")
    hours = serializers.DecimalField(max_digits=4, decimal_places=1)


class RecordYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    activities = serializers.IntegerField()


class ServiceRecordSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    total = serializers.DecimalField(max_digits=8, decimal_places=1)
    years = RecordYearSerializer(many=True)
    entries = RecordEntrySerializer(many=True)


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "done_on", "progress", "note"]


class PartnerSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation.pk")
    name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class ProjectOutputSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code")
    community_name = serializers.CharField(source="community.name")
    progress = serializers.FloatField(help_text=_("mean progress of the milestones, %"))
    partners = PartnerSerializer(many=True)
    milestones = MilestoneSerializer(many=True)

    class Meta:
        model = Project
        fields = ["id", "title", "description", "community", "community_name", "status",
                  "started_on", "public", "progress", "partners", "milestones"]


class ActivityListApi(generics.ListAPIView):
    """Activities in the user's communities: `upcoming=1` for those to come (planned, open),
    `upcoming=0` for past ones (finished, cancelled); `community` a community code."""

    permission_classes = [IsAuthenticated]
    serializer_class = ActivityOutputSerializer

    @extend_schema(parameters=[
        OpenApiParameter("upcoming", bool, description="to come (1) or past (0)"),
        OpenApiParameter("community", str, description="community code")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.activities(user=self.request.user,
                                    finished=params.get("upcoming", "1") in ("0", "false"),
                                    community=params.get("community", ""))


class ActivityDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ActivityOutputSerializer

    def get_object(self):
        try:
            return selectors.activity(user=self.request.user, pk=self.kwargs["pk"])
        except Activity.DoesNotExist:
            raise NotFound from None


class SignUpListApi(APIView):
    """Sign-ups of an activity; POST signs up a volunteer of the register (community
    officers and street staff)."""

    permission_classes = [IsAuthenticated]

    def _activity(self, request, pk: int) -> Activity:
        try:
            return selectors.activity(user=request.user, pk=pk)
        except Activity.DoesNotExist:
            raise NotFound from None

    @extend_schema(responses=SignUpOutputSerializer(many=True))
    def get(self, request, pk: int):
        activity = self._activity(request, pk)
        return Response(SignUpOutputSerializer(selectors.signups(activity=activity),
                                               many=True).data)

    @extend_schema(request=SignUpInputSerializer, responses=SignUpOutputSerializer)
    def post(self, request, pk: int):
        activity = self._activity(request, pk)
        if not selectors.may_manage(request.user):
            raise PermissionDenied(_("Community officers and street staff sign people up."))
        data = SignUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            volunteer = selectors.volunteer(user=request.user, pk=data.validated_data["volunteer"])
        except Volunteer.DoesNotExist:
            raise serializers.ValidationError(
                {"volunteer": [_("No such volunteer in your grids.")]}) from None
        try:
            signup = services.signup_create(activity=activity, volunteer=volunteer,
                                            actor=request.user)
        except services.ActivityError as exc:
            raise serializers.ValidationError({"detail": [str(exc)]}) from None
        return Response(SignUpOutputSerializer(signup).data, status=status.HTTP_201_CREATED)


class VolunteerListApi(generics.ListAPIView):
    """The register of volunteers and registered Party members in the user's grids, each
    with the hours credited this year and in all; filter by `kind`, `q` (name)."""

    permission_classes = [IsAuthenticated]
    serializer_class = VolunteerOutputSerializer

    @extend_schema(parameters=[OpenApiParameter("kind", str), OpenApiParameter("q", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.volunteers(user=self.request.user, q=params.get("q", ""),
                                    kind=params.get("kind", ""))


class ServiceRecordApi(APIView):
    """A person's service record (服务记录): activities attended, hours per year, total."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ServiceRecordSerializer)
    def get(self, request, pk: int):
        try:
            volunteer = selectors.volunteer(user=request.user, pk=pk)
        except Volunteer.DoesNotExist:
            raise NotFound from None
        record = selectors.service_record(volunteer=volunteer)
        return Response(ServiceRecordSerializer({
            "volunteer": volunteer.pk, "name": volunteer.person.name, "kind": volunteer.kind,
            "total": record.total, "entries": record.entries,
            "years": [{"year": y, "hours": h, "activities": n} for y, h, n in record.years],
        }).data)


class ProjectListApi(generics.ListAPIView):
    """Co-built projects in the user's communities with partners, milestones, progress."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProjectOutputSerializer

    def get_queryset(self):
        return selectors.projects(user=self.request.user).prefetch_related("milestones")


class ProjectDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ProjectOutputSerializer

    def get_object(self):
        try:
            return selectors.project(user=self.request.user, pk=self.kwargs["pk"])
        except Project.DoesNotExist:
            raise NotFound from None

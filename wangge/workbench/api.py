"""HTTP API of the workbench, for a phone app: my tasks, and patrols and visits with their
route, households visited and findings. The same selectors (scoped: another worker's patrol
is a 404) and services as the `/m/` pages."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.cases import services as case_services
from wangge.cases.api import CaseSerializer, PhotoField
from wangge.cases.api import _error as case_error
from wangge.cases.choices import Urgency
from wangge.cases.models import Category
from wangge.cogovernance import selectors as cogovernance_selectors
from wangge.cogovernance.api import TaskSerializer as FollowUpSerializer
from wangge.grids.models import Grid
from wangge.registry.models import Household
from wangge.workbench import selectors, services
from wangge.workbench.choices import FindingKind, PatrolKind
from wangge.workbench.forms import parse_points
from wangge.workbench.models import Finding, Patrol, PatrolVisit

# --- output ----------------------------------------------------------------------------------


class VisitSerializer(serializers.ModelSerializer):
    place = serializers.SerializerMethodField()

    class Meta:
        model = PatrolVisit
        fields = ["household", "place", "note", "at"]

    def get_place(self, visit: PatrolVisit) -> str:
        return str(visit.household.house)


class FindingSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.tracking_code", default=None)
    category = serializers.CharField(source="category.code", default=None)

    class Meta:
        model = Finding
        fields = ["id", "kind", "text", "category", "case", "household", "lon", "lat", "at",
                  "resolved_at"]


class PatrolSerializer(serializers.ModelSerializer):
    micro_grid = serializers.CharField(source="micro_grid.code")
    micro_grid_name = serializers.CharField(source="micro_grid.name")
    points = serializers.SerializerMethodField()

    class Meta:
        model = Patrol
        fields = ["id", "kind", "micro_grid", "micro_grid_name", "started_at", "ended_at",
                  "points", "note"]

    def get_points(self, patrol: Patrol) -> int:
        return len(patrol.route)


class PatrolDetailSerializer(PatrolSerializer):
    route = serializers.JSONField(help_text=_("[[lon, lat, ISO time], ...] in the order "
                                              "walked"))
    visits = VisitSerializer(many=True)
    findings = FindingSerializer(many=True)

    class Meta(PatrolSerializer.Meta):
        fields = [*PatrolSerializer.Meta.fields, "route", "visits", "findings"]


def _patrol_error(exc: services.PatrolError) -> Response:
    code = (status.HTTP_409_CONFLICT if isinstance(exc, services.PatrolConflict)
            else status.HTTP_400_BAD_REQUEST)
    return Response({"detail": str(exc)}, status=code)


def _worker_or_404(request):
    worker = selectors.current_worker(request.user)
    if worker is None:
        raise Http404
    return worker


def _patrol(request, pk: int) -> Patrol:
    try:
        return selectors.patrol_get(user=request.user, pk=pk)
    except Patrol.DoesNotExist as exc:
        raise Http404 from exc


def _detail(request, pk: int) -> Response:
    return Response(PatrolDetailSerializer(_patrol(request, pk)).data)


# --- my tasks --------------------------------------------------------------------------------


class MyTasksApi(APIView):
    """My open cases in three piles: overdue, near the deadline, and the rest; and my open
    follow-up tasks from meetings."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("MyTasks", {
        "overdue": CaseSerializer(many=True), "near_deadline": CaseSerializer(many=True),
        "to_do": CaseSerializer(many=True), "follow_ups": FollowUpSerializer(many=True)}))
    def get(self, request):
        worker = _worker_or_404(request)
        tasks = selectors.my_tasks(user=request.user, worker=worker)
        return Response({**{key: CaseSerializer(getattr(tasks, key), many=True).data
                            for key in ("overdue", "near_deadline", "to_do")},
                         "follow_ups": FollowUpSerializer(
                             cogovernance_selectors.my_follow_ups(user=request.user),
                             many=True).data})


# --- patrols ---------------------------------------------------------------------------------


class PatrolStartInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PatrolKind.choices, default=PatrolKind.PATROL)
    micro_grid = serializers.CharField(help_text=_("code of one of my micro-grids"))


class PatrolListApi(generics.ListAPIView):
    """My patrols and visits, newest first; POST starts one (one may run at a time)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PatrolSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular's schema run
            return Patrol.objects.none()
        return selectors.my_patrols(user=self.request.user)

    @extend_schema(request=PatrolStartInput,
                   responses={201: PatrolDetailSerializer, 400: OpenApiResponse(),
                              409: OpenApiResponse()})
    def post(self, request):
        data = PatrolStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        grid = Grid.objects.micro_grids().filter(code=data.validated_data["micro_grid"]).first()
        if grid is None:
            raise serializers.ValidationError({"micro_grid": [_("No such micro-grid.")]})
        try:
            patrol = services.patrol_start(actor=request.user, micro_grid=grid,
                                           kind=data.validated_data["kind"])
        except services.PatrolError as exc:
            return _patrol_error(exc)
        return Response(PatrolDetailSerializer(_patrol(request, patrol.pk)).data,
                        status=status.HTTP_201_CREATED)


class PatrolDetailApi(APIView):
    """One of my patrols with its route, households visited and findings."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PatrolDetailSerializer)
    def get(self, request, pk: int):
        return _detail(request, pk)


class PointsInput(serializers.Serializer):
    points = serializers.ListField(child=serializers.ListField(min_length=3, max_length=4),
                                   max_length=1000,
                                   help_text=_("[[lon, lat, ISO time], ...]"))


class PatrolPointsApi(APIView):
    """Add recorded points to a running patrol's route; resent points are skipped."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PointsInput, responses={200: inline_serializer("PointsAdded", {
        "added": serializers.IntegerField(), "total": serializers.IntegerField()}),
        409: OpenApiResponse()})
    def post(self, request, pk: int):
        patrol = _patrol(request, pk)
        data = PointsInput(data=request.data)
        data.is_valid(raise_exception=True)
        points = parse_points(data.validated_data)
        try:
            added = services.patrol_add_points(patrol=patrol, actor=request.user, points=points)
        except services.PatrolError as exc:
            return _patrol_error(exc)
        return Response({"added": added, "total": len(patrol.route)})


class VisitInput(serializers.Serializer):
    household = serializers.IntegerField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _household(request, patrol: Patrol, pk: int, field: str = "household") -> Household:
    try:
        return selectors.household_get(user=request.user, micro_grid=patrol.micro_grid, pk=pk)
    except Household.DoesNotExist:
        raise serializers.ValidationError(
            {field: [_("No such household in this micro-grid.")]}) from None


class PatrolVisitApi(APIView):
    """Record a household called on."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=VisitInput, responses={200: PatrolDetailSerializer,
                                                  409: OpenApiResponse()})
    def post(self, request, pk: int):
        patrol = _patrol(request, pk)
        data = VisitInput(data=request.data)
        data.is_valid(raise_exception=True)
        household = _household(request, patrol, data.validated_data["household"])
        try:
            services.patrol_visit_household(patrol=patrol, actor=request.user,
                                            household=household,
                                            note=data.validated_data["note"])
        except services.PatrolError as exc:
            return _patrol_error(exc)
        return _detail(request, pk)


class FindingInput(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    turn = serializers.ChoiceField(choices=FindingKind.choices, help_text=_(
        "case: report it as a case now; registry: note that the household's record needs "
        "updating"))
    category = serializers.SlugRelatedField(slug_field="code", required=False,
                                            queryset=Category.objects.filter(active=True))
    household = serializers.IntegerField(required=False)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    photos = serializers.ListField(child=PhotoField(), required=False, max_length=6)

    def validate(self, attrs):
        if attrs["turn"] == FindingKind.CASE and not attrs.get("category"):
            raise serializers.ValidationError({"category": [
                _("Choose a category to report it as a case.")]})
        if attrs["turn"] == FindingKind.REGISTRY and not attrs.get("household"):
            raise serializers.ValidationError({"household": [
                _("Choose the household whose record needs updating.")]})
        if (attrs.get("lon") is None) != (attrs.get("lat") is None):
            raise serializers.ValidationError(_("Give both longitude and latitude."))
        return attrs


class PatrolFindingApi(APIView):
    """A finding, turned in one step into a case (placed at the point given or where the
    route was last) or into a note that a household's record needs updating."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=FindingInput, responses={201: FindingSerializer,
                                                    400: OpenApiResponse(),
                                                    409: OpenApiResponse()})
    def post(self, request, pk: int):
        patrol = _patrol(request, pk)
        data = FindingInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        household = _household(request, patrol, v["household"]) if v.get("household") else None
        try:
            if v["turn"] == FindingKind.CASE:
                finding = services.patrol_finding_to_case(
                    patrol=patrol, actor=request.user, text=v["text"], category=v["category"],
                    household=household, lon=v.get("lon"), lat=v.get("lat"),
                    urgency=v["urgency"], photos=v.get("photos", []))
            else:
                finding = services.patrol_finding_to_registry_note(
                    patrol=patrol, actor=request.user, text=v["text"], household=household)
        except services.PatrolError as exc:
            return _patrol_error(exc)
        except case_services.CaseError as exc:
            return case_error(exc)
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)


class EndInput(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class PatrolEndApi(APIView):
    """End a running patrol with a summary of what was seen."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=EndInput, responses={200: PatrolDetailSerializer,
                                                409: OpenApiResponse()})
    def post(self, request, pk: int):
        patrol = _patrol(request, pk)
        data = EndInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.patrol_end(patrol=patrol, actor=request.user,
                                note=data.validated_data["note"])
        except services.PatrolError as exc:
            return _patrol_error(exc)
        return _detail(request, pk)

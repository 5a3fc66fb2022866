"""HTTP API of cases. Staff endpoints start from `Case.objects.for_user(user)` (a case
outside the user's part of the tree is 404); each workflow step has its own endpoint,
`POST /api/cases/{code}/{action}/`, which calls `services.case_act`. A step that lost a
race, or is not allowed from the case's status, answers 409 with the case as it is now.

Residents use `POST /api/appeals/` (no login) and follow and rate their case by its
tracking code; nothing there shows anyone's personal data."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from wangge.cases import selectors, services
from wangge.cases.choices import Action, Decision, Evaluation, Outcome, Source, Urgency
from wangge.cases.filters import CaseFilter
from wangge.cases.models import Case, CasePhoto, Category, DirectLineMeeting
from wangge.core.scope import restrict
from wangge.core.validators import mask_phone
from wangge.grids.models import Grid
from wangge.grids.selectors import first_street
from wangge.registry.models import Building
from wangge.workforce.models import Worker

# --- output ----------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None)

    class Meta:
        model = Category
        fields = ["code", "name", "parent", "description", "response_hours", "handling_days",
                  "default_unit"]


class StepSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    from_level = serializers.CharField()
    to_level = serializers.CharField()
    responsible = serializers.CharField(source="responsible.code")
    by = serializers.CharField(source="actor_name")
    note = serializers.CharField()
    data = serializers.JSONField()
    at = serializers.DateTimeField()


class CaseSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    grid = serializers.CharField(source="grid.code")
    grid_name = serializers.CharField(source="grid.name")
    responsible = serializers.CharField(source="responsible.code")
    handler = serializers.CharField(source="handler.name", default=None)
    reporter_phone = serializers.SerializerMethodField(help_text=_("masked"))
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["tracking_code", "source", "external_id", "category", "category_name",
                  "title", "description", "urgency", "address", "lon", "lat", "building",
                  "grid", "grid_name", "responsible", "level", "max_level", "status",
                  "version", "reporter_name", "reporter_phone", "handler", "handling_unit",
                  "duplicate_of", "reported_at", "accepted_at", "handled_at", "closed_at",
                  "response_due_at", "due_at", "level_due_at", "deferred_until",
                  "deferral_requested", "outcome", "result", "evaluation",
                  "evaluation_comment", "rework_count", "published", "overdue"]

    def get_reporter_phone(self, case: Case) -> str:
        return mask_phone(case.reporter_phone)

    def get_overdue(self, case: Case) -> bool:
        from django.utils import timezone

        from wangge.cases.choices import RUNNING

        return bool(case.status in RUNNING and case.level_due_at
                    and case.level_due_at < timezone.now())


class DiscussionSerializer(serializers.Serializer):
    plan = serializers.CharField()
    participants = serializers.CharField()
    units = serializers.CharField()
    at = serializers.DateTimeField()


class FeedbackSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    result = serializers.CharField()
    at = serializers.DateTimeField()
    evaluation = serializers.CharField()
    evaluation_comment = serializers.CharField()


class PhotoSerializer(serializers.Serializer):
    stage = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, photo: CasePhoto) -> str:
        """Photos are served through the console, which checks the viewer's scope."""
        from django.urls import reverse

        return reverse("console:case-photo", args=[photo.case.tracking_code, photo.pk])


class CaseDetailSerializer(CaseSerializer):
    steps = StepSerializer(many=True)
    discussions = DiscussionSerializer(many=True)
    feedback = FeedbackSerializer(many=True)
    photos = PhotoSerializer(many=True)
    duplicate_of = serializers.CharField(source="duplicate_of.tracking_code", default=None)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "steps", "discussions", "feedback", "photos"]


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    case = inline_serializer("CaseState", {
        "tracking_code": serializers.CharField(), "status": serializers.CharField(),
        "level": serializers.CharField(), "version": serializers.IntegerField()})


def _conflict(exc: services.CaseConflict) -> Response:
    body = {"detail": str(exc)}
    if exc.case is not None:
        body["case"] = {"tracking_code": exc.case.tracking_code, "status": exc.case.status,
                        "level": exc.case.level, "version": exc.case.version}
    return Response(body, status=status.HTTP_409_CONFLICT)


def _error(exc: services.CaseError) -> Response:
    if isinstance(exc, services.CaseConflict):
        return _conflict(exc)
    if isinstance(exc, services.CasePermissionDenied):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


# --- input -----------------------------------------------------------------------------------


class PhotoField(serializers.ImageField):
    def to_internal_value(self, data):
        image = super().to_internal_value(data)
        if image.size > settings.WANGGE_PHOTO_MAX_BYTES:
            raise serializers.ValidationError(
                _("A photo may be at most %(mb)d MB.")
                % {"mb": settings.WANGGE_PHOTO_MAX_BYTES // (1024 * 1024)})
        return image


class ReportInputSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="code",
                                            queryset=Category.objects.filter(active=True))
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180,
                                 max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    photos = serializers.ListField(child=PhotoField(), required=False, max_length=6)

    def validate(self, attrs):
        if (attrs.get("lon") is None) != (attrs.get("lat") is None):
            raise serializers.ValidationError(_("Give both longitude and latitude."))
        return attrs


class StaffReportInputSerializer(ReportInputSerializer):
    source = serializers.ChoiceField(choices=Source.choices, default=Source.PATROL)
    building = serializers.IntegerField(required=False)
    grid = serializers.CharField(required=False, help_text=_("micro-grid code, when there is "
                                                             "no point or building"))
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=60, required=False, allow_blank=True)


class AppealInputSerializer(ReportInputSerializer):
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                  help_text=_("kept private; used to tell you the result"))


# --- staff endpoints -------------------------------------------------------------------------


class CaseListApi(generics.ListAPIView):
    """Cases in the user's part of the tree; POST reports a new one (上报事件)."""

    permission_classes = [IsAuthenticated]
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    @extend_schema(request=StaffReportInputSerializer,
                   responses={201: CaseDetailSerializer, 400: OpenApiResponse(),
                              403: OpenApiResponse()})
    def post(self, request):
        data = StaffReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        building = None
        if v.get("building"):
            building = restrict(Building.objects.filter(pk=v["building"]), request.user,
                                "micro_grid__code").first()
            if building is None:
                raise serializers.ValidationError({"building": [_("No such building.")]})
        grid = None
        if v.get("grid"):
            grid = restrict(Grid.objects.filter(code=v["grid"]), request.user, "code").first()
            if grid is None:
                raise serializers.ValidationError({"grid": [_("No such grid.")]})
        try:
            case = services.case_report(
                source=v["source"], category=v["category"], title=v.get("title", ""),
                description=v["description"], urgency=v["urgency"], lon=v.get("lon"),
                lat=v.get("lat"), address=v.get("address", ""), building=building, grid=grid,
                reporter_name=v.get("reporter_name", ""),
                reporter_phone=v.get("reporter_phone", ""),
                external_id=v.get("external_id", ""), photos=v.get("photos", []),
                actor=request.user)
        except services.CaseError as exc:
            return _error(exc)
        case = selectors.case_get(user=request.user, code=case.tracking_code)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(APIView):
    """One case with its timeline and its three lists."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, code: str):
        try:
            case = selectors.case_get(user=request.user, code=code)
        except Case.DoesNotExist as exc:
            raise Http404 from exc
        return Response(CaseDetailSerializer(case).data)


class DuplicateSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(source="case.tracking_code")
    title = serializers.CharField(source="case.title")
    status = serializers.CharField(source="case.status")
    reported_at = serializers.DateTimeField(source="case.reported_at")
    distance_m = serializers.FloatField(allow_null=True)


class CaseDuplicatesApi(APIView):
    """Possible duplicates of a case: same category, near in place and time."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DuplicateSerializer(many=True))
    def get(self, request, code: str):
        try:
            case = selectors.case_get(user=request.user, code=code)
        except Case.DoesNotExist as exc:
            raise Http404 from exc
        found = selectors.possible_duplicates(
            category=case.category, lon=case.lon, lat=case.lat, at=case.reported_at,
            grid_code=case.grid.code, exclude_id=case.pk, user=request.user)
        return Response(DuplicateSerializer(found, many=True).data)


class StepInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text=_(
        "the version you saw; if the case has moved since, the answer is 409"))
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                 default="")


class DispatchInput(StepInput):
    handler = serializers.IntegerField(required=False, help_text=_("worker id"))
    handling_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    plan = serializers.CharField(max_length=2000)
    participants = serializers.CharField(max_length=300, required=False, allow_blank=True)
    units = serializers.CharField(max_length=300, required=False, allow_blank=True)


class HandleInput(StepInput):
    outcome = serializers.ChoiceField(choices=Outcome.choices, default=Outcome.RESOLVED)
    result = serializers.CharField(max_length=4000)
    photos = serializers.ListField(child=PhotoField(), required=False, max_length=6)


class HandleOnSpotInput(HandleInput):
    plan = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class EvaluateInput(StepInput):
    evaluation = serializers.ChoiceField(choices=Evaluation.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class DuplicateInput(StepInput):
    duplicate_of = serializers.CharField(help_text=_("tracking code of the original case"))


class DeferInput(StepInput):
    until = serializers.DateField(required=False, allow_null=True)


class DiscussInput(StepInput):
    plan = serializers.CharField(max_length=2000)
    participants = serializers.CharField(max_length=300, required=False, allow_blank=True)
    units = serializers.CharField(max_length=300, required=False, allow_blank=True)


class RelocateInput(StepInput):
    grid = serializers.CharField(help_text=_("micro-grid code"))


class DecisionInput(StepInput):
    decision = serializers.ChoiceField(choices=Decision.choices)
    handler = serializers.IntegerField(required=False)
    handling_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    days = serializers.IntegerField(required=False, min_value=1, max_value=365, default=10)
    until = serializers.DateField(required=False, allow_null=True)


# The input each step takes; steps not listed take a version and a note.
STEP_INPUTS: dict[str, type[serializers.Serializer]] = {
    Action.DISPATCH: DispatchInput,
    Action.HANDLE: HandleInput,
    Action.HANDLE_ON_SPOT: HandleOnSpotInput,
    Action.EVALUATE: EvaluateInput,
    Action.REOPEN: EvaluateInput,
    Action.MARK_DUPLICATE: DuplicateInput,
    Action.DEFER: DeferInput,
    Action.DISCUSS: DiscussInput,
    Action.RELOCATE: RelocateInput,
    Action.DIRECT_LINE_DECISION: DecisionInput,
}
# Steps people take through the API (the sweep's warnings are its own).
API_STEPS = [a for a in Action.values if a not in (Action.REPORT, Action.WARN)]


def _resolve(request, case: Case, action: str, values: dict) -> dict:
    """Turn ids and codes in the input into the records the service needs."""
    params = dict(values)
    if params.get("handler"):
        worker = Worker.objects.filter(pk=params["handler"], active=True).first()
        if worker is None:
            raise serializers.ValidationError({"handler": [_("No such worker.")]})
        params["handler"] = worker
    if action == Action.MARK_DUPLICATE:
        original = (Case.objects.for_user(request.user)
                    .filter(tracking_code=params["duplicate_of"].strip().upper()).first())
        if original is None:
            raise serializers.ValidationError({"duplicate_of": [_("No such case.")]})
        params["duplicate_of"] = original
    if action == Action.RELOCATE:
        grid = restrict(Grid.objects.micro_grids().filter(code=params["grid"]),
                        request.user, "code").first()
        if grid is None:
            raise serializers.ValidationError({"grid": [_("No such micro-grid.")]})
        params["grid"] = grid
    return params


class CaseStepApi(APIView):
    """Base of the per-step endpoints; `action` is set by `step_view`."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action: str = ""

    def post(self, request, code: str):
        case = Case.objects.for_user(request.user).filter(
            tracking_code=code.strip().upper()).first()
        if case is None:
            raise Http404
        data = STEP_INPUTS.get(self.action, StepInput)(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version, note = values.pop("version", None), values.pop("note", "")
        photos = values.pop("photos", [])
        params = _resolve(request, case, self.action, values)
        try:
            services.case_act(case=case.pk, action=self.action, actor=request.user,
                              note=note, expected_version=version, photos=photos, **params)
        except services.CaseError as exc:
            return _error(exc)
        return Response(CaseDetailSerializer(
            selectors.case_get(user=request.user, code=case.tracking_code)).data)


def step_view(action: str):
    """A view class for one step, documented with its own input in the schema."""
    label = Action(action).label

    # A function of its own per step, so that each carries its own schema.
    def post(self, request, code: str):
        return CaseStepApi.post(self, request, code)

    return type(f"Case{action.title().replace('_', '')}Api", (CaseStepApi,), {
        "action": action,
        "__doc__": f"{label} ({action}).",
        "post": extend_schema(
            operation_id=f"case_{action}", request=STEP_INPUTS.get(action, StepInput),
            responses={200: CaseDetailSerializer, 400: OpenApiResponse(),
                       403: OpenApiResponse(), 404: OpenApiResponse(),
                       409: ConflictSerializer}, summary=str(label))(post),
    })


class CategoryListApi(generics.ListAPIView):
    """The category tree with each category's time limits."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.categories()


# --- residents ------------------------------------------------------------------------------


class AppealThrottle(AnonRateThrottle):
    scope = "appeal"
    rate = "30/hour"


class PublicStepSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    status = serializers.CharField(source="to_status")
    level = serializers.CharField(source="to_level")
    at = serializers.DateTimeField()


class PublicCaseSerializer(serializers.Serializer):
    """What a reporter (anyone with the tracking code) sees: no names, phones, or notes
    that may carry them."""

    tracking_code = serializers.CharField()
    category = serializers.CharField(source="category.name")
    title = serializers.CharField()
    description = serializers.CharField()
    grid = serializers.CharField(source="grid.name")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    level = serializers.CharField()
    reported_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    result = serializers.CharField()
    outcome = serializers.CharField()
    evaluation = serializers.CharField()
    merged_into = serializers.SerializerMethodField(help_text=_(
        "for a duplicate: the progress of the appeal it was merged into (its status and "
        "result, never its tracking code or its reporter's words)"))
    steps = PublicStepSerializer(many=True)

    def get_merged_into(self, case: Case) -> dict | None:
        original = case.duplicate_of
        if original is None:
            return None
        return {"status": original.status, "status_label": original.get_status_display(),
                "closed_at": original.closed_at, "result": original.result}


class AppealCreatedSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    grid = serializers.CharField()


class AppealCreateApi(APIView):
    """A resident files an appeal (群众诉求), no login needed; the answer carries the
    tracking code to follow it with."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AppealThrottle]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=AppealInputSerializer,
                   responses={201: AppealCreatedSerializer, 400: OpenApiResponse()})
    def post(self, request):
        data = AppealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            case = services.case_report(
                source=Source.ONLINE, category=v["category"], title=v.get("title", ""),
                description=v["description"], urgency=v["urgency"], lon=v.get("lon"),
                lat=v.get("lat"), address=v.get("address", ""),
                grid=None if v.get("lon") is not None else first_street(),
                reporter_name=v.get("name", ""), reporter_phone=v.get("phone", ""),
                photos=v.get("photos", []), actor=None)
        except services.CaseError as exc:
            return _error(exc)
        return Response({"tracking_code": case.tracking_code, "status": case.status,
                         "grid": case.grid.name}, status=status.HTTP_201_CREATED)


class AppealDetailApi(APIView):
    """Follow an appeal by its tracking code."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=PublicCaseSerializer)
    def get(self, request, code: str):
        try:
            case = selectors.case_public_get(code=code)
        except Case.DoesNotExist as exc:
            raise Http404 from exc
        return Response(PublicCaseSerializer(case).data)


class AppealEvaluateApi(APIView):
    """The reporter rates the result: 满意 / 基本满意 close the loop, 不满意 reopens the case."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AppealThrottle]

    @extend_schema(request=EvaluateInput, responses={200: PublicCaseSerializer,
                                                     409: ConflictSerializer})
    def post(self, request, code: str):
        try:
            case = selectors.case_public_get(code=code)
        except Case.DoesNotExist as exc:
            raise Http404 from exc
        data = EvaluateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        action = (Action.REOPEN if v["evaluation"] == Evaluation.DISSATISFIED
                  else Action.EVALUATE)
        try:
            services.case_act(case=case.pk, action=action, actor=None,
                              note=v.get("comment", ""), expected_version=v.get("version"),
                              evaluation=v["evaluation"], comment=v.get("comment", ""))
        except services.CaseError as exc:
            return _error(exc)
        return Response(PublicCaseSerializer(selectors.case_public_get(code=code)).data)


class PublishedCaseSerializer(serializers.Serializer):
    """A published result: what kind of matter, where (micro-grid, not the house), when,
    and what was done. Neither the resident's own text nor the tracking code: both may
    identify the resident."""

    category = serializers.CharField(source="category.name")
    community = serializers.SerializerMethodField()
    grid = serializers.CharField(source="grid.name")
    reported_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField()
    result = serializers.CharField()
    evaluation = serializers.CharField()

    def get_community(self, case: Case) -> str:
        from wangge.grids.choices import CODE_LENGTH, Tier

        code = case.grid.code[:CODE_LENGTH[Tier.COMMUNITY]]
        return _community_names().get(code, "")


def _community_names() -> dict[str, str]:
    from wangge.grids.choices import Tier

    return dict(Grid.objects.filter(tier=Tier.COMMUNITY).values_list("code", "name"))


class PublishedListApi(generics.ListAPIView):
    """Closed resident appeals and their results, published without personal data."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublishedCaseSerializer

    def get_queryset(self):
        qs = selectors.published_cases()
        grid = self.request.query_params.get("grid")
        return qs.filter(grid__code__startswith=grid) if grid else qs


# --- the secretary's direct line -----------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    street = serializers.CharField(source="street.code")
    items = serializers.SerializerMethodField()

    class Meta:
        model = DirectLineMeeting
        fields = ["id", "held_on", "title", "street", "participants", "minutes", "status",
                  "items"]

    def get_items(self, meeting) -> list[dict]:
        return [{"case": i.case.tracking_code, "title": i.case.title, "reason": i.reason,
                 "decision": i.decision, "decision_note": i.decision_note}
                for i in meeting.items.select_related("case")]


class MeetingInput(serializers.Serializer):
    street = serializers.CharField()
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=100)


class MeetingListApi(generics.ListAPIView):
    """Direct-line meetings of the user's street; POST plans one (cases waiting for the
    direct line go on its agenda)."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeetingSerializer

    def get_queryset(self):
        return DirectLineMeeting.objects.for_user(self.request.user).select_related("street")

    @extend_schema(request=MeetingInput, responses={201: MeetingSerializer})
    def post(self, request):
        data = MeetingInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        street = restrict(Grid.objects.filter(code=v["street"]), request.user, "code").first()
        if street is None:
            raise serializers.ValidationError({"street": [_("No such street.")]})
        try:
            meeting = services.direct_line_meeting_create(
                street=street, held_on=v["held_on"], title=v["title"], actor=request.user)
        except services.CaseError as exc:
            return _error(exc)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDecisionInput(serializers.Serializer):
    case = serializers.CharField(help_text=_("tracking code"))
    decision = serializers.ChoiceField(choices=Decision.choices)
    note = serializers.CharField(max_length=2000)
    handler = serializers.IntegerField(required=False)
    handling_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    days = serializers.IntegerField(required=False, min_value=1, max_value=365, default=10)
    until = serializers.DateField(required=False, allow_null=True)


class MeetingRecordInput(serializers.Serializer):
    participants = serializers.CharField(max_length=2000)
    minutes = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    decisions = MeetingDecisionInput(many=True)


class MeetingRecordApi(APIView):
    """Record a held meeting: participants, minutes and the decision on each case."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=MeetingRecordInput, responses={200: MeetingSerializer,
                                                          409: ConflictSerializer})
    def post(self, request, pk: int):
        meeting = DirectLineMeeting.objects.for_user(request.user).filter(pk=pk).first()
        if meeting is None:
            raise Http404
        data = MeetingRecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        decisions = []
        visible = Case.objects.for_user(request.user)
        for row in v["decisions"]:
            case = visible.filter(tracking_code=row["case"].strip().upper()).first()
            if case is None:
                raise serializers.ValidationError({"decisions": [_("No such case: %(code)s")
                                                                 % {"code": row["case"]}]})
            handler = None
            if row.get("handler"):
                handler = Worker.objects.filter(pk=row["handler"]).first()
            decisions.append(services.MeetingDecision(
                case=case, decision=row["decision"], note=row["note"], handler=handler,
                handling_unit=row.get("handling_unit", ""), days=row.get("days", 10),
                until=row.get("until")))
        try:
            meeting = services.direct_line_meeting_record(
                meeting=meeting, participants=v["participants"], minutes=v.get("minutes", ""),
                decisions=decisions, actor=request.user)
        except services.CaseError as exc:
            return _error(exc)
        return Response(MeetingSerializer(meeting).data)



# --- triage help on intake --------------------------------------------------------------------


class TriageInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000, help_text=_(
        "the new case's description (and title)"))
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180,
                                 max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    at = serializers.DateTimeField(required=False, allow_null=True, help_text=_(
        "when it happened; now when left out"))


class TriageGuessSerializer(serializers.Serializer):
    code = serializers.CharField(source="category.code")
    name = serializers.CharField(source="category.name")
    line = serializers.CharField(source="category.parent.name", default="")
    confidence = serializers.FloatField(allow_null=True, help_text=_(
        "the model's probability, 0–1; null for a keyword match"))


class TriageUnitSerializer(serializers.Serializer):
    unit = serializers.CharField()
    share = serializers.FloatField(allow_null=True)
    in_grid = serializers.FloatField(allow_null=True, help_text=_(
        "share of such closed cases handled within the grid"))


class TriageDuplicateSerializer(DuplicateSerializer):
    category = serializers.CharField(source="case.category.name")
    similarity = serializers.FloatField(allow_null=True)


class TriageModelSerializer(serializers.Serializer):
    trained_at = serializers.DateTimeField()
    cases = serializers.IntegerField()
    accuracy = serializers.JSONField()


class PublicTriageSerializer(serializers.Serializer):
    method = serializers.CharField(help_text=_("classifier, keywords or none"))
    categories = TriageGuessSerializer(many=True)


class TriageSerializer(PublicTriageSerializer):
    unit = TriageUnitSerializer(allow_null=True)
    duplicates = TriageDuplicateSerializer(many=True)
    model = TriageModelSerializer(allow_null=True)


class CaseTriageApi(APIView):
    """Suggestions for a new case from its words: the three likeliest categories with their
    confidence, the unit that usually handles such cases, and likely duplicates among the
    cases you may see (similar words, near in place and time). Suggestions only: nothing
    is filed or chosen."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=TriageInputSerializer, responses=TriageSerializer)
    def post(self, request):
        from wangge.cases import triage

        data = TriageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        found = triage.suggest(v["text"], v.get("lon"), v.get("lat"), v.get("at"),
                               user=request.user)
        return Response(TriageSerializer(found).data)


class AppealTriageThrottle(AppealThrottle):
    """The appeal form asks as the resident types: its own count, so that asking never
    uses up the filing allowance."""

    scope = "appeal-triage"
    rate = "300/hour"


class AppealTriageApi(APIView):
    """For the residents' appeal form: the three likeliest categories for the words typed,
    with their confidence. Never anyone's case."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AppealTriageThrottle]

    @extend_schema(request=TriageInputSerializer, responses=PublicTriageSerializer)
    def post(self, request):
        from wangge.cases import triage

        data = TriageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = triage.suggest(data.validated_data["text"], duplicates=False)
        return Response(PublicTriageSerializer({"method": found.method,
                                                "categories": found.categories}).data)

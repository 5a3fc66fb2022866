"""HTTP API of dynamic grading. Thin views: serializers check format, selectors read,
services write; a proposal outside the user's part of the tree is a 404."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.grading import selectors, services
from wangge.grading.choices import Indicator, ProposalStatus
from wangge.grading.models import GradingModel, LevelProposal
from wangge.grids.choices import Level
from wangge.grids.models import GridType


class ModelSerializer(serializers.Serializer):
    grid_type = serializers.CharField(allow_null=True, help_text=_("type code; null: default"))
    grid_type_name = serializers.CharField(allow_null=True)
    weights = serializers.DictField(child=serializers.FloatField())
    category_weights = serializers.DictField(child=serializers.FloatField())
    yellow_from = serializers.FloatField()
    red_from = serializers.FloatField()
    updated_at = serializers.DateTimeField()


def _model_payload(model: GradingModel) -> dict:
    return {"grid_type": model.grid_type.code if model.grid_type_id else None,
            "grid_type_name": model.grid_type.name if model.grid_type_id else None,
            "weights": model.weights, "category_weights": model.category_weights,
            "yellow_from": model.yellow_from, "red_from": model.red_from,
            "updated_at": model.updated_at}


class ModelInputSerializer(serializers.Serializer):
    grid_type = serializers.CharField(allow_null=True, required=False, default=None,
                                      help_text=_("type code; null or absent: the default"))
    weights = serializers.DictField(child=serializers.FloatField(min_value=0),
                                    help_text=_("indicator code → points per unit"))
    category_weights = serializers.DictField(child=serializers.FloatField(min_value=0),
                                             required=False)
    yellow_from = serializers.FloatField()
    red_from = serializers.FloatField()

    def validate_weights(self, value):
        unknown = set(value) - set(Indicator.values)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown indicator: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
        return value

    def validate_grid_type(self, value):
        if value in (None, ""):
            return None
        try:
            return GridType.objects.get(code=value)
        except GridType.DoesNotExist:
            raise serializers.ValidationError(_("Unknown micro-grid type.")) from None


def _check_tune(user) -> None:
    if not selectors.may_tune(user=user):
        raise PermissionDenied(_("Only the street's officers tune the grading model."))


def _to_config(data: dict):
    try:
        return services.validate_config(
            weights=data["weights"], category_weights=data.get("category_weights") or {},
            yellow_from=data["yellow_from"], red_from=data["red_from"])
    except services.GradingError as exc:
        raise serializers.ValidationError({"non_field_errors": [str(exc)]}) from None


class ModelApi(APIView):
    """The scoring models (one per micro-grid type, and the default); street officers save
    one with POST (kept in its history). Saving does not recompute: POST `recompute`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ModelSerializer(many=True))
    def get(self, request):
        return Response(ModelSerializer([_model_payload(m) for m in selectors.model_list()],
                                        many=True).data)

    @extend_schema(request=ModelInputSerializer, responses=ModelSerializer)
    def post(self, request):
        _check_tune(request.user)
        data = ModelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        config = _to_config(data.validated_data)
        model = services.grading_model_update(
            actor=request.user, grid_type=data.validated_data["grid_type"],
            weights=config.weights, category_weights=config.category_weights,
            yellow_from=config.yellow_from, red_from=config.red_from)
        return Response(ModelSerializer(_model_payload(model)).data)


class PreviewOutputSerializer(serializers.Serializer):
    scored = serializers.IntegerField()
    changes = serializers.IntegerField(help_text=_("micro-grids whose colour would change"))
    saved_changes = serializers.IntegerField(help_text=_("the same with the saved models"))
    recoloured = serializers.IntegerField(
        help_text=_("micro-grids coloured differently from the saved models"))
    moves = serializers.ListField(child=serializers.DictField())
    micro_grids = serializers.ListField(child=serializers.DictField())


class PreviewApi(APIView):
    """How many of your micro-grids would change colour with these models (given as a list
    like POST model takes; types not given keep their saved model). Writes nothing."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        models = ModelInputSerializer(many=True)

    @extend_schema(request=inline_serializer("GradingPreviewInput", {
        "models": ModelInputSerializer(many=True)}), responses=PreviewOutputSerializer)
    def post(self, request):
        _check_tune(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        configs = {}
        for item in data.validated_data["models"]:
            grid_type = item["grid_type"]
            configs[grid_type.pk if grid_type else None] = _to_config(item)
        preview = selectors.grading_preview(user=request.user, configs_by_type=configs)
        return Response(PreviewOutputSerializer({
            "scored": preview.scored, "changes": preview.changes,
            "saved_changes": preview.saved_changes, "recoloured": preview.recoloured,
            "moves": [{"from": m["from"], "to": m["to"], "count": m["count"]}
                      for m in preview.moves()],
            "micro_grids": [{"code": r.code, "name": r.name, "current": r.current,
                             "computed": r.computed, "score": r.score}
                            for r in preview.rows]}).data)


class RunSerializer(serializers.Serializer):
    micro_grids = serializers.IntegerField()
    proposed = serializers.IntegerField()
    updated = serializers.IntegerField()
    superseded = serializers.IntegerField()
    applied = serializers.IntegerField()


class RecomputeApi(APIView):
    """Score every micro-grid now and propose changes (street officers)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=RunSerializer)
    def post(self, request):
        _check_tune(request.user)
        run = services.grading_recompute(actor=request.user)
        return Response(RunSerializer(run).data)


class ProposalSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code")
    grid_name = serializers.CharField(source="grid.name")
    decided_by = serializers.CharField(source="decided_by.get_username", allow_null=True,
                                       default=None)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = LevelProposal
        fields = ["id", "grid", "grid_name", "from_level", "to_level", "score", "yellow_from",
                  "red_from", "contributions", "reasons", "status", "decided_level",
                  "decided_by", "decided_at", "note", "created_at", "updated_at"]

    def get_reasons(self, proposal: LevelProposal) -> list[str]:
        return selectors.contribution_lines(proposal)


class ProposalListApi(APIView):
    """Level proposals in your part of the tree: open ones unless `status` says otherwise
    (`all` for every status)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=[*ProposalStatus.values, "all"])],
        responses=ProposalSerializer(many=True))
    def get(self, request):
        wanted = request.query_params.get("status", ProposalStatus.PROPOSED)
        if wanted not in [*ProposalStatus.values, "all"]:
            raise serializers.ValidationError({"status": [_("Unknown status.")]})
        qs = selectors.proposal_list(user=request.user, status="" if wanted == "all"
                                     else wanted)[:1000]
        return Response(ProposalSerializer(qs, many=True).data)


def _get(request, pk: int) -> LevelProposal:
    try:
        return selectors.proposal_get(user=request.user, pk=pk)
    except LevelProposal.DoesNotExist:
        raise Http404 from None


def _decided(call) -> Response:
    try:
        proposal = call()
    except services.GradingForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except services.GradingError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return Response(ProposalSerializer(proposal).data)


class ProposalConfirmApi(APIView):
    """Confirm a proposal: the level is set with its reasons (community officers and up)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(request=inline_serializer("GradingConfirmInput", {
        "note": serializers.CharField(max_length=2000, required=False, allow_blank=True)}),
        responses=ProposalSerializer)
    def post(self, request, pk: int):
        proposal = _get(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _decided(lambda: services.proposal_confirm(
            proposal=proposal, actor=request.user, note=data.validated_data.get("note", "")))


class ProposalOverrideApi(APIView):
    """Override a proposal: keep the current level or set another, with a note."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        level = serializers.ChoiceField(choices=Level.choices)
        note = serializers.CharField(max_length=2000)

    @extend_schema(request=inline_serializer("GradingOverrideInput", {
        "level": serializers.ChoiceField(choices=Level.choices),
        "note": serializers.CharField(max_length=2000)}), responses=ProposalSerializer)
    def post(self, request, pk: int):
        proposal = _get(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _decided(lambda: services.proposal_override(
            proposal=proposal, actor=request.user, **data.validated_data))

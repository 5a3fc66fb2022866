"""HTTP API of the grid tree. Thin views: input serializers check format, selectors read,
services write."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.grids import selectors, services
from wangge.grids.choices import Level
from wangge.grids.filters import GridFilter
from wangge.grids.models import Grid


class GridRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["code", "name", "tier"]


class GridOutputSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    type = serializers.CharField(source="grid_type.code", allow_null=True, default=None)
    type_name = serializers.CharField(source="grid_type.name", allow_null=True, default=None)
    bbox = serializers.SerializerMethodField()

    class Meta:
        model = Grid
        fields = ["code", "name", "tier", "parent", "level", "type", "type_name", "area_m2",
                  "bbox"]

    def get_bbox(self, grid: Grid) -> list[float] | None:
        if grid.min_lon is None:
            return None
        return [grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat]


class GridDetailSerializer(GridOutputSerializer):
    boundary = serializers.JSONField(help_text=_("GeoJSON geometry, WGS84"))
    ancestors = serializers.SerializerMethodField()

    class Meta(GridOutputSerializer.Meta):
        fields = [*GridOutputSerializer.Meta.fields, "boundary", "ancestors"]

    def get_ancestors(self, grid: Grid) -> list[dict]:
        return GridRefSerializer(selectors.grid_ancestors(grid=grid), many=True).data


class GridListApi(generics.ListAPIView):
    """The grid tree, paginated; filter by level, tier, parent code or code prefix."""

    permission_classes = [AllowAny]
    serializer_class = GridOutputSerializer
    filterset_class = GridFilter

    def get_queryset(self):
        return selectors.grid_list()


class GridDetailApi(generics.RetrieveAPIView):
    """One node with its boundary (GeoJSON) and ancestors."""

    permission_classes = [AllowAny]
    serializer_class = GridDetailSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.grid_list()


class GridFeaturesApi(APIView):
    """Boundaries as a GeoJSON FeatureCollection (same filters as the list), for maps."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter(n, str) for n in ("level", "tier", "parent", "code")],
        responses={200: inline_serializer("FeatureCollection", {
            "type": serializers.CharField(), "features": serializers.ListField()})},
    )
    def get(self, request):
        grids = GridFilter(request.query_params, queryset=selectors.grid_list())
        if not grids.is_valid():
            return Response(grids.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(selectors.feature_collection(grids=grids.qs))


class LocateInputSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180, label=_("longitude"))
    lat = serializers.FloatField(min_value=-90, max_value=90, label=_("latitude"))


class LocateOutputSerializer(serializers.Serializer):
    found = serializers.BooleanField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    micro_grid = GridOutputSerializer(allow_null=True)
    ancestors = GridRefSerializer(many=True)
    message = serializers.CharField()


def _located_payload(located: selectors.Located) -> dict:
    found = located.micro_grid is not None
    return {
        "found": found,
        "lon": located.lon,
        "lat": located.lat,
        "micro_grid": GridOutputSerializer(located.micro_grid).data if found else None,
        "ancestors": GridRefSerializer(located.ancestors, many=True).data,
        "message": "" if found else _("This place is not in any micro-grid of this street."),
    }


class LocateApi(APIView):
    """Which micro-grid holds a point, with its ancestors. Outside: `found` is false."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[LocateInputSerializer], responses=LocateOutputSerializer)
    def get(self, request):
        params = LocateInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        located = selectors.locate_point(**params.validated_data)
        return Response(_located_payload(located))


class LocateBulkApi(APIView):
    """Micro-grid codes for up to 10,000 points in one call (null where outside)."""

    permission_classes = [AllowAny]
    max_points = 10_000

    class LocateBulkInput(serializers.Serializer):
        points = serializers.ListField(
            child=serializers.ListField(child=serializers.FloatField(), min_length=2,
                                        max_length=2),
            max_length=10_000, help_text=_("[[lon, lat], ...]"),
        )

    @extend_schema(
        request=LocateBulkInput,
        responses=inline_serializer("LocateBulkOutput", {
            "codes": serializers.ListField(child=serializers.CharField(allow_null=True))}),
    )
    def post(self, request):
        data = self.LocateBulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        points = [tuple(p) for p in data.validated_data["points"]]
        return Response({"codes": selectors.locate_points(points=points)})


class LevelChangeApi(APIView):
    """Change a micro-grid's level (green/yellow/red) with a reason; kept in its history."""

    permission_classes = [IsAuthenticated]

    class LevelChangeInput(serializers.Serializer):
        level = serializers.ChoiceField(choices=Level.choices)
        reason = serializers.CharField(max_length=2000)

    class OutputSerializer(serializers.Serializer):
        level = serializers.CharField()
        from_level = serializers.CharField()
        reason = serializers.CharField()
        changed_by = serializers.CharField(allow_null=True)
        changed_at = serializers.DateTimeField()

    @extend_schema(request=LevelChangeInput, responses=OutputSerializer(many=True))
    def get(self, request, code: str):
        grid = _get_or_404(code)
        return Response(self.OutputSerializer(
            [_change_payload(c) for c in selectors.grid_level_history(grid=grid)], many=True
        ).data)

    @extend_schema(request=LevelChangeInput, responses=OutputSerializer)
    def post(self, request, code: str):
        grid = _get_or_404(code)
        if not selectors.may_set_level(user=request.user, grid=grid):
            raise PermissionDenied(_("Only the community's or the street's officers change a "
                                     "micro-grid's level."))
        data = self.LevelChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            change = services.grid_set_level(grid=grid, actor=request.user, **data.validated_data)
        except services.GridChangeError as exc:
            raise serializers.ValidationError({"level": [str(exc)]}) from None
        if change is None:
            return Response({"detail": _("The level is unchanged.")}, status=status.HTTP_200_OK)
        return Response(self.OutputSerializer(_change_payload(change)).data,
                        status=status.HTTP_201_CREATED)


def _get_or_404(code: str) -> Grid:
    try:
        return selectors.grid_get(code=code)
    except Grid.DoesNotExist:
        raise Http404 from None


def _change_payload(change) -> dict:
    return {
        "level": change.to_level,
        "from_level": change.from_level,
        "reason": change.reason,
        "changed_by": change.changed_by.get_username() if change.changed_by else None,
        "changed_at": change.changed_at,
    }

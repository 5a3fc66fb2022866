"""HTTP API of the case figures (事件统计). Staff ask for any grid node in their part of the
tree (`GET /api/stats/cases`, `GET /api/stats/cases/ranking`); a node outside it is 404, and
without `grid` the answer is for the widest node they may see. Residents' site:
`GET /api/stats/public`, no login, street-wide only. The figures come from
`cases.stats`; their formulas are in docs/metrics.md."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from wangge.cases import stats
from wangge.cases.choices import Source
from wangge.cases.models import Category
from wangge.core.scope import restrict, scope_prefixes
from wangge.grids.choices import Tier
from wangge.grids.models import Grid

MAX_PERIOD_DAYS = 3660  # ten years
_RATE_HELP = {
    "closure_rate": gettext_lazy("办结率: closed / accepted (received minus declined)"),
    "on_time_rate": gettext_lazy("按期办结率: closed by the handling time limit / closed"),
    "response_rate": gettext_lazy("响应率: accepted or declined within the response time "
                                  "limit / received"),
    "resolution_rate": gettext_lazy("解决率: closed with outcome resolved / closed"),
    "satisfaction_rate": gettext_lazy("满意率: rated satisfied or basically satisfied / closed "
                                      "and rated"),
    "rework_rate": gettext_lazy("返工率: closed after being sent back or reopened at least "
                                "once / closed"),
    "in_grid_rate": gettext_lazy("小事不出格率: closed without leaving the grid level / "
                                 "closed"),
}


# --- input -----------------------------------------------------------------------------------


def _period_fields() -> dict[str, serializers.Field]:
    return {
        "grid": serializers.CharField(
            required=False, max_length=24,
            help_text=gettext_lazy("grid code: its whole subtree; default the widest node you "
                                   "may see")),
        # "from" is a Python keyword, hence the class is built with type().
        "from": serializers.DateField(
            required=False, help_text=gettext_lazy("first day the cases were reported "
                                                   "(local date); default 1 January of `to`'s "
                                                   "year")),
        "to": serializers.DateField(
            required=False, help_text=gettext_lazy("last day the cases were reported (local "
                                                   "date, included); default today")),
    }


class _PeriodMixin:
    def validate(self, attrs):
        to = attrs.get("to") or timezone.localdate()
        start = attrs.get("from") or to.replace(month=1, day=1)
        if start > to:
            raise serializers.ValidationError({"from": [_("The period starts after it ends.")]})
        if (to - start).days > MAX_PERIOD_DAYS:
            raise serializers.ValidationError(
                {"from": [_("Ask for at most ten years at a time.")]})
        attrs["from"], attrs["to"] = start, to
        return attrs


def _validate_by(self, value: str) -> list[str]:
    dims = [d.strip() for d in value.split(",") if d.strip()]
    if len(dims) > 2 or len(set(dims)) != len(dims):
        raise serializers.ValidationError(_("Group by one or two different dimensions."))
    unknown = [d for d in dims if d not in stats.DIMENSIONS]
    if unknown:
        raise serializers.ValidationError(
            _("Unknown grouping: %(names)s.") % {"names": ", ".join(unknown)})
    return dims


StatsQuery = type("StatsQuery", (_PeriodMixin, serializers.Serializer), {
    **_period_fields(),
    "by": serializers.CharField(
        required=False, default="", allow_blank=True,
        help_text=gettext_lazy("group the rows by one of month, category, source, worker, "
                               "community, grid, micro_grid, or two of them separated by a "
                               "comma (rows of the first, each with rows of the second)")),
    "category": serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), required=False,
        help_text=gettext_lazy("category code; a line of work includes its categories")),
    "source": serializers.ChoiceField(choices=Source.choices, required=False),
    "worker": serializers.IntegerField(
        required=False, min_value=0,
        help_text=gettext_lazy("handler's worker id (0: cases without a handler)")),
    "validate_by": _validate_by,
    "__doc__": "Query of the case figures.",
})

RankingQuery = type("RankingQuery", (_PeriodMixin, serializers.Serializer), {
    **_period_fields(),
    "level": serializers.ChoiceField(
        choices=[(Tier.COMMUNITY.value, Tier.COMMUNITY.label),
                 (Tier.GRID.value, Tier.GRID.label)], default=Tier.COMMUNITY,
        help_text=gettext_lazy("rank the communities or the grids inside `grid`")),
    "rate": serializers.ChoiceField(
        choices=[(r, r) for r in stats.RATES], default="closure_rate",
        help_text=gettext_lazy("the rate to rank by (best first: highest, lowest for "
                               "rework_rate); ties go to more cases received")),
    "__doc__": "Query of a ranking.",
})


# --- output ----------------------------------------------------------------------------------


class StatsRateSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text=gettext_lazy(
        "numerator / denominator rounded to 4 places; null when the denominator is 0"))
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()


class StatsCountsSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text=gettext_lazy(
        "cases reported in the period (merged duplicates are never counted)"))
    accepted = serializers.IntegerField(help_text=gettext_lazy("received minus declined"))
    declined = serializers.IntegerField()
    closed = serializers.IntegerField(help_text=gettext_lazy("closed or evaluated"))
    open = serializers.IntegerField(help_text=gettext_lazy("not closed, declined or merged"))
    overdue = serializers.IntegerField(help_text=gettext_lazy(
        "running and past this level's time limit now"))
    responded = serializers.IntegerField()
    closed_on_time = serializers.IntegerField()
    resolved = serializers.IntegerField()
    evaluated = serializers.IntegerField(help_text=gettext_lazy("closed and rated"))
    satisfied = serializers.IntegerField()
    reworked = serializers.IntegerField()
    in_grid = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    open_by_level = serializers.DictField(child=serializers.IntegerField(), help_text=(
        gettext_lazy("open cases by the level holding them now")))


StatsRatesSerializer = type("StatsRatesSerializer", (serializers.Serializer,), {
    name: StatsRateSerializer(help_text=_RATE_HELP[name]) for name in stats.RATES})


class StatsFiguresSerializer(serializers.Serializer):
    counts = StatsCountsSerializer()
    rates = StatsRatesSerializer()


class StatsSubRowSerializer(StatsFiguresSerializer):
    key = serializers.CharField(help_text=gettext_lazy(
        "month YYYY-MM, category code, source, worker id ('' for none) or grid code"))
    label = serializers.CharField()


class StatsRowSerializer(StatsSubRowSerializer):
    rows = StatsSubRowSerializer(many=True, required=False, help_text=gettext_lazy(
        "the second grouping, when `by` has two"))


class StatsGridSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    tier = serializers.CharField()


def _period_output() -> dict[str, serializers.Field]:
    return {"grid": StatsGridSerializer(), "from": serializers.DateField(),
            "to": serializers.DateField()}


StatsSerializer = type("CaseStats", (serializers.Serializer,), {
    **_period_output(),
    "by": serializers.ListField(child=serializers.CharField()),
    "totals": StatsFiguresSerializer(),
    "rows": StatsRowSerializer(many=True),
})


class StatsRankedSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text=gettext_lazy(
        "1 is best; equal rate and received share a rank; null without a rate"))
    code = serializers.CharField()
    name = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    received = serializers.IntegerField()


RankingSerializer = type("CaseRanking", (serializers.Serializer,), {
    **_period_output(),
    "level": serializers.CharField(),
    "rate": serializers.CharField(),
    "rows": StatsRankedSerializer(many=True),
})


class PublicStatsStreetSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    received = serializers.IntegerField()
    closed = serializers.IntegerField()
    closure_rate = StatsRateSerializer()
    satisfaction_rate = StatsRateSerializer()


class PublicStatsSerializer(serializers.Serializer):
    since = serializers.DateField()
    to = serializers.DateField()
    streets = PublicStatsStreetSerializer(many=True)


# --- views -----------------------------------------------------------------------------------


def scoped_grid(user, code: str | None) -> Grid:
    """The grid node asked for if the user may see it, else the widest one they may see
    (a superuser: the first street); 404 when there is none."""
    if code:
        grid = restrict(Grid.objects.filter(code=code), user, "code", distinct=False).first()
    else:
        prefixes = scope_prefixes(user)
        if prefixes is None:
            grid = Grid.objects.filter(tier=Tier.STREET).order_by("code").first()
        elif prefixes:
            grid = Grid.objects.filter(code=min(prefixes, key=lambda c: (len(c), c))).first()
        else:
            grid = None
    if grid is None:
        raise Http404
    return grid


def _below_level() -> Response:
    return Response({"detail": _("This grid is below that level: choose a grid above it, or "
                                 "group by a finer level.")}, status=400)


class CaseStatsApi(APIView):
    """Case figures of a grid subtree and period: counts and the seven rates, optionally
    grouped (事件统计)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[StatsQuery], responses={
        200: StatsSerializer, 400: OpenApiResponse(description="invalid query"),
        404: OpenApiResponse(description="no such grid in your part of the tree")},
        description="Counts of the cases reported in the period in the grid's subtree and "
                    "the rates closure_rate (办结率), on_time_rate (按期办结率), "
                    "response_rate (响应率), resolution_rate (解决率), satisfaction_rate "
                    "(满意率), rework_rate (返工率) and in_grid_rate (小事不出格率), each with "
                    "its numerator and denominator; formulas in docs/metrics.md.")
    def get(self, request: Request) -> Response:
        query = StatsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        grid = scoped_grid(request.user, q.get("grid"))
        try:
            result = stats.case_figures(
                grid=grid, date_from=q["from"], date_to=q["to"], by=q["by"] or (),
                category=q.get("category"), source=q.get("source"), handler=q.get("worker"))
        except ValueError:
            return _below_level()
        return Response(StatsSerializer(result).data)


class CaseRankingApi(APIView):
    """Communities or grids ranked by one rate (排名)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[RankingQuery], responses={
        200: RankingSerializer, 400: OpenApiResponse(description="invalid query"),
        404: OpenApiResponse(description="no such grid in your part of the tree")})
    def get(self, request: Request) -> Response:
        query = RankingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        grid = scoped_grid(request.user, q.get("grid"))
        try:
            rows = stats.ranking(grid=grid, level=q["level"], rate=q["rate"],
                                 date_from=q["from"], date_to=q["to"])
        except ValueError:
            return _below_level()
        return Response(RankingSerializer({
            "grid": grid, "from": q["from"], "to": q["to"], "level": q["level"],
            "rate": q["rate"], "rows": rows}).data)


class PublicStatsThrottle(AnonRateThrottle):
    scope = "public_stats"
    rate = "120/hour"


class PublicStatsApi(APIView):
    """Residents' appeals street-wide since 2020: received, closed, closure and satisfaction
    rates (no login; nothing below the street)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicStatsThrottle]

    @extend_schema(responses=PublicStatsSerializer, auth=[])
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        return Response(PublicStatsSerializer({
            "since": stats.PUBLIC_SINCE, "to": today,
            "streets": stats.public_figures(today=today)}).data)


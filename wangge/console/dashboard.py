"""The dashboard (驾驶舱): the case figures of `cases.stats` for a node and a period, its
children ranked, top categories, overdue cases, and the population of the registry, as
ECharts on one page with a big-screen mode. Every figure links to the list behind it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases import stats
from wangge.cases.choices import RUNNING, Source
from wangge.cases.lists import lists_top_code
from wangge.cases.models import Case
from wangge.cases.periods import PeriodError, month_end, parse_period
from wangge.core.scope import restrict
from wangge.grids.choices import CODE_LENGTH, Tier
from wangge.grids.models import Grid
from wangge.grids.selectors import ancestor_codes
from wangge.registry.choices import PopulationType
from wangge.registry.models import CareGroup
from wangge.registry.selectors import grid_figures

# Nodes whose dashboard figures come from the cache the sweep keeps warm, and for how long
# an entry lives (the sweep runs every WANGGE_SWEEP_INTERVAL seconds, 300 by default).
CACHED_TIERS = (Tier.CITY, Tier.DISTRICT)
CACHE_SECONDS = 900
# The tier whose nodes a node's figures are broken down by.
CHILD_DIM = {Tier.CITY: "community", Tier.DISTRICT: "community", Tier.STREET: "community",
             Tier.COMMUNITY: "grid", Tier.GRID: "micro_grid"}
RATE_LABELS = {
    "closure_rate": "办结率", "on_time_rate": "按期办结率", "response_rate": "响应率",
    "resolution_rate": "解决率", "satisfaction_rate": "满意率", "rework_rate": "返工率",
    "in_grid_rate": "小事不出格率",
}


def _board(**params) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse("console:board") + ("?" + urlencode(query) if query else "")


def _node_figures(node: Grid, date_from: dt.date, date_to: dt.date) -> dict:
    child_dim = CHILD_DIM.get(node.tier)
    return {
        "by_month_source": stats.case_figures(grid=node, date_from=date_from,
                                              date_to=date_to, by=("month", "source")),
        "by_child": stats.case_figures(grid=node, date_from=date_from, date_to=date_to,
                                       by=(child_dim,)) if child_dim else {"rows": []},
        "by_category": stats.case_figures(grid=node, date_from=date_from, date_to=date_to,
                                          by=("category",)),
        "people": grid_figures(code=node.code).get(node.code),
    }


def _cache_key(node: Grid, date_from: dt.date, date_to: dt.date) -> str:
    return f"dashboard:1:{node.code}:{date_from}:{date_to}"  # nothing in it is translated


def node_figures(*, node: Grid, date_from: dt.date, date_to: dt.date) -> dict:
    """The figures the dashboard draws for a node: live for a street and below; for a
    district or a city (hundreds of thousands of figure rows a year) from the cache the
    sweep "dashboard" fills every few minutes, computed here on a miss."""
    if node.tier not in CACHED_TIERS:
        return _node_figures(node, date_from, date_to)
    key = _cache_key(node, date_from, date_to)
    found = cache.get(key)
    if found is None:
        found = _node_figures(node, date_from, date_to)
        cache.set(key, found, CACHE_SECONDS)
    return found


def dashboard_sweep(*, now: dt.datetime | None = None) -> str:
    """Recompute the district and city dashboards of the default period (this year so far)
    into the cache, so that their first visitor does not wait."""
    today = timezone.localdate(now or timezone.now())
    period = (today.replace(month=1, day=1), today)
    nodes = list(Grid.objects.defer("boundary").filter(tier__in=CACHED_TIERS))
    for node in nodes:
        cache.set(_cache_key(node, *period), _node_figures(node, *period), CACHE_SECONDS)
    return f"{len(nodes)} dashboards cached" if nodes else ""


def dashboard_data(*, user, code: str | None, date_from: dt.date, date_to: dt.date) -> dict:
    """Everything the dashboard draws, for the node `code` (default the user's widest)."""
    top = lists_top_code(user=user)
    if top is None:
        return {}
    node = restrict(Grid.objects.defer("boundary").filter(code=code or top), user,
                    "code").first()
    if node is None:
        raise Http404
    board_grid = node.code if len(node.code) <= CODE_LENGTH[Tier.GRID] else ""
    child_dim = CHILD_DIM.get(node.tier)
    figures = node_figures(node=node, date_from=date_from, date_to=date_to)
    by_month_source = figures["by_month_source"]
    totals = by_month_source["totals"]
    period = {"reported_from": date_from.isoformat(), "reported_to": date_to.isoformat()}

    months = [r["key"] for r in by_month_source["rows"]]
    sources = [(s.value, str(s.label)) for s in Source]
    series = []
    for value, label in sources:
        data = []
        for month_row in by_month_source["rows"]:
            cell = next((r for r in month_row.get("rows", []) if r["key"] == value), None)
            data.append(cell["counts"]["received"] if cell else 0)
        if any(data):
            series.append({"key": value, "label": label, "data": data})
    month_links = {
        m: _board(state="all", grid=board_grid, reported_from=f"{m}-01",
                  reported_to=month_end(dt.date.fromisoformat(f"{m}-01")).isoformat())
        for m in months}

    children = []
    if child_dim:
        for row in figures["by_child"]["rows"]:
            children.append({
                "key": row["key"], "label": row["label"],
                "received": row["counts"]["received"], "closed": row["counts"]["closed"],
                "overdue": row["counts"].get("overdue", 0),
                "rates": {k: v["value"] for k, v in row["rates"].items()},
                "link": reverse("console:dashboard") + "?" + urlencode(
                    {"grid": row["key"], "from": date_from, "to": date_to}),
            })

    categories = figures["by_category"]["rows"]
    top_categories = [{"key": r["key"], "label": r["label"],
                       "received": r["counts"]["received"],
                       "link": _board(state="all", grid=board_grid, category=r["key"],
                                      **period)}
                      for r in categories if r["counts"]["received"]][:10]

    overdue = (Case.objects.for_user(user)
               .filter(grid__code__startswith=node.code, status__in=RUNNING,
                       level_due_at__lt=timezone.now())
               .select_related("grid", "category").order_by("level_due_at")[:15])
    overdue_rows = [{"code": c.tracking_code, "title": c.title, "place": c.grid.name,
                     "category": c.category.name, "level": c.get_level_display(),
                     "due": timezone.localtime(c.level_due_at).strftime("%Y-%m-%d %H:%M"),
                     "link": reverse("console:case", args=[c.tracking_code])}
                    for c in overdue]

    people = figures["people"]
    shown_groups = {g.code: g.name for g in CareGroup.objects.filter(sensitive=False)}
    people_url = reverse("registry:person-list")
    population = {
        "total": people.people if people else 0,
        "by_type": [{"key": k, "label": str(PopulationType(k).label), "value": v,
                     "link": people_url + "?" + urlencode({"grid": node.code,
                                                           "population_type": k})}
                    for k, v in (people.by_population_type.items() if people else [])],
        "by_care_group": [{"key": k, "label": shown_groups[k], "value": v,
                           "link": people_url + "?" + urlencode({"grid": node.code,
                                                                 "care_group": k})}
                          for k, v in (people.by_care_group.items() if people else [])
                          if k in shown_groups],
    }
    counts = totals["counts"]
    kpis = [
        {"key": "received", "label": _("received"), "value": counts["received"],
         "link": _board(state="all", grid=board_grid, **period)},
        {"key": "closed", "label": _("closed"), "value": counts["closed"],
         "link": _board(state="finished", grid=board_grid, **period)},
        {"key": "open", "label": _("open"), "value": counts.get("open", 0),
         "link": _board(state="open", grid=board_grid, **period)},
        {"key": "overdue", "label": _("overdue now"), "value": counts.get("overdue", 0),
         "link": _board(state="open", grid=board_grid, overdue="on")},
    ] + [{"key": k, "label": RATE_LABELS[k], "rate": v["value"],
          "detail": f"{v['numerator']}/{v['denominator']}"}
         for k, v in totals["rates"].items() if k in RATE_LABELS]
    return {
        "node": {"code": node.code, "name": node.name, "tier": node.tier},
        "from": date_from.isoformat(), "to": date_to.isoformat(),
        "kpis": kpis, "months": months, "month_links": month_links, "series": series,
        "children": children, "child_dim": child_dim or "",
        "rate_labels": RATE_LABELS, "categories": top_categories,
        "overdue": overdue_rows, "population": population,
        "ancestors": [{"code": g.code, "name": g.name, "link": reverse("console:dashboard")
                       + "?" + urlencode({"grid": g.code, "from": date_from, "to": date_to})}
                      for g in restrict(Grid.objects.defer("boundary").filter(
                          code__in=ancestor_codes(node.code)), user, "code").order_by("code")],
        "text": {"cases": _("cases"), "people": _("people"), "no_data": _("No data yet.")},
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from wangge.console.views import render_console

    today = timezone.localdate()
    default = (today.replace(month=1, day=1), today)  # this year so far
    error = ""
    try:
        date_from, date_to = parse_period(request.GET, default=default)
    except PeriodError as exc:
        error = _("%(problem)s The default period is shown.") % {"problem": exc}
        date_from, date_to = default
    data = dashboard_data(user=request.user, code=request.GET.get("grid"),
                          date_from=date_from, date_to=date_to)
    return render_console(request, "console/dashboard.html",
                          {"data": data, "error": error}, tab="dashboard",
                          status=400 if error else 200)

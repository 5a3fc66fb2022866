"""Case figures (事件统计): counts and the rates of docs/metrics.md (办结率, 按期办结率, 响应率,
解决率, 满意率, 返工率, 小事不出格率) for any grid subtree and period, by month, category,
source, worker or grid node, and rankings of communities and grids.

The figures are precomputed. `facts(case)` says what one case contributes (its key: the
local day it was reported, its grid node, category, source and handler; and a 0/1 counter
for each of `COUNTERS`). `services._move` calls `record_change(case, before, after)` around
every move, in the move's transaction, which adds the difference to three tables:
`CaseDayFigures` (one row per day × grid node × category × source × handler), its roll-up
`CaseMonthFigures` (one row per month × grid node), and that rolled up to the community
(`CaseCommunityMonthFigures`: what a read by community or wider uses). `rebuild()`
recomputes them from the cases with one INSERT … SELECT … GROUP BY each (after bulk loads).

Reads (`case_figures`, `ranking`, `public_figures`) take whole months inside the period
from the month table and the days at either edge from the day table; a filter or grouping
by category, source or worker reads the day table alone. Only "overdue" (a running case
past its level's time limit *now*) is counted from the cases themselves. The reads are a
few small SQL statements written out here (the ORM would take longer to compose them than
the database takes to answer); docs/benchmarks.md has the timings over 1,000,000 cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import connection, models, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases.choices import (
    CLOSED,
    FINISHED,
    RUNNING,
    Evaluation,
    Level,
    Outcome,
    Source,
    Status,
)
from wangge.cases.models import (
    Case,
    CaseCommunityMonthFigures,
    CaseDayFigures,
    CaseMonthFigures,
    Category,
)
from wangge.cases.periods import month_start, next_month, period_bounds
from wangge.grids.choices import CODE_LENGTH, Tier
from wangge.grids.models import Grid
from wangge.workforce.models import Worker

# --- what one case contributes -----------------------------------------------------------

COMMUNITY_CODE = CODE_LENGTH[Tier.COMMUNITY]

# Statuses a case is counted under (a merged duplicate is not counted at all).
STATUS_FIELDS: dict[str, str] = {s.value: f"status_{s.value}" for s in Status
                                 if s != Status.MERGED}
# Open cases (not finished) by the level holding them now.
LEVEL_FIELDS: dict[str, str] = {lv.value: f"open_{lv.value}" for lv in Level}
# The numerators of the rates, each a 0/1 per case.
FLAG_FIELDS: tuple[str, ...] = ("responded", "on_time", "resolved", "rated", "satisfied",
                                "reworked", "in_grid")
COUNTERS: tuple[str, ...] = (*STATUS_FIELDS.values(), *LEVEL_FIELDS.values(), *FLAG_FIELDS)
_SATISFIED = frozenset({Evaluation.SATISFIED, Evaluation.BASICALLY})


class Key(NamedTuple):
    """Where one case is counted in `CaseDayFigures`."""

    day: dt.date
    grid_code: str
    category_id: int
    source: str
    handler: int  # worker id, 0 for none


class Facts(NamedTuple):
    key: Key
    counts: tuple[int, ...]  # one 0/1 per name in COUNTERS


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def facts(case: Case) -> Facts | None:
    """What the figures count of one case as it is now; None for a merged duplicate."""
    if case.status == Status.MERGED or not case.status:
        return None
    closed = case.status in CLOSED
    is_open = case.status not in FINISHED
    flags = {
        "responded": case.accepted_at is not None and case.accepted_at <= case.response_due_at,
        "on_time": closed and case.closed_at is not None and case.closed_at <= case.due_at,
        "resolved": closed and case.outcome == Outcome.RESOLVED,
        "rated": closed and case.evaluation != "",
        "satisfied": closed and case.evaluation in _SATISFIED,
        "reworked": closed and case.rework_count > 0,
        "in_grid": closed and case.max_level == Level.GRID,
    }
    counts = tuple(
        [int(case.status == s) for s in STATUS_FIELDS]
        + [int(is_open and case.level == lv) for lv in LEVEL_FIELDS]
        + [int(flags[name]) for name in FLAG_FIELDS])
    key = Key(_local_date(case.reported_at), case.grid.code, case.category_id, case.source,
              case.handler_id or 0)
    return Facts(key, counts)


def _counter_expressions() -> dict[str, models.Expression]:
    """The same counters as `facts`, as SQL over the cases (for `rebuild`)."""

    def when(condition: Q) -> Sum:
        return Sum(models.Case(models.When(condition, then=1), default=0,
                               output_field=models.IntegerField()))

    closed = Q(status__in=list(CLOSED))
    is_open = ~Q(status__in=list(FINISHED))
    flags = {
        "responded": Q(accepted_at__isnull=False, accepted_at__lte=F("response_due_at")),
        "on_time": closed & Q(closed_at__isnull=False, closed_at__lte=F("due_at")),
        "resolved": closed & Q(outcome=Outcome.RESOLVED),
        "rated": closed & ~Q(evaluation=""),
        "satisfied": closed & Q(evaluation__in=list(_SATISFIED)),
        "reworked": closed & Q(rework_count__gt=0),
        "in_grid": closed & Q(max_level=Level.GRID),
    }
    out = {field: when(Q(status=s)) for s, field in STATUS_FIELDS.items()}
    out |= {field: when(is_open & Q(level=lv)) for lv, field in LEVEL_FIELDS.items()}
    out |= {name: when(flags[name]) for name in FLAG_FIELDS}
    return out


# --- keeping the tables current ----------------------------------------------------------


def record_change(case: Case, before: Facts | None, after: Facts | None) -> None:
    """Add the difference one move made to the precomputed figures, in the caller's
    transaction. Safe under concurrent moves: every change is `n = n + delta` under the row
    lock, and a missing row is inserted (ignoring a concurrent insert of the same key)
    before it is updated. Rows are touched in key order, so two moves never wait on each
    other in opposite orders."""
    day: dict[Key, list[int]] = {}
    for item, sign in ((before, -1), (after, 1)):
        if item is not None:
            row = day.setdefault(item.key, [0] * len(COUNTERS))
            for i, n in enumerate(item.counts):
                row[i] += sign * n
    month: dict[tuple[dt.date, str], list[int]] = {}
    for key, delta in day.items():
        row = month.setdefault((key.day.replace(day=1), key.grid_code), [0] * len(COUNTERS))
        for i, n in enumerate(delta):
            row[i] += n
    for key in sorted(k for k, d in day.items() if any(d)):
        _add(CaseDayFigures, {"day": key.day, "grid_code": key.grid_code,
                              "category_id": key.category_id, "source": key.source,
                              "handler": key.handler}, day[key])
    community: dict[tuple[dt.date, str], list[int]] = {}
    for (first, code), delta in month.items():
        row = community.setdefault((first, code[:COMMUNITY_CODE]), [0] * len(COUNTERS))
        for i, n in enumerate(delta):
            row[i] += n
    for key in sorted(k for k, d in month.items() if any(d)):
        _add(CaseMonthFigures, {"month": key[0], "grid_code": key[1]}, month[key])
    for key in sorted(k for k, d in community.items() if any(d)):
        _add(CaseCommunityMonthFigures, {"month": key[0], "grid_code": key[1]},
             community[key])


def _add(model: type[models.Model], lookup: dict[str, Any], delta: Sequence[int]) -> None:
    changes = {name: F(name) + n for name, n in zip(COUNTERS, delta, strict=True) if n}
    rows = model.objects.filter(**lookup)
    if rows.update(**changes):
        return
    # No row yet: insert an empty one (if another transaction inserts the same key first,
    # PostgreSQL waits for it and then does nothing), then add as above.
    model.objects.bulk_create([model(**lookup)], ignore_conflicts=True)
    if rows.update(**changes) != 1:
        raise RuntimeError(f"could not update the case figures of {lookup}")


def rebuild() -> dict[str, int]:
    """Recompute both tables from the cases (after a bulk load, or to check them). Holds
    moves off the tables meanwhile: on PostgreSQL a move that changes figures waits for the
    rebuild to commit, then adds its difference to the rebuilt rows."""
    tz = timezone.get_default_timezone()
    counters = _counter_expressions()
    with transaction.atomic():
        tables = ", ".join(f'"{m._meta.db_table}"' for m in
                           (CaseDayFigures, CaseMonthFigures, CaseCommunityMonthFigures))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
                # TRUNCATE refuses while foreign-key checks of rows this transaction wrote
                # are pending: run them now, then defer again (Django's default).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {tables}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for table in tables.split(", "):
                    cursor.execute(f"DELETE FROM {table}")
        cases = Case.objects.exclude(status=Status.MERGED)
        _insert_select(CaseDayFigures, cases, {
            "day": TruncDate("reported_at", tzinfo=tz),
            "grid_code": F("grid__code"),
            "category": F("category_id"),
            "source": F("source"),
            "handler": Coalesce("handler_id", 0),
        }, counters)
        _insert_select(CaseMonthFigures, CaseDayFigures.objects.all(), {
            "month": TruncMonth("day"),
            "grid_code": F("grid_code"),
        }, {name: Sum(name) for name in COUNTERS})
        _insert_select(CaseCommunityMonthFigures, CaseMonthFigures.objects.all(), {
            "month": F("month"),
            "grid_code": Substr("grid_code", 1, COMMUNITY_CODE),
        }, {name: Sum(name) for name in COUNTERS})
    return {"day_rows": CaseDayFigures.objects.count(),
            "month_rows": CaseMonthFigures.objects.count(),
            "community_month_rows": CaseCommunityMonthFigures.objects.count()}


def _insert_select(model: type[models.Model], queryset: models.QuerySet,
                   keys: dict[str, models.Expression],
                   sums: dict[str, models.Expression]) -> None:
    """INSERT INTO model (keys…, counters…) SELECT … GROUP BY keys, in one statement."""
    names = [*keys, *sums]
    select = {f"k{i}": expr for i, expr in enumerate(keys.values())}
    totals = {f"s{i}": expr for i, expr in enumerate(sums.values())}
    grouped = queryset.values(**select).annotate(**totals).order_by()
    assert list(grouped.query.annotation_select) == [*select, *totals]  # column order
    sql, params = grouped.query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} ({columns}) {sql}", params)


# --- reading -------------------------------------------------------------------------------

DIMENSIONS: dict[str, str] = {
    "month": "month",
    "category": "category",
    "source": "source",
    "worker": "worker",
    "community": Tier.COMMUNITY,
    "grid": Tier.GRID,
    "micro_grid": Tier.MICRO_GRID,
}
# Dimensions only the day table has.
_FINE = frozenset({"category", "source", "worker"})
RATES: tuple[str, ...] = ("closure_rate", "on_time_rate", "response_rate", "resolution_rate",
                          "satisfaction_rate", "rework_rate", "in_grid_rate")
# Rates where a lower value is better (rankings put the lowest first).
LOWER_IS_BETTER = frozenset({"rework_rate"})


# The reads are plain SQL, written once here: the ORM would spend longer composing these
# small queries than the database spends answering them. `%s` placeholders throughout; a
# dimension or condition is (sql, params).
_Sql = tuple[str, list[Any]]


def _tier_sql(column: str, tier: str) -> _Sql:
    if tier == Tier.MICRO_GRID:
        return column, []
    return f"substr({column}, 1, {CODE_LENGTH[tier]})", []


def _dimension_sql(dim: str, table: str) -> _Sql:
    """The SQL of a grouping over the day table ("day"), the month table ("month") or the
    cases joined to their grid ("case")."""
    ops = connection.ops
    tier = DIMENSIONS[dim]
    if tier in CODE_LENGTH:
        return _tier_sql("g.code" if table == "case" else "grid_code", tier)
    if dim == "month":
        if table == "month":
            return "month", []
        if table == "day":
            sql, params = ops.date_trunc_sql("month", "day", ())
            return sql, list(params)
        sql, params = ops.datetime_trunc_sql("month", "c.reported_at", (),
                                             timezone.get_default_timezone_name())
        return sql, list(params)
    column = {"category": "category_id", "source": "source", "worker": "handler"}[dim]
    if table == "case":
        column = "COALESCE(c.handler_id, 0)" if dim == "worker" else f"c.{column}"
    return column, []


def _like_prefix(code: str) -> str:
    return connection.ops.prep_for_like_query(code) + "%"


def _date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _moment(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _select(*, table: str, source: str, dims: Sequence[str], columns: str,
            where: list[_Sql]) -> dict[tuple, list[int]]:
    """Run one grouped SELECT; {group key tuple: [one int per column]}."""
    selects, params = [], []
    for dim in dims:
        sql, p = _dimension_sql(dim, table)
        selects.append(sql)
        params += p
    conditions = []
    for sql, p in where:
        conditions.append(sql)
        params += p
    sql = (f"SELECT {', '.join([*selects, columns])} FROM {source} "
           f"WHERE {' AND '.join(conditions)}")
    if dims:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(dims)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out: dict[tuple, list[int]] = {}
    for row in rows:
        values = [int(n or 0) for n in row[len(dims):]]
        if not dims and not any(values):
            continue
        key = tuple(_normalise(v) if dim == "month" else v
                    for dim, v in zip(dims, row[:len(dims)], strict=True))
        current = out.setdefault(key, [0] * len(values))
        for i, n in enumerate(values):
            current[i] += n
    return out


_SUMS = ", ".join(f"SUM({name})" for name in COUNTERS)
_ESCAPE = " ESCAPE '\\'"


def split_period(date_from: dt.date, date_to: dt.date
                 ) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """The whole months inside [from, to] (first and last month's first days, or None) and
    the day ranges left at either edge."""
    first = date_from if date_from.day == 1 else next_month(date_from)
    if next_month(date_to) - dt.timedelta(days=1) == date_to:  # `to` ends its month
        last = month_start(date_to)
    else:
        last = month_start(month_start(date_to) - dt.timedelta(days=1))
    if first > last:
        return None, [(date_from, date_to)]
    edges = []
    if date_from < first:
        edges.append((date_from, first - dt.timedelta(days=1)))
    after_last = next_month(last)
    if after_last <= date_to:
        edges.append((after_last, date_to))
    return (first, last), edges


def _normalise(value: Any) -> dt.date:
    """A month key as the database returns it (a date, a timestamp or text) → its date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _merge(into: dict[tuple, list[int]], other: dict[tuple, list[int]]) -> None:
    for key, values in other.items():
        current = into.setdefault(key, [0] * len(values))
        for i, n in enumerate(values):
            current[i] += n


def _in(column: str, values: Iterable[Any]) -> _Sql:
    values = list(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _collect(*, grid_code: str, date_from: dt.date, date_to: dt.date, dims: Sequence[str],
             category_ids: list[int] | None, source: str | None, handler: int | None
             ) -> dict[tuple, list[int]]:
    """Counter sums per group over the precomputed tables."""
    fine = category_ids is not None or source or handler is not None \
        or any(d in _FINE for d in dims)
    months, edges = (None, [(date_from, date_to)]) if fine \
        else split_period(date_from, date_to)
    qn = connection.ops.quote_name
    in_grid = ("grid_code LIKE %s" + _ESCAPE, [_like_prefix(grid_code)])
    out: dict[tuple, list[int]] = {}
    if months is not None:
        # A community or wider, grouped no finer than by community: the community roll-up.
        coarse = len(grid_code) <= COMMUNITY_CODE and not any(
            DIMENSIONS[d] in (Tier.GRID, Tier.MICRO_GRID) for d in dims)
        table = CaseCommunityMonthFigures if coarse else CaseMonthFigures
        _merge(out, _select(
            table="month", source=qn(table._meta.db_table), dims=dims,
            columns=_SUMS, where=[("month BETWEEN %s AND %s", [_date(months[0]),
                                                                _date(months[1])]), in_grid]))
    if edges:
        days = ("(" + " OR ".join(["day BETWEEN %s AND %s"] * len(edges)) + ")",
                [_date(d) for edge in edges for d in edge])
        where = [days, in_grid]
        if category_ids is not None:
            where.append(_in("category_id", category_ids))
        if source:
            where.append(("source = %s", [source]))
        if handler is not None:
            where.append(("handler = %s", [handler]))
        _merge(out, _select(table="day", source=qn(CaseDayFigures._meta.db_table), dims=dims,
                            columns=_SUMS, where=where))
    return out


def _collect_overdue(*, grid_code: str, date_from: dt.date, date_to: dt.date,
                     dims: Sequence[str], category_ids: list[int] | None, source: str | None,
                     handler: int | None, now: dt.datetime) -> dict[tuple, int]:
    """Running cases past their level's time limit now, per group (from the cases, through
    the sweep's index on status and time limit)."""
    qn = connection.ops.quote_name
    start, end = period_bounds(date_from, date_to)
    where = [_in("c.status", sorted(RUNNING)),
             ("c.level_due_at < %s", [_moment(now)]),
             ("c.reported_at >= %s AND c.reported_at < %s", [_moment(start), _moment(end)]),
             ("g.code LIKE %s" + _ESCAPE, [_like_prefix(grid_code)])]
    if category_ids is not None:
        where.append(_in("c.category_id", category_ids))
    if source:
        where.append(("c.source = %s", [source]))
    if handler is not None:
        where.append(("c.handler_id = %s", [handler]) if handler
                     else ("c.handler_id IS NULL", []))
    tables = (f"{qn(Case._meta.db_table)} c JOIN {qn(Grid._meta.db_table)} g "
              "ON g.id = c.grid_id")
    grouped = _select(table="case", source=tables, dims=dims, columns="COUNT(*)",
                      where=where)
    return {key: values[0] for key, values in grouped.items()}


def _rate(numerator: int, denominator: int) -> dict[str, Any]:
    value = round(numerator / denominator, 4) if denominator else None
    return {"value": value, "numerator": numerator, "denominator": denominator}


def figures_of(values: Sequence[int], overdue: int = 0) -> dict[str, dict]:
    """Counts and rates from summed counters (docs/metrics.md has the formulas)."""
    v = dict(zip(COUNTERS, values, strict=True))
    by_status = {s: v[field] for s, field in STATUS_FIELDS.items()}
    received = sum(by_status.values())
    declined = by_status[Status.DECLINED]
    closed = by_status[Status.CLOSED] + by_status[Status.EVALUATED]
    accepted = received - declined
    counts = {
        "received": received,
        "accepted": accepted,
        "declined": declined,
        "closed": closed,
        "open": sum(n for s, n in by_status.items() if s not in FINISHED),
        "overdue": overdue,
        "responded": v["responded"],
        "closed_on_time": v["on_time"],
        "resolved": v["resolved"],
        "evaluated": v["rated"],
        "satisfied": v["satisfied"],
        "reworked": v["reworked"],
        "in_grid": v["in_grid"],
        "by_status": by_status,
        "open_by_level": {lv: v[field] for lv, field in LEVEL_FIELDS.items()},
    }
    rates = {
        "closure_rate": _rate(closed, accepted),
        "on_time_rate": _rate(v["on_time"], closed),
        "response_rate": _rate(v["responded"], received),
        "resolution_rate": _rate(v["resolved"], closed),
        "satisfaction_rate": _rate(v["satisfied"], v["rated"]),
        "rework_rate": _rate(v["reworked"], closed),
        "in_grid_rate": _rate(v["in_grid"], closed),
    }
    return {"counts": counts, "rates": rates}


def _months(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    out, month = [], month_start(date_from)
    while month <= date_to:
        out.append(month)
        month = next_month(month)
    return out


class _Labels:
    """Keys and labels of group values, looked up once per call."""

    def __init__(self, dims: Sequence[str], keys: Iterable[tuple],
                 shown: dict[str, Sequence[Any]] | None = None):
        """`shown`: more values per dimension that rows show without any case."""
        keys = list(keys)
        shown = shown or {}
        self.names: dict[str, dict[Any, tuple[str, str]]] = {}
        for i, dim in enumerate(dims):
            values = {k[i] for k in keys} | set(shown.get(dim, ()))
            if dim == "category":
                self.names[dim] = {pk: (code, name) for pk, code, name in
                                   Category.objects.filter(pk__in=values)
                                   .values_list("pk", "code", "name")}
            elif dim == "worker":
                found = dict(Worker.objects.filter(pk__in=values - {0})
                             .values_list("pk", "name"))
                self.names[dim] = {pk: (str(pk) if pk else "",
                                        found.get(pk, "") if pk else _("no handler"))
                                   for pk in values}
            elif dim in ("community", "grid", "micro_grid"):
                names = dict(Grid.objects.filter(code__in=values).values_list("code", "name"))
                self.names[dim] = {code: (code, names.get(code, code)) for code in values}

    def of(self, dim: str, value: Any) -> tuple[str, str]:
        if dim == "month":
            text = f"{value:%Y-%m}"
            return text, text
        if dim == "source":
            return value, _source_label(value)
        return self.names[dim].get(value, (str(value), str(value)))


def _source_label(value: str) -> str:
    try:
        return str(Source(value).label)
    except ValueError:
        return value


def _fill(dim: str, grid: Grid, date_from: dt.date, date_to: dt.date) -> list[Any]:
    """Group values shown even without cases: every month of the period, every node of the
    tier in the grid's subtree."""
    if dim == "month":
        return _months(date_from, date_to)
    tier = DIMENSIONS[dim]
    if tier in CODE_LENGTH:
        return list(Grid.objects.filter(tier=tier, code__startswith=grid.code)
                    .values_list("code", flat=True))
    return []


def _sort_key(dim: str, key: str, figures: dict) -> tuple:
    if dim == "month" or DIMENSIONS[dim] in CODE_LENGTH:
        return (0, key)
    return (-figures["counts"]["received"], key)


def case_figures(*, grid: Grid, date_from: dt.date, date_to: dt.date,
                 by: Sequence[str] = (), category: Category | None = None,
                 source: str | None = None, handler: int | None = None,
                 now: dt.datetime | None = None, overdue: bool = True) -> dict[str, Any]:
    """The figures of the cases reported in [date_from, date_to] (local dates) in the
    grid's subtree, optionally of one category (a line includes its categories), source or
    handler (worker id, 0 for none), grouped by up to two of DIMENSIONS (rows of the first,
    each with rows of the second). The caller checks that the user may see `grid`."""
    dims = tuple(by)
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown or len(dims) > 2 or len(set(dims)) != len(dims):
        raise ValueError(f"cannot group by {dims}")
    for dim in dims:
        tier = DIMENSIONS[dim]
        if tier in CODE_LENGTH and CODE_LENGTH[tier] < len(grid.code):
            raise ValueError(f"{grid.code} is below the {tier} level")
    now = now or timezone.now()
    category_ids = None
    if category is not None:
        category_ids = [category.pk, *Category.objects.filter(parent=category)
                        .values_list("pk", flat=True)]
    args = {"grid_code": grid.code, "date_from": date_from, "date_to": date_to, "dims": dims,
            "category_ids": category_ids, "source": source, "handler": handler}
    sums = _collect(**args)
    lapsed = _collect_overdue(**args, now=now) if overdue else {}
    total = [0] * len(COUNTERS)
    for values in sums.values():
        for i, n in enumerate(values):
            total[i] += n
    result: dict[str, Any] = {
        "grid": grid, "from": date_from, "to": date_to, "by": list(dims),
        "totals": figures_of(total, sum(lapsed.values())), "rows": [],
    }
    if not dims:
        return result
    first_fill = _fill(dims[0], grid, date_from, date_to)
    labels = _Labels(dims, [*sums, *lapsed], shown={dims[0]: first_fill})
    zero = [0] * len(COUNTERS)
    # Sums per prefix of the group key: tree[()] for the first grouping, tree[(a,)] for
    # the second within a.
    tree: dict[tuple, dict[Any, list[int]]] = {}
    late: dict[tuple, dict[Any, int]] = {}
    for key, counts in sums.items():
        for level in range(len(dims)):
            current = tree.setdefault(key[:level], {}).setdefault(key[level], list(zero))
            for i, n in enumerate(counts):
                current[i] += n
    for key, n in lapsed.items():
        for level in range(len(dims)):
            group = late.setdefault(key[:level], {})
            group[key[level]] = group.get(key[level], 0) + n

    def rows_of(level: int, prefix: tuple) -> list[dict]:
        dim = dims[level]
        values = dict(tree.get(prefix, {}))
        overdue_here = late.get(prefix, {})
        if dim == "month" or level == 0:
            for value in first_fill if level == 0 else _fill(dim, grid, date_from, date_to):
                values.setdefault(value, zero)
        for value in overdue_here:
            values.setdefault(value, zero)
        out = []
        for value, counts in values.items():
            key, label = labels.of(dim, value)
            row = {"key": key, "label": label,
                   **figures_of(counts, overdue_here.get(value, 0))}
            if level + 1 < len(dims):
                row["rows"] = rows_of(level + 1, (*prefix, value))
            out.append(row)
        out.sort(key=lambda r: _sort_key(dim, r["key"], r))
        return out

    result["rows"] = rows_of(0, ())
    return result


def ranking(*, grid: Grid, level: str, rate: str, date_from: dt.date,
            date_to: dt.date) -> list[dict[str, Any]]:
    """The communities or grids (`level`) inside `grid` ranked by `rate`, best first (the
    highest, or the lowest for rework_rate), ties broken by more cases received; nodes with
    equal rate and received share a rank; nodes without a rate (no denominator) come last,
    unranked."""
    if rate not in RATES:
        raise ValueError(rate)
    if CODE_LENGTH[level] <= len(grid.code):
        raise ValueError(f"{grid.code} is not above the {level} level")
    figures = case_figures(grid=grid, date_from=date_from, date_to=date_to, by=(level,),
                           overdue=False)
    rows = []
    for row in figures["rows"]:
        r = row["rates"][rate]
        rows.append({"code": row["key"], "name": row["label"], "value": r["value"],
                     "numerator": r["numerator"], "denominator": r["denominator"],
                     "received": row["counts"]["received"]})
    sign = 1 if rate in LOWER_IS_BETTER else -1
    rated = sorted((r for r in rows if r["value"] is not None),
                   key=lambda r: (sign * r["value"], -r["received"], r["code"]))
    rank, previous = 0, None
    for position, row in enumerate(rated, start=1):
        if (row["value"], row["received"]) != previous:
            rank, previous = position, (row["value"], row["received"])
        row["rank"] = rank
    unrated = sorted((r for r in rows if r["value"] is None), key=lambda r: r["code"])
    for row in unrated:
        row["rank"] = None
    return rated + unrated


PUBLIC_SINCE = dt.date(2020, 1, 1)


def public_figures(*, today: dt.date | None = None) -> list[dict[str, Any]]:
    """For the residents' site: per street, the resident appeals (source online) reported
    since 2020-01-01, how many were closed, the closure and satisfaction rates. Nothing
    below the street."""
    today = today or timezone.localdate()
    out = []
    for street in Grid.objects.filter(tier=Tier.STREET).defer("boundary").order_by("code"):
        figures = case_figures(grid=street, date_from=PUBLIC_SINCE, date_to=today,
                               source=Source.ONLINE, overdue=False)["totals"]
        out.append({"code": street.code, "name": street.name,
                    "received": figures["counts"]["received"],
                    "closed": figures["counts"]["closed"],
                    "closure_rate": figures["rates"]["closure_rate"],
                    "satisfaction_rate": figures["rates"]["satisfaction_rate"]})
    return out

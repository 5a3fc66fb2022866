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

import numpy as np
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
from wangge.core.bulk import gc_paused
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
                # Memory for the three GROUP BYs over every case (the default 4 MB spills
                # millions of groups to disk).
                cursor.execute("SET LOCAL work_mem = '256MB'")
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
    width = len(dims)
    month_at = [i for i, dim in enumerate(dims) if dim == "month"]
    for row in rows:
        values = list(row[width:])
        if not width:
            values = [n or 0 for n in values]  # SUM over no rows is NULL
            if not any(values):
                continue
        key = row[:width]
        if month_at:
            key = list(key)
            for i in month_at:
                key[i] = _normalise(key[i])
            key = tuple(key)
        current = out.get(key)
        if current is None:
            out[key] = values
        else:  # two raw keys that normalise to one
            out[key] = [a + b for a, b in zip(current, values, strict=True)]
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
        current = into.get(key)
        into[key] = values if current is None else [
            a + b for a, b in zip(current, values, strict=True)]


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


# Positions in COUNTERS, for `figures_many` (which computes a whole table's rows at once:
# 9,100 of them for every community by month over a city-year).
_STATUSES = tuple((s, i) for i, s in enumerate(STATUS_FIELDS))
_N_STATUS = len(STATUS_FIELDS)
_OPEN_AT = tuple(i for s, i in _STATUSES if s not in FINISHED)
_DECLINED_AT = list(STATUS_FIELDS).index(Status.DECLINED)
_CLOSED_AT = tuple(i for s, i in _STATUSES if s in CLOSED)
_LEVELS = tuple((lv, _N_STATUS + j) for j, lv in enumerate(LEVEL_FIELDS))
_FLAG_AT = {name: COUNTERS.index(name) for name in FLAG_FIELDS}


def figures_of(values: Sequence[int], overdue: int = 0) -> dict[str, dict]:
    """Counts and rates from summed counters (docs/metrics.md has the formulas)."""
    return figures_many([values], [overdue])[0]


def figures_many(rows: Sequence[Sequence[int]], overdue: Sequence[int]) -> list[dict]:
    """`figures_of` for many rows at once: the sums and rates are computed column-wise
    (a city's every community by month is 9,100 rows)."""
    m = np.asarray(rows, dtype=np.int64).reshape(len(rows), len(COUNTERS))
    received = m[:, :_N_STATUS].sum(axis=1)
    declined = m[:, _DECLINED_AT]
    closed = m[:, list(_CLOSED_AT)].sum(axis=1)
    accepted = received - declined
    f = {name: m[:, i] for name, i in _FLAG_AT.items()}
    fractions = {  # rate: (numerator, denominator)
        "closure_rate": (closed, accepted),
        "on_time_rate": (f["on_time"], closed),
        "response_rate": (f["responded"], received),
        "resolution_rate": (f["resolved"], closed),
        "satisfaction_rate": (f["satisfied"], f["rated"]),
        "rework_rate": (f["reworked"], closed),
        "in_grid_rate": (f["in_grid"], closed),
    }
    rate_columns = [
        (name, num.tolist(), den.tolist(), _round4(num, den))
        for name, (num, den) in fractions.items()]
    columns = m.T.tolist()
    statuses = [(s, columns[i]) for s, i in _STATUSES]
    levels = [(lv, columns[i]) for lv, i in _LEVELS]
    flags = [(count, columns[_FLAG_AT[flag]]) for count, flag in _COUNT_FLAGS.items()]
    received_l, accepted_l, declined_l, closed_l = (
        received.tolist(), accepted.tolist(), declined.tolist(), closed.tolist())
    open_l = m[:, list(_OPEN_AT)].sum(axis=1).tolist()
    out = []
    for j in range(len(rows)):
        counts = {"received": received_l[j], "accepted": accepted_l[j],
                  "declined": declined_l[j], "closed": closed_l[j], "open": open_l[j],
                  "overdue": overdue[j]}
        for count, column in flags:
            counts[count] = column[j]
        counts["by_status"] = {s: column[j] for s, column in statuses}
        counts["open_by_level"] = {lv: column[j] for lv, column in levels}
        out.append({"counts": counts, "rates": {
            name: {"value": value[j], "numerator": num[j], "denominator": den[j]}
            for name, num, den, value in rate_columns}})
    return out


# The counts named after a flag counter, in the order the figures show them.
_COUNT_FLAGS = {"responded": "responded", "closed_on_time": "on_time",
                "resolved": "resolved", "evaluated": "rated", "satisfied": "satisfied",
                "reworked": "reworked", "in_grid": "in_grid"}


def _round4(numerator: np.ndarray, denominator: np.ndarray) -> list[float | None]:
    """round(n / d, 4) per element, exactly as Python rounds (None where d is 0): numpy's
    rint of n / d × 10⁴ agrees with Python's correctly rounded `round` except within a
    rounding error of a tie, and those few are left to Python."""
    with np.errstate(divide="ignore", invalid="ignore"):
        q = numerator / denominator
        scaled = q * 10_000
        values = np.rint(scaled) / 10_000
        near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    out = values.tolist()
    for j in np.flatnonzero(near_tie & (denominator != 0)).tolist():
        out[j] = round(float(q[j]), 4)
    for j in np.flatnonzero(denominator == 0).tolist():
        out[j] = None
    return out


def _months(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    out, month = [], month_start(date_from)
    while month <= date_to:
        out.append(month)
        month = next_month(month)
    return out


class _Labels:
    """Keys and labels of group values, looked up once per call."""

    def __init__(self, dims: Sequence[str], keys: Iterable[tuple], grid: Grid,
                 shown: dict[str, Sequence[Any]] | None = None):
        """`shown`: more values per dimension that rows show without any case."""
        keys = list(keys)
        shown = shown or {}
        self.names: dict[str, dict[Any, tuple[str, str]]] = {}
        self.months: dict[Any, tuple[str, str]] = {}
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
                # Every node of the tier in the grid's subtree (one range scan of the codes,
                # where 700 communities as an IN list take longer to send).
                names = dict(Grid.objects.filter(tier=DIMENSIONS[dim],
                                                 code__startswith=grid.code)
                             .values_list("code", "name"))
                self.names[dim] = {code: (code, names.get(code, code)) for code in values}

    def of(self, dim: str, value: Any) -> tuple[str, str]:
        if dim == "month":
            label = self.months.get(value)
            if label is None:
                text = f"{value:%Y-%m}"
                label = self.months[value] = (text, text)
            return label
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
    with gc_paused():  # thousands of nested dicts, no cycles
        return _table(grid, date_from, date_to, dims, sums, lapsed)


def _table(grid: Grid, date_from: dt.date, date_to: dt.date, dims: tuple[str, ...],
           sums: dict[tuple, list[int]], lapsed: dict[tuple, int]) -> dict[str, Any]:
    """The figures as `case_figures` returns them, from the counter sums per group key and
    the overdue counts."""
    keys = list(sums)
    matrix = np.array(list(sums.values()), dtype=np.int64).reshape(len(keys), len(COUNTERS))
    result: dict[str, Any] = {
        "grid": grid, "from": date_from, "to": date_to, "by": list(dims),
        "totals": figures_of(matrix.sum(axis=0).tolist(), sum(lapsed.values())), "rows": [],
    }
    if not dims:
        return result
    first_fill = _fill(dims[0], grid, date_from, date_to)
    labels = _Labels(dims, [*sums, *lapsed], grid, shown={dims[0]: first_fill})
    # One table level at a time: its rows are the group keys' prefixes (a first-level row,
    # then the second-level rows within it), with the rows shown without any case added,
    # their counters summed column-wise and their figures computed in one batch.
    parents: dict[tuple, dict] = {}
    for level, dim in enumerate(dims):
        index: dict[tuple, int] = {}
        inverse = [index.setdefault(key[:level + 1], len(index)) for key in keys]
        if level == 0:
            shown = [(value,) for value in first_fill]
        elif dim == "month":
            months = _fill(dim, grid, date_from, date_to)
            shown = [(*parent, value) for parent in parents for value in months]
        else:
            shown = []
        for node in [*shown, *(key[:level + 1] for key in lapsed)]:
            index.setdefault(node, len(index))
        counts = np.zeros((len(index), len(COUNTERS)), dtype=np.int64)
        np.add.at(counts, inverse, matrix)
        late = [0] * len(index)
        for key, n in lapsed.items():
            late[index[key[:level + 1]]] += n
        last = level + 1 == len(dims)
        rows: dict[tuple, dict] = {}
        for node, figures in zip(index, figures_many(counts.tolist(), late), strict=True):
            key, label = labels.of(dim, node[-1])
            row = rows[node] = {"key": key, "label": label, **figures}
            if not last:
                row["rows"] = []
            (parents[node[:-1]]["rows"] if level else result["rows"]).append(row)
        parents = rows
    _sort_rows(result["rows"], dims)
    return result


def _sort_rows(rows: list[dict], dims: Sequence[str]) -> None:
    rows.sort(key=lambda r: _sort_key(dims[0], r["key"], r))
    if len(dims) > 1:
        for row in rows:
            _sort_rows(row["rows"], dims[1:])


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

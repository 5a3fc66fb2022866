"""A fast insert path for large imports: `COPY` (PostgreSQL) or `executemany` (SQLite) of
prepared rows, with the history rows django-simple-history would write, without building
model instances twice.

Django's `bulk_create` prepares every value through the field API (about 10 µs a value);
a 100,000-person ledger with its history spent most of its time there. Here values are
prepared a column at a time: each field's conversion is chosen once, values that need no
conversion are passed as they are, a repeated date is converted once and encrypted fields
are encrypted in one batch; the rows are then zipped from the columns. Callers that have
their data in columns (`bulk_insert_columns`) need not build a dict per row either.
Primary keys are reserved up front, so callers can link rows (households to people) before
anything is written. Use inside `transaction.atomic()` (and `large_write` around it for
a big import on SQLite).
"""

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.utils import timezone

from wangge.core.crypto import EncryptedTextField, encrypt_many

_PLAIN = {"CharField", "TextField", "SlugField", "IntegerField", "BigIntegerField",
          "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
          "PositiveBigIntegerField", "FloatField", "BooleanField", "ForeignKey", "AutoField",
          "BigAutoField"}


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """None when the value goes to the database as it is."""
    if isinstance(field, EncryptedTextField):
        return field.get_prep_value
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return None
    if kind == "DateField" and connection.vendor == "sqlite":
        return lambda v: None if v is None else v.isoformat()
    if kind == "DateTimeField":
        ops = connection.ops
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    return lambda v: field.get_db_prep_save(v, connection)


def _convert_column(field: models.Field, values: list[Any]) -> list[Any]:
    """A column of values as the database takes them; None stays None. Encrypted columns
    are encrypted in one batch (one key lookup, one call for all the nonces)."""
    if isinstance(field, EncryptedTextField):
        plain = [v for v in values if v is not None]
        if all(v.__class__ is str for v in plain):
            tokens = iter(encrypt_many(plain))
            return [None if v is None else next(tokens) for v in values]
    conv = _converter(field)
    if conv is None:
        return values
    if field.get_internal_type() in ("DateField", "DateTimeField"):
        # Equal dates convert equally, and a column often repeats one ("now", "today").
        memo: dict = {None: None}
        return [memo[v] if v in memo else memo.setdefault(v, conv(v)) for v in values]
    return [None if v is None else conv(v) for v in values]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around work that makes many objects and no
    cycles: a big sheet read or imported (the collections it would trigger cost a third of
    the reading time), a table of figures built (9,100 rows of nested dicts). Each
    collection walks every object the process holds, a whole Django application's."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: The SQLite page cache `large_write` gives a write, per row written and at most (KiB).
CACHE_KIB_PER_ROW = 2
CACHE_KIB_MAX = 512 * 1024


@contextmanager
def large_write(*, rows: int) -> Iterator[None]:
    """Around a transaction that writes about `rows` rows (with their history and indexes):
    on SQLite, a page cache that holds every page the transaction changes, for as long as
    it runs, then the connection's own size again. With the usual cache (64 MiB) a
    100,000-person import overflows it: SQLite spills changed pages to the WAL in the middle
    of the transaction, then reads them back from there to update the next index entries.
    Pages are only allocated as they are used. Elsewhere (PostgreSQL): nothing to do."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        page_kib = cursor.fetchone()[0] / 1024
    wanted = min(rows * CACHE_KIB_PER_ROW, CACHE_KIB_MAX)
    if wanted <= (-before if before < 0 else before * page_kib):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = -{int(wanted)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys nobody else will use (PostgreSQL: from the sequence)."""
    if count == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _insert(table: str, columns: Sequence[str], rows: list[tuple], batch: int = 5000) -> None:
    """The rows into the table: PostgreSQL's `COPY … FROM STDIN` (psycopg adapts each value
    as it would a query parameter; several times faster than INSERTs), elsewhere
    `executemany` of one INSERT."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, \
                cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start:start + batch])


def bulk_insert(objs: Sequence[models.Model], *, user=None, reason: str = "",
                now=None) -> None:
    """Insert new model instances (all of one model), assigning their primary keys, and their
    '+' history rows when the model keeps history. `auto_now` fields are set to `now`."""
    if not objs:
        return
    model = type(objs[0])
    ids = iter(reserve_ids(model, sum(1 for o in objs if o.pk is None)))
    for obj in objs:
        if obj.pk is None:
            obj.pk = next(ids)
        # Links made to objects that got their keys above (a person's new household).
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")
        obj._state.adding = False
        obj._state.db = connection.alias
    fields = model._meta.concrete_fields
    bulk_insert_values(model, [{f.attname: getattr(o, f.attname) for f in fields} for o in objs],
                       user=user, reasons=[getattr(o, "_change_reason", None) for o in objs],
                       reason=reason, now=now)


def bulk_insert_values(model: type[models.Model], rows: list[dict[str, Any]], *, user=None,
                       reason: str = "", reasons: list[str | None] | None = None,
                       now=None) -> list[int]:
    """Insert rows given as {attname: value}, without building model instances; a row
    without a primary key gets one (set in its dict too). Returns the primary keys in order.
    """
    if not rows:
        return []
    opts = model._meta
    pk_name = opts.pk.attname
    keyless = [row for row in rows if row.get(pk_name) is None]
    for row, pk in zip(keyless, reserve_ids(model, len(keyless)), strict=True):
        row[pk_name] = pk
    columns = {}
    for field in opts.concrete_fields:
        attname, default = field.attname, field.get_default()
        columns[attname] = [row.get(attname, default) for row in rows]
    return bulk_insert_columns(model, columns, user=user, reason=reason, reasons=reasons,
                               now=now)


def bulk_insert_columns(model: type[models.Model], columns: dict[str, list[Any]], *,
                        same: dict[str, Any] | None = None, user=None, reason: str = "",
                        reasons: list[str | None] | None = None, now=None) -> list[int]:
    """Insert rows given column by column: `columns` maps attnames to lists of values (one
    per row, all of one length), `same` attnames to the value every row has. Fields in
    neither take their default (`auto_now` ones `now`); without a primary key column (or
    where it holds None) rows get new keys. Returns the primary keys in order.

    Each column is prepared as a whole (a comprehension per field, a value that repeats
    converted once, encrypted fields in one batch) and the rows are zipped from them: no
    dict, model instance or Python loop per value."""
    same = same or {}
    count = len(next(iter(columns.values()))) if columns else 0
    if any(len(column) != count for column in columns.values()):
        raise ValueError("columns of different lengths")
    if not count:
        return []
    now = now or timezone.now()
    opts = model._meta
    pk_name = opts.pk.attname
    pks = list(columns.get(pk_name) or [None] * count)
    missing = [i for i, pk in enumerate(pks) if pk is None]
    for i, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
        pks[i] = pk
    fields = list(opts.concrete_fields)
    stamp = _converter(models.DateTimeField())(now)
    prepared = []
    for field in fields:
        attname = field.attname
        if attname == pk_name:
            prepared.append(_convert_column(field, pks))
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        if attname in columns:
            column = _convert_column(field, columns[attname])
            if auto:
                column = [stamp if v is None else v for v in column]
        else:
            value = same[attname] if attname in same else field.get_default()
            if isinstance(field, EncryptedTextField) and value:
                # Never one ciphertext (one nonce) for many rows.
                column = _convert_column(field, [value] * count)
            else:
                value = _convert_column(field, [value])[0]
                column = [stamp if auto and value is None else value] * count
        prepared.append(column)
    _insert(opts.db_table, [f.column for f in fields], list(zip(*prepared, strict=True)))
    hmodel = _history_model(model)
    if hmodel is not None:
        _insert_history(model, hmodel, fields, prepared, user=user, now=now,
                        reasons=reasons, reason=reason)
    return pks


#: Above this many runs of consecutive keys, rows are picked by lists of keys instead.
_MAX_KEY_RUNS = 50


def _where_keys(column: str, pks: list[int]) -> Iterator[tuple[str, list[int]]]:
    """(condition, parameters) pieces that together pick exactly the rows with these keys:
    ranges of consecutive keys where there are few, else lists of 500 keys."""
    ordered = sorted(pks)
    runs: list[list[int]] = [[ordered[0], ordered[0]]]
    for pk in ordered[1:]:
        if pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    if len(runs) <= _MAX_KEY_RUNS:
        for run in runs:
            yield f"{column} BETWEEN %s AND %s", run
        return
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        yield f"{column} IN ({', '.join(['%s'] * len(chunk))})", chunk


def _insert_select(table: str, columns: Sequence[str], selected: Sequence[str],
                   params: list[Any], source: type[models.Model], pks: list[int]) -> None:
    """`INSERT INTO table (columns) SELECT selected FROM source` over the source rows with
    these keys, in key order; `params` fill the `%s` of `selected`. Every key in a range
    was inserted just now and keys are unique, so a range holds those rows and no other."""
    qn = connection.ops.quote_name
    pk = qn(source._meta.pk.column)
    head = (f"INSERT INTO {qn(table)} ({', '.join(map(qn, columns))}) "
            f"SELECT {', '.join(selected)} FROM {qn(source._meta.db_table)} WHERE ")
    with connection.cursor() as cursor:
        for condition, keys in _where_keys(pk, pks):
            cursor.execute(f"{head}{condition} ORDER BY {pk}", [*params, *keys])


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    """The django-simple-history model of `model`, if it keeps history."""
    return getattr(getattr(model, "history", None), "model", None)


def insert_from(model: type[models.Model], source: type[models.Model], pks: list[int], *,
                copied: dict[str, str], same: dict[str, Any] | None = None, now=None) -> None:
    """Insert one row of `model` per row of `source` with these keys, made by the database
    (`INSERT … SELECT`): `copied` maps an attname of `model` to the attname of `source` its
    value comes from, `same` gives values every row has; other fields take their default
    (`auto_now` ones `now`) and the primary key is the database's. No history rows: for
    models without history (an event written beside the rows it is about)."""
    if not pks:
        return
    if _history_model(model) is not None:
        raise ValueError(f"{model.__name__} keeps history: use bulk_insert_columns")
    same = same or {}
    now = now or timezone.now()
    qn = connection.ops.quote_name
    source_columns = {f.attname: f.column for f in source._meta.concrete_fields}
    columns: list[str] = []
    selected: list[str] = []
    params: list[Any] = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.attname in copied:
            selected.append(qn(source_columns[copied[field.attname]]))
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = same[field.attname] if field.attname in same else field.get_default()
        if isinstance(field, EncryptedTextField) and value:
            # One ciphertext (one nonce) for many rows: never.
            raise ValueError(f"{field.attname} is encrypted: copy it, or use "
                             "bulk_insert_columns")
        if auto and value is None:
            value = now
        selected.append("%s")
        params.append(_convert_column(field, [value])[0])
    _insert_select(model._meta.db_table, columns, selected, params, source, pks)


def _insert_history(model, hmodel, fields, columns, *, user, reasons, reason: str,
                    now) -> None:
    """The '+' history rows of the rows just inserted.

    With one reason for every row, the database copies them from the rows themselves
    (`_insert_select`), which halves the cost of a history row on SQLite; with a reason per
    row they are sent from the same prepared columns."""
    count = len(columns[0])
    by_attname = {f.attname: column for f, column in zip(fields, columns, strict=True)}
    tracked = [f for f in hmodel._meta.concrete_fields if f.attname in by_attname]
    date = _converter(hmodel._meta.get_field("history_date"))(now)
    extra_cols = [hmodel._meta.get_field(name).column for name in
                  ("history_date", "history_change_reason", "history_type", "history_user")]
    names = [f.column for f in tracked] + extra_cols
    user_id = getattr(user, "pk", None)
    pks = by_attname[model._meta.pk.attname]
    if reasons is not None and not any(reasons):
        reasons = None
    if not reasons and all(isinstance(pk, int) for pk in pks):
        qn = connection.ops.quote_name
        source = {f.attname: f.column for f in fields}
        selected = [qn(source[f.attname]) for f in tracked] + ["%s", "%s", "'+'", "%s"]
        _insert_select(hmodel._meta.db_table, names, selected, [date, reason, user_id],
                       model, pks)
        return
    why = [r or reason for r in reasons] if reasons else [reason] * count
    if len(why) != count:
        raise ValueError("one reason per row")
    hcolumns = [by_attname[f.attname] for f in tracked]
    hcolumns += [[date] * count, why, ["+"] * count, [user_id] * count]
    _insert(hmodel._meta.db_table, names, list(zip(*hcolumns, strict=True)))

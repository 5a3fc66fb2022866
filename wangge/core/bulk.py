"""A fast insert path for large imports: plain `executemany` of prepared rows, with the
history rows django-simple-history would write, without building model instances twice.

Django's `bulk_create` prepares every value through the field API (about 10 µs a value);
a 100,000-person ledger with its history spent most of its time there. Here each field's
conversion is chosen once, and values that need no conversion are passed as they are.
Primary keys are reserved up front, so callers can link rows (households to people) before
anything is written. Use inside `transaction.atomic()`.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from wangge.core.crypto import EncryptedTextField

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
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
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
    without a primary key gets one. Returns the primary keys in order."""
    if not rows:
        return []
    now = now or timezone.now()
    opts = model._meta
    pk_name = opts.pk.attname
    ids = iter(reserve_ids(model, sum(1 for r in rows if r.get(pk_name) is None)))
    for row in rows:
        if row.get(pk_name) is None:
            row[pk_name] = next(ids)
    fields = list(opts.concrete_fields)
    getters = []
    for field in fields:
        conv = _converter(field)
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        default = field.get_default()
        getters.append((field.attname, conv, auto, default))
    stamp = _converter(models.DateTimeField())(now)
    out = []
    for row in rows:
        values = []
        for attname, conv, auto, default in getters:
            value = row.get(attname, default)
            if auto and value is None:
                values.append(stamp)
            elif conv is None or value is None:
                values.append(value)
            else:
                values.append(conv(value))
        out.append(tuple(values))
    _insert(opts.db_table, [f.column for f in fields], out)
    history = getattr(model, "history", None)
    if history is not None and hasattr(history, "model"):
        _insert_history(history.model, fields, out, user=user, now=now,
                        reasons=reasons or [None] * len(out), reason=reason)
    return [row[pk_name] for row in rows]


def _insert_history(hmodel, fields, rows, *, user, reasons, reason: str, now) -> None:
    hfields = {f.attname: i for i, f in enumerate(fields)}
    tracked = [f for f in hmodel._meta.concrete_fields if f.attname in hfields]
    positions = [hfields[f.attname] for f in tracked]
    date = _converter(hmodel._meta.get_field("history_date"))(now)
    user_id = getattr(user, "pk", None)
    extra_cols = [hmodel._meta.get_field(name).column for name in
                  ("history_date", "history_change_reason", "history_type", "history_user")]
    hrows = [(*tuple(row[p] for p in positions), date, why or reason, "+", user_id)
             for row, why in zip(rows, reasons, strict=True)]
    _insert(hmodel._meta.db_table, [f.column for f in tracked] + extra_cols, hrows)

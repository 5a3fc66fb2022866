"""The bulk insert path of the importers and the demo loader (wangge.core.bulk)."""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from wangge.core.bulk import bulk_insert_columns, bulk_insert_values, large_write
from wangge.registry.choices import PersonStatus
from wangge.registry.models import Household, Person
from wangge.registry.services import id_number_hash, phone_hash


def _people_columns(household: Household, numbers: list[str]) -> dict[str, list]:
    n = len(numbers)
    return {
        "household_id": [household.pk] * n, "micro_grid_id": [household.micro_grid_id] * n,
        "relation": ["other"] * n, "name": [f"批量{i}" for i in range(n)],
        "id_number": numbers, "id_number_hash": [id_number_hash(x) for x in numbers],
        "sex": ["male"] * n, "birth_date": [datetime.date(1990, 1, 1 + i) for i in range(n)],
        "population_type": ["registered"] * n,
    }


def test_columns_insert_rows_with_history_keys_and_defaults(laocheng):
    household = Household.objects.order_by("pk").first()
    numbers = ["110101199001011237", "110101199001021233", "110101199001031239"]
    now = timezone.now()
    with transaction.atomic():
        ids = bulk_insert_columns(Person, _people_columns(household, numbers),
                                  same={"phone": "13800000000",
                                        "phone_hash": phone_hash("13800000000")},
                                  reason="批量测试", now=now)
    people = list(Person.objects.filter(pk__in=ids).order_by("pk"))
    assert [p.pk for p in people] == ids == sorted(ids)
    assert [p.id_number for p in people] == numbers
    assert [p.birth_date.day for p in people] == [1, 2, 3]
    assert {p.phone for p in people} == {"13800000000"}
    assert {p.status for p in people} == {PersonStatus.ACTIVE}  # the field's default
    assert {p.created_at for p in people} == {p.updated_at for p in people} == {now}
    for person in people:
        (history,) = person.history.all()
        assert (history.history_type, history.history_change_reason) == ("+", "批量测试")
        assert history.id_number == person.id_number
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM registry_person WHERE id IN ({', '.join(['%s'] * 3)})",
                       ids)
        tokens = [row[0] for row in cursor.fetchall()]
    # One value for every row, but never one ciphertext (one nonce) for them all.
    assert len(set(tokens)) == 3 and "13800000000" not in "".join(tokens)


def test_values_and_columns_write_the_same_rows(laocheng):
    household = Household.objects.order_by("pk").first()
    columns = _people_columns(household, ["110101199001011237", "110101199001021233"])
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(),
                                                                     strict=True)]
    with transaction.atomic():
        ids = bulk_insert_values(Person, rows)
    assert [row["id"] for row in rows] == ids  # keys are handed back in the dicts too
    assert list(Person.objects.filter(pk__in=ids).order_by("pk")
                .values_list("name", "sex", "birth_date")) == [
        ("批量0", "male", datetime.date(1990, 1, 1)), ("批量1", "male", datetime.date(1990, 1, 2))]


def test_columns_of_different_lengths_are_refused(laocheng):
    with pytest.raises(ValueError):
        bulk_insert_columns(Person, {"name": ["a", "b"], "sex": ["male"]})


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_a_large_write_has_a_larger_cache_for_its_duration(db):
    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    with large_write(rows=100_000):
        assert cache_size() == -200_000  # KiB
    assert cache_size() == before
    with large_write(rows=10):  # never smaller than the connection's own
        assert cache_size() == before

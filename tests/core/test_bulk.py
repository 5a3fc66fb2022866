"""The bulk insert path of the importers and the demo loader (wangge.core.bulk)."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from wangge.core.bulk import (
    bulk_insert,
    bulk_insert_columns,
    bulk_insert_values,
    insert_from,
    large_write,
)
from wangge.registry.choices import PersonEventKind, PersonStatus
from wangge.registry.models import Household, Person, PersonEvent
from wangge.registry.services import id_number_hash, phone_hash


def _people_columns(household: Household, numbers: list[str]) -> dict[str, list]:
    n = len(numbers)
    return {
        "household_id": [household.pk] * n, "micro_grid_id": [household.micro_grid_id] * n,
        "relation": ["other"] * n, "name": [f"批量{i}" for i in range(n)],
        "id_number": numbers, "id_number_hash": [id_number_hash(x) for x in numbers],
        "sex": ["male"] * n,
        "birth_date": [datetime.date(1990, 1, 1) + datetime.timedelta(days=i) for i in range(n)],
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


def _numbers(count: int) -> list[str]:
    from wangge.core.validators import build_resident_id

    return [build_resident_id(region="110101", birth_date=datetime.date(1990, 1, 1)
                              + datetime.timedelta(days=i), sequence=i % 100, sex="male")
            for i in range(count)]


@pytest.mark.parametrize("step", [1, 2], ids=["consecutive keys", "keys with 60 gaps"])
def test_history_is_one_row_per_new_row_whatever_the_keys(laocheng, step):
    """History rows are copied by the database from ranges of the new keys (few ranges) or
    lists of them (many): either way exactly the new rows, and rows already there between
    the new keys keep their history as it was."""
    household = Household.objects.order_by("pk").first()
    top = Person.objects.aggregate(top=Max("pk"))["top"]
    columns = _people_columns(household, _numbers(60))
    first_ids = [top + 1 + step * i for i in range(60)]
    with transaction.atomic():
        bulk_insert_columns(Person, {**columns, "id": first_ids}, reason="第一批")
        if step == 2:  # people in the gaps, inserted with their own history first
            gaps = [pk + 1 for pk in first_ids]
            gap_columns = _people_columns(household, _numbers(120)[60:])
            bulk_insert_columns(Person, {**gap_columns, "id": gaps}, reason="第二批")
    history = Person.history.filter(id__gt=top)
    assert history.count() == (60 if step == 1 else 120)
    assert sorted(history.filter(history_change_reason="第一批")
                  .values_list("id", flat=True)) == first_ids
    first = history.get(id=first_ids[0])
    person = Person.objects.get(pk=first_ids[0])
    assert (first.name, first.id_number, first.household_id, first.history_type) == (
        person.name, person.id_number, person.household_id, "+")


def test_history_keeps_each_rows_own_reason(laocheng):
    household = Household.objects.order_by("pk").first()
    columns = _people_columns(household, _numbers(2))
    people = [Person(**{k: v[i] for k, v in columns.items()}) for i in range(2)]
    people[0]._change_reason = "迁入"
    with transaction.atomic():
        bulk_insert(people, reason="台账")
    assert [p.history.get().history_change_reason for p in people] == ["迁入", "台账"]


def test_rows_made_from_other_rows_by_the_database(laocheng):
    household = Household.objects.order_by("pk").first()
    now = timezone.now()
    with transaction.atomic():
        ids = bulk_insert_columns(Person, _people_columns(household, _numbers(3)), now=now)
        insert_from(PersonEvent, Person, ids,
                    copied={"person_id": "id", "to_household_id": "household_id"},
                    same={"kind": PersonEventKind.REGISTERED, "date": datetime.date(2026, 1, 2),
                          "note": "登记", "recorded_at": now})
    events = list(PersonEvent.objects.filter(person_id__in=ids).order_by("person_id"))
    assert [(e.person_id, e.to_household_id, e.from_household_id, e.kind, e.date, e.note,
             e.recorded_at) for e in events] == [
        (pk, household.pk, None, PersonEventKind.REGISTERED, datetime.date(2026, 1, 2), "登记",
         now) for pk in ids]
    with pytest.raises(ValueError, match="keeps history"):
        insert_from(Person, Person, ids, copied={})


def test_rows_made_by_the_database_never_share_a_ciphertext(laocheng):
    from wangge.channels.models import Open311Submission

    with pytest.raises(ValueError, match="encrypted"):
        insert_from(Open311Submission, Person, [1], copied={}, same={"data": "{}"})


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

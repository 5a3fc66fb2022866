"""The city generator's resident ID numbers are valid GB 11643 numbers, unique across
streets, with the sex in the sequence's parity; street codes follow the grid-code scheme."""

import numpy as np

from wangge.bench.generate import _id_numbers, street_code
from wangge.core.validators import parse_resident_id


def test_id_numbers_are_valid_unique_and_carry_the_sex():
    births = np.array(["19800101"] * 200 + ["20010315"] * 3)
    regions = np.array(["520302"] * 203)
    male = np.arange(203) % 2 == 0
    seen: dict[str, int] = {}
    first = _id_numbers(regions, births, male, seen)
    again = _id_numbers(regions, births, male, seen)  # the next street: same people drawn
    numbers = np.concatenate([first, again]).tolist()
    assert len(set(numbers)) == len(numbers) == 406
    for number, is_male in zip(numbers, np.concatenate([male, male]), strict=True):
        assert parse_resident_id(number).number == number
        assert (int(number[16]) % 2 == 1) == bool(is_male)


def test_street_codes():
    assert street_code(0) == "520302001"  # Laocheng itself
    assert street_code(9) == "520302010"
    assert street_code(10) == "520303001"
    assert street_code(99) == "520311010"

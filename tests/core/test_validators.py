"""Ledger values: what a clerk can type is normalised, what cannot be recovered is refused.

Tests assert on behaviour (the normalised value, the exception class and its ``code``), never on
the English wording. ``MESSAGES_ZH`` at the bottom holds the Chinese translation of every
message in ``wangge.core.validators``, for pasting into the catalogue.
"""

import ast
import datetime
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from wangge.core import validators
from wangge.core.validators import (
    ETHNIC_GROUPS,
    ExcelNumberError,
    InvalidValue,
    ResidentId,
    build_credit_code,
    build_resident_id,
    check_resident_id_agrees,
    mask_phone,
    mask_resident_id,
    normalize_text,
    parse_credit_code,
    parse_date,
    parse_ethnic_group,
    parse_phone,
    parse_resident_id,
    parse_sex,
)

D = datetime.date
REGION = "520302"  # 遵义市红花岗区


def full_width(text: str) -> str:
    """ASCII -> full-width, as an input method in full-width mode types it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def gb11643_check(body17: str) -> str:
    """Check character computed independently of the module: weight of position i (counted
    from the right, the check character being position 1) is 2^(i-1) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body17))
    return "10X98765432"[total % 11]


def gb32100_check(body17: str) -> str:
    """Credit-code check character, independently: weight of position i is 3^(i-1) mod 31."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(body17))
    return alphabet[(31 - total % 31) % 31]


def refused(func, value, code: str | None = None, kind: type = InvalidValue) -> InvalidValue:
    with pytest.raises(kind) as info:
        func(value)
    if code is not None:
        assert info.value.code == code
    assert str(info.value)  # there is a message for the clerk
    return info.value


# --------------------------------------------------------------------------------------------
# normalize_text
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (None, ""),
    ("", ""),
    ("  张三  ", "张三"),
    ("张\u3000三", "张 三"),
    ("\u3000\u3000王 \t  五\n", "王 五"),
    ("ＡＢＣ１２３！～", "ABC123!~"),
    ("１３８　１２３４", "138 1234"),
    ("\u200b520302\ufeff", "520302"),
    (12, "12"),
])
def test_normalize_text(value, expected):
    assert normalize_text(value) == expected


# --------------------------------------------------------------------------------------------
# Citizen identification numbers
# --------------------------------------------------------------------------------------------

KNOWN_ID = "11010519491231002X"  # the sample number printed in GB 11643-1999


def test_the_standards_sample_number():
    assert gb11643_check(KNOWN_ID[:17]) == "X"
    rid = parse_resident_id(KNOWN_ID)
    assert rid == ResidentId(
        number=KNOWN_ID, birth_date=D(1949, 12, 31), sex="female", region="110105",
        upgraded_from_15=False,
    )


@pytest.mark.parametrize("typed", [
    "11010519491231002x",
    " 110105 19491231 002X ",
    "110105-19491231-002x",
    full_width("110105 19491231 002x"),
    "１１０１０５\u3000１９４９１２３１\u3000００２ｘ",
])
def test_messy_id_numbers_are_cleaned(typed):
    assert parse_resident_id(typed).number == KNOWN_ID


@pytest.mark.parametrize(("born", "sequence", "sex"), [
    (D(1990, 1, 1), 0, "male"),
    (D(1990, 1, 1), 0, "female"),
    (D(1956, 2, 29), 17, "female"),
    (D(2001, 12, 31), 99, "male"),
    (D(1900, 1, 1), 42, "male"),
    (datetime.date.today(), 5, "female"),
])
def test_built_numbers_parse_back(born, sequence, sex):
    number = build_resident_id(region=REGION, birth_date=born, sequence=sequence, sex=sex)
    assert len(number) == 18
    assert number[:17].isdigit()
    assert number[17] == gb11643_check(number[:17])
    assert number[14:16] == f"{sequence:02d}"
    rid = parse_resident_id(number)
    assert rid == ResidentId(number=number, birth_date=born, sex=sex, region=REGION,
                             upgraded_from_15=False)


def test_build_is_deterministic_and_sex_digit_has_the_right_parity():
    for sequence in range(100):
        male = build_resident_id(region=REGION, birth_date=D(1980, 5, 6), sequence=sequence,
                                 sex="male")
        female = build_resident_id(region=REGION, birth_date=D(1980, 5, 6), sequence=sequence,
                                   sex="female")
        assert int(male[16]) % 2 == 1
        assert int(female[16]) % 2 == 0
        assert male == build_resident_id(region=REGION, birth_date=D(1980, 5, 6),
                                          sequence=sequence, sex="male")


@pytest.mark.parametrize("kwargs", [
    {"region": "52030"},
    {"region": "52030a"},
    {"region": 520302},
    {"birth_date": "1990-01-01"},
    {"birth_date": D(1899, 12, 31)},
    {"birth_date": datetime.date.today() + datetime.timedelta(days=1)},
    {"sequence": 100},
    {"sequence": -1},
    {"sequence": 1.0},
    {"sex": "男"},
    {"sex": None},
])
def test_build_refuses_bad_input(kwargs):
    good = {"region": REGION, "birth_date": D(1990, 1, 1), "sequence": 1, "sex": "male"}
    with pytest.raises(ValueError):
        build_resident_id(**{**good, **kwargs})


def test_a_changed_check_character_is_refused():
    number = build_resident_id(region=REGION, birth_date=D(1985, 7, 14), sequence=23,
                               sex="male")
    for wrong in "123456789X":
        if wrong != number[17]:
            refused(parse_resident_id, number[:17] + wrong, "check_digit")


@pytest.mark.parametrize("position", [0, 3, 5, 14, 15, 16])
def test_a_mistyped_digit_is_caught_by_the_check(position):
    number = build_resident_id(region=REGION, birth_date=D(1972, 10, 3), sequence=61,
                               sex="female")
    digit = str((int(number[position]) + 3) % 10)
    refused(parse_resident_id, number[:position] + digit + number[position + 1:], "check_digit")


def test_swapped_neighbouring_digits_are_caught():
    number = build_resident_id(region=REGION, birth_date=D(1972, 10, 3), sequence=61,
                               sex="female")
    assert number[14] != number[15]
    refused(parse_resident_id, number[:14] + number[15] + number[14] + number[16:], "check_digit")


@pytest.mark.parametrize(("born", "sequence", "sex"), [
    (D(1965, 3, 8), 7, "male"),
    (D(1972, 2, 29), 40, "female"),
    (D(1999, 12, 31), 99, "female"),
])
def test_a_15_digit_number_is_upgraded(born, sequence, sex):
    number = build_resident_id(region=REGION, birth_date=born, sequence=sequence, sex=sex)
    old = number[:6] + number[8:17]  # no century, no check character
    assert len(old) == 15
    for typed in (old, full_width(old), f"{old[:6]} {old[6:12]} {old[12:]}", int(old)):
        rid = parse_resident_id(typed)
        assert rid.number == number
        assert rid.upgraded_from_15 is True
        assert rid.birth_date == born
        assert rid.sex == sex
        assert rid.region == REGION


@pytest.mark.parametrize("value", [
    5.20302199001011e17,
    520302199001011000.0,
    520302199001011008,  # int(float): what a naive conversion of the cell gives
    520302199001011000,
    5203021990,
    "5.20302199001011E+17",
    "5.20302199001011e+17",
    "5.20302199001011E17",
    full_width("5.20302199001011E+17"),
    "520302199001011000",
    "520302199001011000.0",
    np.float64(5.20302199001011e17),
    Decimal("520302199001011000"),
])
def test_numbers_excel_damaged_are_refused_never_repaired(value):
    refused(parse_resident_id, value, "excel_number", ExcelNumberError)


def test_even_an_exact_float_is_refused():
    # A 15-digit number survives as a float, but a float ID cell is never trusted.
    number = build_resident_id(region=REGION, birth_date=D(1965, 3, 8), sequence=7, sex="male")
    old = number[:6] + number[8:17]
    refused(parse_resident_id, float(old), "excel_number", ExcelNumberError)


def test_a_valid_int_from_csv_is_accepted():
    for sequence in range(10):
        number = build_resident_id(region=REGION, birth_date=D(1990, 1, 1), sequence=sequence,
                                   sex="male")
        if number.isdigit():
            break
    assert number.isdigit()
    assert parse_resident_id(int(number)).number == number
    assert parse_resident_id(np.int64(number)).number == number
    wrong = int(number[:17] + str((int(number[17]) + 1) % 10))
    refused(parse_resident_id, wrong, "excel_number", ExcelNumberError)


def test_excel_number_error_is_an_invalid_value():
    assert issubclass(ExcelNumberError, InvalidValue)
    assert issubclass(InvalidValue, ValueError)


@pytest.mark.parametrize(("value", "code"), [
    ("", "required"),
    (None, "required"),
    ("   ", "required"),
    ("52030219900101123", "length"),
    ("5203021990010112345", "length"),
    ("5203021990010", "length"),
    ("52030219900101123A", "characters"),
    ("5203021990O1011234", "characters"),  # letter O for zero
    ("X20302199001011234", "characters"),
    ("52030290010112X", "characters"),  # a 15-digit number has no check character
    ("未知", "characters"),
    (True, "characters"),
])
def test_malformed_id_numbers_are_refused(value, code):
    refused(parse_resident_id, value, code)


def _with_check(body17: str) -> str:
    return body17 + gb11643_check(body17)


@pytest.mark.parametrize("birth", [
    "19900230",  # 30 February
    "19901301",  # month 13
    "19900001",
    "19900100",
    "18991231",  # before 1900
    "00000000",
    (datetime.date.today() + datetime.timedelta(days=1)).strftime("%Y%m%d"),
    "20990101",
])
def test_impossible_birth_dates_are_refused(birth):
    number = _with_check(f"{REGION}{birth}123")  # the check character is right
    refused(parse_resident_id, number, "birth_date")


def test_impossible_birth_date_in_a_15_digit_number():
    refused(parse_resident_id, f"{REGION}900230123", "birth_date")


def test_each_kind_of_refusal_has_its_own_code():
    number = build_resident_id(region=REGION, birth_date=D(1990, 1, 1), sequence=1, sex="male")
    bad_check = number[:17] + ("1" if number[17] != "1" else "2")
    errors = [
        refused(parse_resident_id, number[:-1]),
        refused(parse_resident_id, number[:-1] + "?"),
        refused(parse_resident_id, bad_check),
        refused(parse_resident_id, _with_check(f"{REGION}19900230123")),
        refused(parse_resident_id, float(number)),
    ]
    assert len({e.code for e in errors}) == len(errors)
    assert len({e.message for e in errors}) == len(errors)


def test_the_message_does_not_reveal_the_expected_check_character():
    number = build_resident_id(region=REGION, birth_date=D(1990, 1, 1), sequence=3, sex="male")
    for wrong in "0123456789X":
        if wrong != number[17]:
            error = refused(parse_resident_id, number[:17] + wrong + " ", "check_digit")
            assert number not in error.message
            assert error.params == {}


# --------------------------------------------------------------------------------------------
# Agreement between the ID number and the rest of the row
# --------------------------------------------------------------------------------------------

@pytest.fixture
def woman_born_1990() -> ResidentId:
    return parse_resident_id(
        build_resident_id(region=REGION, birth_date=D(1990, 6, 15), sequence=8, sex="female")
    )


@pytest.mark.parametrize(("sex", "born"), [
    ("female", D(1990, 6, 15)),
    ("女", None),
    (None, D(1990, 6, 15)),
    (None, None),
    ("", None),
    ("F", datetime.datetime(1990, 6, 15, 0, 0)),
])
def test_agreeing_values_pass(woman_born_1990, sex, born):
    assert check_resident_id_agrees(woman_born_1990, sex=sex, birth_date=born) is None


@pytest.mark.parametrize(("sex", "born", "code"), [
    ("male", None, "sex_mismatch"),
    ("男", D(1990, 6, 15), "sex_mismatch"),
    ("female", D(1990, 6, 16), "birth_date_mismatch"),
    (None, D(1909, 6, 15), "birth_date_mismatch"),
    (None, datetime.datetime(1990, 6, 14, 23, 59), "birth_date_mismatch"),
])
def test_disagreeing_values_are_refused(woman_born_1990, sex, born, code):
    with pytest.raises(InvalidValue) as info:
        check_resident_id_agrees(woman_born_1990, sex=sex, birth_date=born)
    assert info.value.code == code


@pytest.mark.parametrize(("number", "masked"), [
    ("520302199001011234", "520302********1234"),
    (KNOWN_ID, "110105********002X"),
    ("520302900101123", "520302*****1123"),
    ("", ""),
    ("12345", "*****"),
])
def test_mask_resident_id(number, masked):
    assert mask_resident_id(number) == masked


# --------------------------------------------------------------------------------------------
# Sex
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("男", "male"), ("女", "female"), (" 男 ", "male"), ("男性", "male"), ("女性", "female"),
    ("male", "male"), ("Male", "male"), ("MALE", "male"), ("female", "female"),
    ("FEMALE", "female"), ("M", "male"), ("m", "male"), ("F", "female"), ("f", "female"),
    ("Ｍ", "male"), ("ｆ", "female"), ("", None), ("  ", None), (None, None),
])
def test_parse_sex(value, expected):
    assert parse_sex(value) == expected


@pytest.mark.parametrize("value", ["未知", "1", "x", "男女", "mal", 0])
def test_parse_sex_refuses(value):
    refused(parse_sex, value, "sex")


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "1990.1.1", "1990.01.01", "1990/01/01", "1990/1/1", "1990-1-1", "1990-01-01",
    "19900101", "1990年1月1日", "1990年01月01日", "1990年1月1号", "1990年1月1",
    " 1990 年 1 月 1 日 ", "１９９０年１月１日", "１９９０．１．１", "１９９０0101",
    "1990-01-01 00:00:00", "1990-01-01T08:30",
    D(1990, 1, 1), datetime.datetime(1990, 1, 1, 23, 59),
    32874, 32874.0, 32874.99, np.float64(32874), np.int64(32874), Decimal(32874),
])
def test_parse_date_accepts(value):
    assert parse_date(value) == D(1990, 1, 1)


@pytest.mark.parametrize(("serial", "expected"), [
    (1, D(1900, 1, 1)),
    (59, D(1900, 2, 28)),
    (61, D(1900, 3, 1)),
    (25569, D(1970, 1, 1)),
    (45658, D(2025, 1, 1)),
    (2958465, D(9999, 12, 31)),
])
def test_excel_serial_numbers(serial, expected):
    assert parse_date(serial) == expected


@pytest.mark.parametrize("value", ["", "   ", None])
def test_empty_date_is_none(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(("value", "code"), [
    ("1990.13.1", "date_impossible"),
    ("1990-02-29", "date_impossible"),
    ("19900230", "date_impossible"),
    ("1990年2月30日", "date_impossible"),
    (60, "date_impossible"),  # Excel's phantom 1900-02-29
    ("01/01/1990", "date_format"),
    ("90.1.1", "date_format"),
    ("1990.1-1", "date_format"),
    ("1990", "date_format"),
    ("32874", "date_format"),
    ("一九九〇年一月一日", "date_format"),
    ("unknown", "date_format"),
    (0, "date_format"),
    (-5, "date_format"),
    (2958466, "date_format"),
    (float("nan"), "date_format"),
    (True, "date_format"),
])
def test_parse_date_refuses(value, code):
    refused(parse_date, value, code)


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("+86-138-1234-5678", "13812345678"),
    ("008613812345678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("(+86) 19912345678", "19912345678"),
    (full_width("138 1234 5678"), "13812345678"),
    (13885123456.0, "13885123456"),
    (13885123456, "13885123456"),
    (np.float64(13885123456.0), "13885123456"),
    ("13812345678.0", "13812345678"),
    ("0851-28221234", "0851-28221234"),
    ("0851 2822 1234", "0851-28221234"),
    ("085128221234", "0851-28221234"),
    ("(0851)28221234", "0851-28221234"),
    ("（0851）28221234", "0851-28221234"),
    ("(0851) 2822-1234", "0851-28221234"),
    ("0851－28221234", "0851-28221234"),
    ("0851\u201428221234", "0851-28221234"),
    ("010-12345678", "010-12345678"),
    ("01012345678", "010-12345678"),
    ("(010)1234-5678", "010-12345678"),
    ("021-6234567", "021-6234567"),
    ("0898-6234567", "0898-6234567"),
    ("0851-2822123", "0851-2822123"),
    ("0851-28221234-123", "0851-28221234-123"),
    ("0851-28221234转123", "0851-28221234-123"),
    ("0851-28221234 转 8", "0851-28221234-8"),
    ("0851-28221234分机123", "0851-28221234-123"),
    ("0851-28221234 ext. 123", "0851-28221234-123"),
    ("+86 851 2822 1234", "0851-28221234"),
    ("+86 10 1234 5678", "010-12345678"),
    ("", ""),
    ("  ", ""),
    (None, ""),
])
def test_parse_phone_accepts(value, expected):
    assert parse_phone(value) == expected


@pytest.mark.parametrize(("value", "code"), [
    ("28221234", "phone_area_code"),
    ("2822-1234", "phone_area_code"),
    ("6234567", "phone_area_code"),
    ("28221234转123", "phone_area_code"),
    (28221234, "phone_area_code"),
    ("12812345678", "mobile_prefix"),
    ("10012345678", "mobile_prefix"),
    ("1381234567", "mobile_length"),
    ("138123456789", "mobile_length"),
    ("0851-282212", "phone"),  # 6 digits after the area code
    ("021-62345678901", "phone"),
    ("011-12345678", "phone"),  # there is no 011 area code
    ("0851-028221234", "phone"),
    ("0851-282212345678", "phone"),
    ("13812345678转12", "phone"),
    ("13812345678/13912345678", "phone"),
    ("+1 415 555 0100", "phone"),
    ("+86 128 1234 5678", "phone"),
    ("无", "phone"),
    (13812345678.5, "phone"),
    (True, "phone"),
])
def test_parse_phone_refuses(value, code):
    refused(parse_phone, value, code)


@pytest.mark.parametrize("value", [85128221234.0, 85128221234, "85128221234.0", 1012345678.0])
def test_landline_that_excel_stored_as_a_number_is_refused(value):
    refused(parse_phone, value, "excel_number", ExcelNumberError)


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    ("0851-28221234", "0851-****1234"),
    ("010-12345678", "010-****5678"),
    ("021-6234567", "021-***4567"),
    ("0851-28221234-123", "0851-****1234-123"),
    ("", ""),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_masks_apply_to_parsed_values():
    assert mask_phone(parse_phone("+86 138 1234 5678")) == "138****5678"
    assert mask_phone(parse_phone("(0851)28221234")) == "0851-****1234"
    assert mask_resident_id(parse_resident_id(KNOWN_ID.lower()).number) == "110105********002X"


# --------------------------------------------------------------------------------------------
# Unified social credit codes
# --------------------------------------------------------------------------------------------

KNOWN_CREDIT_CODE = "91350100M000100Y43"  # the sample code printed in GB 32100-2015

BODIES = [
    "91520302MA6DKXY0B",  # a limited company in 红花岗区
    "12520302429212345",  # a public institution
    "52520302MJY123456",  # a social organisation
    "92520302MA6H00001",  # an individual business
    "N2520302MF1234567",  # a rural economic organisation
    "31520000123456789",
]


def test_the_standards_sample_code():
    assert gb32100_check(KNOWN_CREDIT_CODE[:17]) == KNOWN_CREDIT_CODE[17]
    assert parse_credit_code(KNOWN_CREDIT_CODE) == KNOWN_CREDIT_CODE
    assert build_credit_code(KNOWN_CREDIT_CODE[:17]) == KNOWN_CREDIT_CODE


@pytest.mark.parametrize("body", BODIES)
def test_credit_code_round_trip(body):
    code = build_credit_code(body)
    assert code[:17] == body
    assert code[17] == gb32100_check(body)
    assert parse_credit_code(code) == code
    assert parse_credit_code(code.lower()) == code
    assert parse_credit_code(f" {code[:9]} {code[9:]} ") == code
    assert parse_credit_code(full_width(code.lower())) == code
    assert parse_credit_code(f"{code[:8]}-{code[8:]}") == code


@pytest.mark.parametrize("body", BODIES)
def test_one_changed_character_is_refused(body):
    code = build_credit_code(body)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for position in (0, 1, 8, 12, 16, 17):
        if position in range(2, 8):
            continue
        wrong = alphabet[(alphabet.index(code[position]) + 7) % 31]
        refused(parse_credit_code, code[:position] + wrong + code[position + 1:], "check_digit")


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "i", "o"])
def test_letters_never_used_are_refused(letter):
    code = build_credit_code(BODIES[0])
    refused(parse_credit_code, code[:10] + letter + code[11:], "characters")


@pytest.mark.parametrize(("value", "code"), [
    ("91520302MA6DKXY0", "length"),
    ("91520302MA6DKXY0B11", "length"),
    ("91520302MA6DKXY0B.", "characters"),
    ("91520302MA6DKXY0B？", "characters"),
    ("91520302MA6DKXY0B#", "characters"),
    ("915203A2MA6DKXY0B1", "region"),
    ("无", "characters"),
])
def test_malformed_credit_codes_are_refused(value, code):
    refused(parse_credit_code, value, code)


@pytest.mark.parametrize("value", [
    9.15203024292123e17, "9.15203024292123E+17", 915203024292123000, 915203024292123.0,
])
def test_credit_code_excel_numbers_are_refused(value):
    refused(parse_credit_code, value, "excel_number", ExcelNumberError)


def test_an_all_digit_credit_code_from_csv_is_accepted_as_int():
    for n in range(100):
        code = build_credit_code(f"{BODIES[1][:15]}{n:02d}")
        if code.isdigit():
            break
    assert code.isdigit()
    assert parse_credit_code(int(code)) == code


@pytest.mark.parametrize("value", ["", "  ", None])
def test_empty_credit_code(value):
    assert parse_credit_code(value) == ""


@pytest.mark.parametrize("body", ["", "91520302MA6DKXY0", "91520302MA6DKXY0BB", "91520302MA6DKXYOB",
                                  "91520302ma6dkxy0b", 12345678901234567])
def test_build_credit_code_refuses_bad_bodies(body):
    with pytest.raises(ValueError):
        build_credit_code(body)


# --------------------------------------------------------------------------------------------
# Ethnic groups
# --------------------------------------------------------------------------------------------

def test_there_are_56_ethnic_groups():
    assert len(ETHNIC_GROUPS) == 56
    assert len(set(ETHNIC_GROUPS)) == 56
    assert all(name.endswith("族") and len(name) >= 2 for name in ETHNIC_GROUPS)
    assert ETHNIC_GROUPS[0] == "汉族"
    assert {"苗族", "布依族", "仡佬族", "土家族", "侗族", "水族"} <= set(ETHNIC_GROUPS)


@pytest.mark.parametrize(("value", "expected"), [
    ("汉", "汉族"), ("汉族", "汉族"), (" 汉族 ", "汉族"), ("苗 族", "苗族"),
    ("布依", "布依族"), ("土", "土族"), ("土家", "土家族"), ("土家族", "土家族"),
    ("蒙古", "蒙古族"), ("维吾尔族", "维吾尔族"), ("柯尔克孜", "柯尔克孜族"),
    ("", None), (None, None),
])
def test_parse_ethnic_group(value, expected):
    assert parse_ethnic_group(value) == expected


def test_every_group_is_accepted_with_and_without_the_suffix():
    for name in ETHNIC_GROUPS:
        assert parse_ethnic_group(name) == name
        assert parse_ethnic_group(name[:-1]) == name


@pytest.mark.parametrize("value", ["穿青人", "其他", "外国血统", "族", "汉族族", "Han", "1"])
def test_parse_ethnic_group_refuses(value):
    refused(parse_ethnic_group, value, "ethnic_group")


# --------------------------------------------------------------------------------------------
# Messages: every msgid has a Chinese translation with the same placeholders
# --------------------------------------------------------------------------------------------

def _module_msgids() -> set[str]:
    tree = ast.parse(Path(validators.__file__).read_text(encoding="utf-8"))
    msgids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            (arg,) = node.args
            assert isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            msgids.add(arg.value)
    return msgids


def test_every_message_has_a_chinese_translation():
    assert _module_msgids() == set(MESSAGES_ZH)


def test_translations_keep_the_placeholders():
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for msgid, chinese in MESSAGES_ZH.items():
        assert sorted(placeholder.findall(msgid)) == sorted(placeholder.findall(chinese)), msgid
        assert chinese.count("%") == msgid.count("%"), msgid


MESSAGES_ZH = {
    # Citizen identification numbers
    "The ID number is missing.":
        "缺少身份证号码。",
    "An ID number may contain only digits, and the letter X as its last character.":
        "身份证号码只能包含数字，最后一位可以是字母 X。",
    "An old 15-digit ID number may contain only digits.":
        "旧的15位身份证号码只能包含数字。",
    "An ID number has 18 characters (15 on old cards), but this one has %(count)d.":
        "身份证号码应为18位（旧证为15位），此号码为%(count)d位。",
    "The birth date in the ID number (%(date)s) is impossible. "
    "The number is probably mistyped.":
        "身份证号码中的出生日期（%(date)s）不可能成立，号码可能输错了。",
    "The check digit of the ID number does not match. The number is probably mistyped.":
        "身份证号码的校验码不符，号码可能输错了。",
    "Excel stored the ID number as a number and lost its last digits. "
    "Format the column as text and type the number again.":
        "Excel 把身份证号码存成了数字，丢失了最后几位。请把该列设置为文本格式，然后重新输入号码。",
    "The sex entered does not match the ID number.":
        "填写的性别与身份证号码不符。",
    "The birth date entered (%(given)s) does not match the one in the ID number "
    "(%(expected)s).":
        "填写的出生日期（%(given)s）与身份证号码中的出生日期（%(expected)s）不符。",
    # Sex, dates, ethnic groups
    'The sex must be 男 or 女 (male or female), not "%(value)s".':
        "性别应为“男”或“女”，不能是“%(value)s”。",
    '"%(value)s" is not a date. Write it as 1990-01-01, 1990/1/1, 1990.1.1, '
    "19900101 or 1990年1月1日.":
        "“%(value)s”不是日期。请写成 1990-01-01、1990/1/1、1990.1.1、19900101 或 1990年1月1日。",
    'The date "%(value)s" does not exist.':
        "日期“%(value)s”不存在。",
    '"%(value)s" is not one of the 56 recognised ethnic groups (such as 汉族 or 苗族).':
        "“%(value)s”不是国家认定的56个民族之一（如汉族、苗族）。",
    # Phone numbers
    '"%(value)s" is not a phone number. Enter an 11-digit mobile number, or a landline '
    "number with its area code such as 0851-28221234.":
        "“%(value)s”不是电话号码。请填写11位手机号码，或带区号的固定电话号码，例如 0851-28221234。",
    '"%(value)s" is not a mobile number: mobile numbers have 11 digits.':
        "“%(value)s”不是手机号码：手机号码应为11位。",
    '"%(value)s" is not a mobile number: mobile numbers begin with 13 to 19.':
        "“%(value)s”不是手机号码：手机号码以13至19开头。",
    'The landline number "%(value)s" has no area code. '
    "Add it in front, for example 0851-28221234.":
        "固定电话号码“%(value)s”缺少区号，请在前面加上区号，例如 0851-28221234。",
    "Excel stored the phone number as a number and lost its leading 0. "
    "Format the column as text and type the number again.":
        "Excel 把电话号码存成了数字，丢失了开头的 0。请把该列设置为文本格式，然后重新输入号码。",
    # Unified social credit codes
    "A credit code may contain only digits and capital letters; "
    "the letters I, O, Z, S and V are never used.":
        "统一社会信用代码只能包含数字和大写字母，且从不使用字母 I、O、Z、S、V。",
    "A credit code has 18 characters, but this one has %(count)d.":
        "统一社会信用代码应为18位，此代码为%(count)d位。",
    "Characters 3 to 8 of a credit code are a region code and must be digits.":
        "统一社会信用代码的第3至8位是行政区划码，必须是数字。",
    "The check character of the credit code does not match. The code is probably mistyped.":
        "统一社会信用代码的校验码不符，代码可能输错了。",
    "Excel stored the credit code as a number and lost its last digits. "
    "Format the column as text and type the code again.":
        "Excel 把统一社会信用代码存成了数字，丢失了最后几位。"
        "请把该列设置为文本格式，然后重新输入代码。",
}

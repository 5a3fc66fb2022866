"""Normalise and check values typed by clerks into Excel "people ledgers".

Every ``parse_*`` function accepts the messy forms a spreadsheet produces (full-width digits,
stray spaces, numbers stored as floats, ...) and returns one canonical value, or raises
:class:`InvalidValue` whose message is meant for the clerk who typed the value.

Standards followed:

* GB 11643-1999 citizen identification number (and the 15-digit GB 11643-1989 form);
* GB 32100-2015 unified social credit code;
* GB 3304 names of the 56 ethnic groups.
"""

from __future__ import annotations

import datetime
import functools
import math
import numbers
import operator
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

__all__ = [
    "ETHNIC_GROUPS",
    "FEMALE",
    "MALE",
    "ExcelNumberError",
    "InvalidValue",
    "ResidentId",
    "build_credit_code",
    "build_resident_id",
    "check_resident_id_agrees",
    "mask_phone",
    "mask_resident_id",
    "normalize_text",
    "parse_credit_code",
    "parse_date",
    "parse_ethnic_group",
    "parse_phone",
    "parse_resident_id",
    "parse_sex",
]

MALE = "male"
FEMALE = "female"


class InvalidValue(ValueError):
    """A value that cannot be recovered. ``str(exc)`` / ``exc.message`` is for the user.

    ``code`` is a stable, untranslated identifier of the kind of problem (``"length"``,
    ``"check_digit"``, ...) for programs and tests; ``params`` are the values interpolated
    into the message.
    """

    def __init__(
        self, message: str, *, code: str = "invalid", params: dict[str, Any] | None = None
    ) -> None:
        self.code = code
        self.params = dict(params or {})
        self.message = message % self.params if self.params else message
        super().__init__(self.message)


class ExcelNumberError(InvalidValue):
    """Excel stored a long number (ID number, credit code, phone) as a number and damaged it.

    The value must never be "repaired": the digits that were lost cannot be recovered.
    """

    def __init__(self, message: str, *, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code="excel_number", params=params)


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------

_WIDTH_TABLE: dict[int, int | None] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE[0x3000] = 0x20  # ideographic space
_WIDTH_TABLE[0x200B] = None  # zero-width space, pasted from web pages
_WIDTH_TABLE[0xFEFF] = None  # byte-order mark / zero-width no-break space

# Hyphen look-alikes that clerks (or autocorrect) put inside numbers.
_DASHES = re.escape("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")  # for [...]
_SEPARATORS = re.compile(f"[\\s{_DASHES}]+")


def normalize_text(value: Any) -> str:
    """Return ``value`` as tidy text.

    ``None`` becomes ``""``; anything else goes through ``str()``. Full-width ASCII
    (U+FF01..U+FF5E) becomes half-width, the ideographic space becomes a space, zero-width
    spaces are dropped, the ends are stripped and runs of whitespace collapse to one space.
    """
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if not text.isascii():  # full-width forms and zero-width marks are never ASCII
        text = text.translate(_WIDTH_TABLE)
    return " ".join(text.split())


def _compact(value: Any) -> str:
    """``normalize_text`` without any spaces or hyphens, upper-cased: for codes and numbers."""
    return _SEPARATORS.sub("", normalize_text(value)).upper()


# A number as Python or Excel writes it, with a decimal point and/or an exponent:
# "5.20302199001011E+17", "520302199001011000.0". Plain digit strings do not match.
_NUMBER_LITERAL = re.compile(
    r"[+-]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][+-]?\d+)", flags=re.ASCII
)


def _is_number_literal(value: Any) -> bool:
    text = normalize_text(value).replace(" ", "")
    return bool(_NUMBER_LITERAL.fullmatch(text))


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_non_int_number(value: Any) -> bool:
    """Floats (including numpy floats) and Decimals: what Excel gives for a numeric cell."""
    return isinstance(value, numbers.Real | Decimal) and not isinstance(
        value, numbers.Integral
    )


# --------------------------------------------------------------------------------------------
# Citizen identification number (GB 11643-1999)
# --------------------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class ResidentId:
    """A checked citizen identification number and what it says about its holder."""

    number: str  # 18 characters; the check character is an upper-case X when it is 10
    birth_date: datetime.date
    sex: str  # MALE or FEMALE (odd 17th digit = male)
    region: str  # first 6 digits: administrative division code at the time of issue
    upgraded_from_15: bool  # True when the input was a 15-digit GB 11643-1989 number


# The weighted sum over the ASCII codes of 17 digits is the sum over the digits plus this.
_ID_ASCII_OFFSET = ord("0") * sum(_ID_WEIGHTS)
# An ID number as a careful clerk types it: no spaces, no full-width digits, an upper-case X.
_CANONICAL_ID = re.compile(r"[0-9]{17}[0-9X]", flags=re.ASCII)


def _id_check_char(body17: str) -> str:
    total = sum(map(operator.mul, body17.encode("ascii"), _ID_WEIGHTS)) - _ID_ASCII_OFFSET
    return _ID_CHECK_CHARS[total % 11]


def _excel_id_error() -> ExcelNumberError:
    return ExcelNumberError(
        _(
            "Excel stored the ID number as a number and lost its last digits. "
            "Format the column as text and type the number again."
        )
    )


@functools.lru_cache(maxsize=65536)
def _birth_date_from_digits(digits: str) -> datetime.date:
    """YYYYMMDD from an ID number -> date, refusing impossible, future and pre-1900 dates.

    Kept for each string (a ledger of 100,000 people has some 30,000 birth dates): a date
    accepted once is accepted later too, and a refused one is never kept."""
    shown = f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
    try:
        born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        born = None
    if born is None or not _EARLIEST_BIRTH <= born <= datetime.date.today():
        raise InvalidValue(
            _(
                "The birth date in the ID number (%(date)s) is impossible. "
                "The number is probably mistyped."
            ),
            code="birth_date",
            params={"date": shown},
        )
    return born


def _parse_id_text(value: Any) -> ResidentId:
    if _is_number_literal(value):
        raise _excel_id_error()
    text = _compact(value)
    if not text:
        raise InvalidValue(_("The ID number is missing."), code="required")
    if not re.fullmatch(r"[0-9]*[0-9X]", text, flags=re.ASCII):
        raise InvalidValue(
            _(
                "An ID number may contain only digits, and the letter X as its last "
                "character."
            ),
            code="characters",
        )
    if len(text) not in (15, 18):
        raise InvalidValue(
            _("An ID number has 18 characters (15 on old cards), but this one has %(count)d."),
            code="length",
            params={"count": len(text)},
        )

    if len(text) == 15:
        if not text.isdigit():  # a 15-digit number has no check character
            raise InvalidValue(
                _("An old 15-digit ID number may contain only digits."), code="characters"
            )
        body17 = f"{text[:6]}19{text[6:]}"
        number = body17 + _id_check_char(body17)
        upgraded = True
    else:
        number = text
        upgraded = False
    return _checked_id(number, upgraded=upgraded)


def _checked_id(number: str, *, upgraded: bool) -> ResidentId:
    """An 18-character number of digits (and a final X): its birth date and check digit."""
    born = _birth_date_from_digits(number[6:14])
    if _id_check_char(number[:17]) != number[17]:
        if number.endswith("000"):
            # What a cell that Excel stored as a number shows once it is turned back into text:
            # only 15 significant digits survive and the rest become zeros.
            raise _excel_id_error()
        raise InvalidValue(
            _(
                "The check digit of the ID number does not match. "
                "The number is probably mistyped."
            ),
            code="check_digit",
        )
    return ResidentId(
        number=number,
        birth_date=born,
        sex=MALE if int(number[16]) % 2 else FEMALE,
        region=number[:6],
        upgraded_from_15=upgraded,
    )


def parse_resident_id(value: Any) -> ResidentId:
    """Parse and check a citizen identification number (GB 11643-1999).

    Accepts spaces and hyphens inside, full-width digits and a lower-case ``x``. A 15-digit
    number (GB 11643-1989) is upgraded to 18 digits: ``19`` goes in front of the two-digit
    year and the check character is computed.

    Raises :class:`InvalidValue` for an empty value, characters other than digits (and a
    final X), a wrong length, an impossible birth date (not a real date, in the future or
    before 1900) and a check character that does not match.

    Raises :class:`ExcelNumberError` (an :class:`InvalidValue`) for numbers that Excel
    damaged: any float, a string in scientific or decimal notation, an 18-digit string that
    ends in ``000`` and fails the check, and any int that is not itself a valid 15- or
    18-digit number. Such values are never repaired.
    """
    if value.__class__ is str and _CANONICAL_ID.fullmatch(value):
        # The common case, which the general path below would only copy: a ledger checks
        # 100,000 of these.
        return _checked_id(value, upgraded=False)
    if _is_non_int_number(value):
        raise _excel_id_error()
    if _is_int(value):
        digits = str(int(value))
        if len(digits) not in (15, 18):
            raise _excel_id_error()
        try:
            return _parse_id_text(digits)
        except InvalidValue:
            raise _excel_id_error() from None
    if isinstance(value, bool):
        value = str(value)  # refused below as "characters"
    return _parse_id_text(value)


def build_resident_id(
    *, region: str, birth_date: datetime.date, sequence: int, sex: str
) -> str:
    """Make a valid 18-character ID number, for synthetic demo data.

    ``region`` is 6 digits, ``sequence`` 0..99 becomes digits 15-16, and digit 17 is odd for
    ``"male"`` and even for ``"female"``, chosen from ``sequence`` so the result is
    deterministic. Raises ``ValueError`` on bad input (including a birth date that
    :func:`parse_resident_id` would refuse).
    """
    if not (isinstance(region, str) and re.fullmatch(r"[0-9]{6}", region)):
        raise ValueError(f"region must be 6 digits, not {region!r}")
    if isinstance(birth_date, datetime.datetime):
        birth_date = birth_date.date()
    if not isinstance(birth_date, datetime.date):
        raise ValueError(f"birth_date must be a date, not {birth_date!r}")
    if not _EARLIEST_BIRTH <= birth_date <= datetime.date.today():
        raise ValueError(f"birth_date {birth_date} is before 1900 or in the future")
    if not _is_int(sequence) or not 0 <= sequence <= 99:
        raise ValueError(f"sequence must be an int from 0 to 99, not {sequence!r}")
    if sex not in (MALE, FEMALE):
        raise ValueError(f"sex must be {MALE!r} or {FEMALE!r}, not {sex!r}")
    sex_digit = (sequence % 5) * 2 + (1 if sex == MALE else 0)
    body17 = f"{region}{birth_date:%Y%m%d}{sequence:02d}{sex_digit}"
    return body17 + _id_check_char(body17)


def check_resident_id_agrees(
    rid: ResidentId, *, sex: str | None, birth_date: datetime.date | None
) -> None:
    """Raise :class:`InvalidValue` if the sex or birth date given elsewhere in the row
    disagrees with the ID number. ``None`` (or ``""`` for sex) means "not given".

    ``sex`` may be anything :func:`parse_sex` accepts; ``birth_date`` may be a datetime.
    """
    given_sex = parse_sex(sex)
    if given_sex is not None and given_sex != rid.sex:
        raise InvalidValue(
            _("The sex entered does not match the ID number."), code="sex_mismatch"
        )
    if isinstance(birth_date, datetime.datetime):
        birth_date = birth_date.date()
    if birth_date is not None and birth_date != rid.birth_date:
        raise InvalidValue(
            _(
                "The birth date entered (%(given)s) does not match the one in the ID number "
                "(%(expected)s)."
            ),
            code="birth_date_mismatch",
            params={"given": birth_date.isoformat(), "expected": rid.birth_date.isoformat()},
        )


def mask_resident_id(number: str) -> str:
    """Hide the birth date and sequence: ``"520302199001011234"`` -> ``"520302********1234"``.

    The first 6 and last 4 characters are kept; values of 10 characters or fewer are hidden
    completely, and ``""`` stays ``""``.
    """
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# --------------------------------------------------------------------------------------------
# Sex
# --------------------------------------------------------------------------------------------

_SEXES = {
    "男": MALE,
    "男性": MALE,
    "male": MALE,
    "m": MALE,
    "女": FEMALE,
    "女性": FEMALE,
    "female": FEMALE,
    "f": FEMALE,
}


def parse_sex(value: Any) -> str | None:
    """``"男"``, ``"女"``, ``"male"``, ``"female"``, ``"M"``, ``"F"`` (any case; also ``"男性"``
    and ``"女性"``) -> ``"male"`` / ``"female"``. Empty -> ``None``. Else :class:`InvalidValue`.
    """
    text = normalize_text(value)
    if not text:
        return None
    try:
        return _SEXES[text.casefold()]
    except KeyError:
        raise InvalidValue(
            _('The sex must be 男 or 女 (male or female), not "%(value)s".'),
            code="sex",
            params={"value": text},
        ) from None


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # "1990-01-01 00:00:00" from CSV
_DATE_FORMS = (
    re.compile(r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})" + _TIME, flags=re.ASCII),
    re.compile(r"(\d{4})()(\d{2})(\d{2})", flags=re.ASCII),
    re.compile(r"(\d{4}) ?年() ?(\d{1,2}) ?月 ?(\d{1,2}) ?[日号]?", flags=re.ASCII),
)


def _date_format_error(value: Any) -> InvalidValue:
    return InvalidValue(
        _(
            '"%(value)s" is not a date. Write it as 1990-01-01, 1990/1/1, 1990.1.1, '
            "19900101 or 1990年1月1日."
        ),
        code="date_format",
        params={"value": normalize_text(value)},
    )


def _impossible_date_error(value: Any) -> InvalidValue:
    return InvalidValue(
        _('The date "%(value)s" does not exist.'),
        code="date_impossible",
        params={"value": normalize_text(value)},
    )


def _from_excel_serial(value: numbers.Real | Decimal) -> datetime.date:
    """Excel 1900 date system: 1 = 1900-01-01; Excel believes 1900-02-29 (60) existed."""
    if not math.isfinite(value) or not 1 <= value < _EXCEL_MAX_SERIAL + 1:
        raise _date_format_error(value)
    days = int(value)  # a fractional part is the time of day
    if days == 60:
        raise _impossible_date_error("1900-02-29")
    if days < 60:
        days += 1
    return _EXCEL_EPOCH + datetime.timedelta(days=days)


def parse_date(value: Any) -> datetime.date | None:
    """Read a date from a spreadsheet cell.

    Accepts ``date``/``datetime`` objects (a datetime gives its date), Excel serial numbers
    (int or float from 1 to 2958465 in the 1900 date system, e.g. 32874 -> 1990-01-01) and
    year-first strings: ``"1990.1.1"``, ``"1990/01/01"``, ``"1990-1-1"``, ``"19900101"``,
    ``"1990年1月1日"``, also with full-width digits or a trailing time. Empty -> ``None``.
    Raises :class:`InvalidValue` for anything else, naming the accepted forms, or for a date
    that does not exist (``"1990.13.1"``).
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise _date_format_error(value)
    if isinstance(value, numbers.Real | Decimal):
        return _from_excel_serial(value)
    text = normalize_text(value)
    if not text:
        return None
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            year, _sep, month, day = match.groups()
            try:
                return datetime.date(int(year), int(month), int(day))
            except ValueError:
                raise _impossible_date_error(value) from None
    raise _date_format_error(value)


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_EXTENSION_WORD = re.compile(r" ?(?:转|分机|ext\.?) ?", flags=re.IGNORECASE)


def _phone_error(value: str) -> InvalidValue:
    return InvalidValue(
        _(
            '"%(value)s" is not a phone number. Enter an 11-digit mobile number, or a '
            "landline number with its area code such as 0851-28221234."
        ),
        code="phone",
        params={"value": value},
    )


def _excel_phone_error() -> ExcelNumberError:
    return ExcelNumberError(
        _(
            "Excel stored the phone number as a number and lost its leading 0. "
            "Format the column as text and type the number again."
        )
    )


def _split_landline(digits: str) -> tuple[str, str] | None:
    """``"085128221234"`` -> ``("0851", "28221234")``; ``None`` if it is not a landline.

    Area codes are 010 and 020-029 (3 digits) or 0300-0999 (4 digits); the local number
    has 7 or 8 digits and does not start with 0.
    """
    if len(digits) < 3 or digits[0] != "0":
        return None
    if digits[1] == "1":
        if digits[2] != "0":
            return None
        area_length = 3
    elif digits[1] == "2":
        area_length = 3
    elif digits[1] in "3456789":
        area_length = 4
    else:
        return None
    area, local = digits[:area_length], digits[area_length:]
    if 7 <= len(local) <= 8 and local[0] != "0":
        return area, local
    return None


def _read_phone(digits: str, *, international: bool, extension: str) -> str | None:
    """The canonical phone number for a run of digits, or ``None``."""
    if not extension:
        for prefix in ("0086", "86"):
            rest = digits.removeprefix(prefix)
            if rest != digits and _MOBILE.fullmatch(rest):
                return rest
        if not international and _MOBILE.fullmatch(digits):
            return digits
    if international or digits.startswith("0086"):
        # "+86 851 2822 1234": the international form drops the leading 0 of the area code.
        rest = digits.removeprefix("0086") if digits.startswith("0086") else digits
        if not rest.startswith("86"):
            return None
        rest = rest[2:]
        digits = rest if rest.startswith("0") else "0" + rest
    landline = _split_landline(digits)
    if landline is None:
        return None
    number = "-".join(landline)
    return f"{number}-{extension}" if extension else number


def parse_phone(value: Any) -> str:
    """Normalise a mainland China phone number.

    * Mobile: 11 digits, ``1`` then ``3``-``9``; a leading ``+86``, ``0086`` or ``86`` is
      dropped. Returned as ``"13812345678"``.
    * Landline: area code (``010``/``02X`` or a 4-digit ``0XXX``) and a 7-8 digit number,
      optionally with an extension after ``-``, ``转``, ``分机`` or ``ext``. Returned as
      ``"0851-28221234"`` or ``"0851-28221234-123"``.

    Spaces, hyphens, parentheses and full-width digits are tolerated, and a whole-number
    float from Excel (``13885123456.0``) is accepted. Empty -> ``""``. A local number
    without area code, or anything else, raises :class:`InvalidValue`; a number Excel stored
    as a number and so lost its leading 0 raises :class:`ExcelNumberError`.
    """
    if value.__class__ is str and _MOBILE.fullmatch(value):
        return value  # the common case: what the general path below gives back unchanged
    from_number = False
    if isinstance(value, bool):
        raise _phone_error(str(value))
    if _is_non_int_number(value):
        if not (math.isfinite(value) and value == int(value) and value > 0):
            raise _phone_error(normalize_text(value))
        value, from_number = int(value), True
    elif _is_int(value):
        from_number = True

    text = normalize_text(value)
    if not text:
        return ""
    if re.fullmatch(r"[0-9]+\.0+", text):  # "13812345678.0": a float turned into text
        text, from_number = text.partition(".")[0], True

    parts = _EXTENSION_WORD.split(text)
    if len(parts) > 2:
        raise _phone_error(text)
    main, extension = parts[0], parts[1] if len(parts) == 2 else ""
    if extension and not re.fullmatch(r"[0-9]{1,6}", extension, flags=re.ASCII):
        raise _phone_error(text)

    main = re.sub(r"\s+", "", main)
    international = bool(re.match(r"\(?\+", main))  # "+86 ..." or "(+86) ..."
    if international:
        main = main.replace("+", "", 1)
    groups = [group for group in re.split(f"[{_DASHES}()]+", main) if group]
    if not groups or not all(re.fullmatch(r"[0-9]+", g, flags=re.ASCII) for g in groups):
        raise _phone_error(text)

    digits = "".join(groups)
    phone = _read_phone(digits, international=international, extension=extension)
    if phone is None and not extension and len(groups) > 1 and len(groups[-1]) <= 6:
        # "0851-28221234-123": the last hyphenated group is an extension.
        phone = _read_phone(
            "".join(groups[:-1]), international=international, extension=groups[-1]
        )
    if phone is not None:
        return phone

    if from_number and _split_landline("0" + digits):
        raise _excel_phone_error()
    local = "".join(groups[:-1]) if len(groups) > 1 and len(groups[-1]) <= 6 else digits
    if not international and digits[0] == "1" and len(digits) != 11:
        raise InvalidValue(
            _('"%(value)s" is not a mobile number: mobile numbers have 11 digits.'),
            code="mobile_length",
            params={"value": text},
        )
    if not international and digits[0] == "1" and not extension:
        raise InvalidValue(
            _('"%(value)s" is not a mobile number: mobile numbers begin with 13 to 19.'),
            code="mobile_prefix",
            params={"value": text},
        )
    if not international and digits[0] in "23456789" and (
        7 <= len(digits) <= 8 or 7 <= len(local) <= 8
    ):
        raise InvalidValue(
            _(
                'The landline number "%(value)s" has no area code. '
                "Add it in front, for example 0851-28221234."
            ),
            code="phone_area_code",
            params={"value": text},
        )
    if from_number and digits[0] != "0":
        raise _excel_phone_error()
    raise _phone_error(text)


def mask_phone(phone: str) -> str:
    """Hide the middle of a phone number returned by :func:`parse_phone`.

    ``"13812345678"`` -> ``"138****5678"``; ``"0851-28221234"`` -> ``"0851-****1234"``
    (an extension is kept); ``""`` -> ``""``. Other text keeps at most its last 4 characters.
    """
    if not phone:
        return ""
    if "-" in phone:
        area, _sep, rest = phone.partition("-")
        local, sep, extension = rest.partition("-")
        return f"{area}-{_mask_keep_last4(local)}{sep}{extension}"
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return _mask_keep_last4(phone)


def _mask_keep_last4(text: str) -> str:
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


# --------------------------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)
# --------------------------------------------------------------------------------------------

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CHARS = re.compile(f"[{_CREDIT_ALPHABET}]*")


def _credit_check_char(body17: str) -> str:
    total = sum(
        _CREDIT_ALPHABET.index(char) * weight
        for char, weight in zip(body17, _CREDIT_WEIGHTS, strict=True)
    )
    check = 31 - total % 31
    return _CREDIT_ALPHABET[0 if check == 31 else check]


def _excel_credit_error() -> ExcelNumberError:
    return ExcelNumberError(
        _(
            "Excel stored the credit code as a number and lost its last digits. "
            "Format the column as text and type the code again."
        )
    )


def _parse_credit_text(value: Any) -> str:
    if _is_number_literal(value):
        raise _excel_credit_error()
    code = _compact(value)
    if not code:
        return ""
    if not _CREDIT_CHARS.fullmatch(code):
        raise InvalidValue(
            _(
                "A credit code may contain only digits and capital letters; "
                "the letters I, O, Z, S and V are never used."
            ),
            code="characters",
        )
    if len(code) != 18:
        raise InvalidValue(
            _("A credit code has 18 characters, but this one has %(count)d."),
            code="length",
            params={"count": len(code)},
        )
    if not code[2:8].isdigit():
        raise InvalidValue(
            _("Characters 3 to 8 of a credit code are a region code and must be digits."),
            code="region",
        )
    if _credit_check_char(code[:17]) != code[17]:
        raise InvalidValue(
            _(
                "The check character of the credit code does not match. "
                "The code is probably mistyped."
            ),
            code="check_digit",
        )
    return code


def parse_credit_code(value: Any) -> str:
    """Parse and check a unified social credit code (GB 32100-2015); returns 18 characters.

    Full-width characters, spaces, hyphens and lower case are tolerated. Empty -> ``""``.
    Raises :class:`InvalidValue` for characters outside the code's alphabet (which never
    uses I, O, Z, S or V), a wrong length, letters in the region code (characters 3-8) or
    a check character that does not match. Floats, strings in scientific notation and ints
    that are not valid codes raise :class:`ExcelNumberError`.
    """
    if _is_non_int_number(value):
        raise _excel_credit_error()
    if _is_int(value):
        try:
            return _parse_credit_text(str(int(value)))
        except InvalidValue:
            raise _excel_credit_error() from None
    if isinstance(value, bool):
        value = str(value)
    return _parse_credit_text(value)


def build_credit_code(body17: str) -> str:
    """Append the check character to the first 17 characters of a credit code (demo data).

    Raises ``ValueError`` unless ``body17`` is 17 characters of the code's alphabet.
    """
    if not (
        isinstance(body17, str) and len(body17) == 17 and _CREDIT_CHARS.fullmatch(body17)
    ):
        raise ValueError(f"body17 must be 17 characters of {_CREDIT_ALPHABET}, not {body17!r}")
    return body17 + _credit_check_char(body17)


# --------------------------------------------------------------------------------------------
# Ethnic groups (GB 3304, in the standard's order)
# --------------------------------------------------------------------------------------------

ETHNIC_GROUPS: tuple[str, ...] = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族",
    "珞巴族", "基诺族",
)
_ETHNIC_SET = frozenset(ETHNIC_GROUPS)


def parse_ethnic_group(value: Any) -> str | None:
    """``"汉"`` or ``"汉族"`` -> ``"汉族"``; empty -> ``None``; not one of the 56 groups ->
    :class:`InvalidValue`.
    """
    text = normalize_text(value).replace(" ", "")
    if not text:
        return None
    for name in (text, text + "族"):
        if name in _ETHNIC_SET:
            return name
    raise InvalidValue(
        _(
            '"%(value)s" is not one of the 56 recognised ethnic groups '
            "(such as 汉族 or 苗族)."
        ),
        code="ethnic_group",
        params={"value": text},
    )

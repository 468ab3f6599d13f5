"""DynamoDB attribute values in wire form: numbers, validation, sizes, ordering and equality.

Owns: the value model.  An AttributeValue ("AV") is exactly what the JSON protocol carries -- a
dict with one type key (``{"S": str}``, ``{"N": str}``, ``{"B": base64-str}``, ``{"BOOL": bool}``,
``{"NULL": True}``, ``{"M": {...}}``, ``{"L": [...]}``, ``{"SS": [...]}``, ``{"NS": [...]}``,
``{"BS": [...]}``).  Binary stays base64 text; it is decoded only to compare, size or encode.
This module knows DynamoDB's number rules (38 significant digits, magnitude 1E-130 to
9.99..E+125, canonical text without exponent or trailing zeros), AWS's validation messages
for malformed values, the item-size rule, an order-preserving byte encoding for key values,
and deep equality.

Must not: know about tables, requests, expressions or storage; do I/O.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from decimal import Context, Decimal
from typing import Any

from riverbed.errors import SerializationException, ValidationException

AV = dict[str, Any]
Item = dict[str, AV]

TYPES = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")
_TYPE_SET = frozenset(TYPES)
SCALAR_KEY_TYPES = ("S", "N", "B")

MAX_DIGITS = 38
MAX_EXPONENT = 125  # largest magnitude: 9.9999999999999999999999999999999999999E+125
MIN_EXPONENT = -130  # smallest magnitude: 1E-130

INVALID = "One or more parameter values were invalid: "
EMPTY_VALUE = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
MULTIPLE_TYPES = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)
TOO_MANY_DIGITS = "Attempting to store more than 38 significant digits in a Number"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"

# Exact decimal arithmetic across the whole range needs ~300 digits; 400 leaves headroom.
ARITHMETIC = Context(prec=400, Emax=999_999, Emin=-999_999)

# Java BigDecimal syntax (what DynamoDB accepts): "+3", ".123", "1.", "0001.23", "1e+5", "-17.4E37".
_NUMBER = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")


# --- numbers ---------------------------------------------------------------------------


def _not_numeric(text: object) -> ValidationException:
    if text == "" or not isinstance(text, str):
        return ValidationException("The parameter cannot be converted to a numeric value")
    return ValidationException(f"The parameter cannot be converted to a numeric value: {text}")


def decompose_number(text: str) -> tuple[int, str, int]:
    """Split number text into (sign, significant digits, adjusted exponent).

    The value is ``sign * d.ddd * 10**exponent`` where ``d.ddd`` are the significant digits
    (no leading or trailing zeros).  Zero is ``(0, "", 0)``.  Only syntax is checked here.
    """
    if not isinstance(text, str):
        raise _not_numeric(text)
    if text.isdigit() and text.isascii():   # the common case, a plain integer: no regular expression
        significant = text.lstrip("0")
        if not significant:
            return 0, "", 0
        return 1, significant.rstrip("0"), len(significant) - 1
    match = _NUMBER.fullmatch(text)
    if match is None or not (match.group(2) or match.group(3)):
        raise _not_numeric(text)
    sign_text, integer, fraction, exponent_text = match.groups()
    digits = integer + (fraction or "")
    significant = digits.lstrip("0")
    if not significant:
        return 0, "", 0
    leading_zeros = len(digits) - len(significant)
    exponent = 0
    if exponent_text:
        body = exponent_text.lstrip("+-").lstrip("0") or "0"
        negative = exponent_text.startswith("-")
        # A huge exponent is certainly out of range; avoid int() on thousands of digits.
        exponent = 10**13 if len(body) > 12 else int(body)
        if negative:
            exponent = -exponent
    adjusted = len(integer) - 1 - leading_zeros + exponent
    return (-1 if sign_text == "-" else 1), significant.rstrip("0"), adjusted


def _format_number(sign: int, digits: str, exponent: int) -> str:
    if sign == 0:
        return "0"
    if exponent >= len(digits) - 1:
        text = digits + "0" * (exponent - len(digits) + 1)
    elif exponent < 0:
        text = "0." + "0" * (-exponent - 1) + digits
    else:
        text = digits[: exponent + 1] + "." + digits[exponent + 1 :]
    return "-" + text if sign < 0 else text


def normalize_number(text: str) -> str:
    """Validate number text and return DynamoDB's canonical form ("1.50" -> "1.5", "1e3" -> "1000").

    Checks in AWS's order: syntax, significant digits, overflow, underflow.
    """
    if text.isdigit() and text.isascii() and len(text) <= MAX_DIGITS and (text[0] != "0" or text == "0"):
        return text   # a plain integer without leading zeros is already canonical and in range
    sign, digits, exponent = decompose_number(text)
    if sign == 0:
        return "0"
    if len(digits) > MAX_DIGITS:
        raise ValidationException(TOO_MANY_DIGITS)
    if exponent > MAX_EXPONENT:
        raise ValidationException(OVERFLOW)
    if exponent < MIN_EXPONENT:
        raise ValidationException(UNDERFLOW)
    return _format_number(sign, digits, exponent)


def number_value(text: str) -> Decimal:
    """The exact value of number text (already validated), for arithmetic and comparison."""
    return Decimal(text)


def number_from_decimal(value: Decimal) -> str:
    """Canonical text for an arithmetic result.

    AWS reports a result needing more than 38 digits (e.g. 1E50 + 1) as an overflow, not as a
    precision error (observed; see tests/alternator test_update_expression_plus_imprecise).
    """
    try:
        return normalize_number(str(value))
    except ValidationException as exc:
        if exc.message == TOO_MANY_DIGITS:
            raise ValidationException(OVERFLOW) from None
        raise


@functools.lru_cache(maxsize=65536)
def number_size(text: str) -> int:
    """Bytes a number occupies in DynamoDB's item-size accounting.

    DynamoDB stores numbers like Oracle NUMBER: one exponent byte, then base-100 mantissa digits
    aligned on the decimal point with leading/trailing zero pairs dropped, plus one byte for a
    negative sign.  This reproduces all 23 sizes captured against AWS (eu-west-2, 2026-08) by
    nubo-db/dynamodb-conformance: "1" -> 2, "1.5" -> 3, "3.14159" -> 5, "123456" -> 4,
    "100.5" -> 4, "-42" -> 3, "0" -> 1, 38 digits -> 20.
    """
    sign, digits, exponent = decompose_number(text)
    if sign == 0:
        return 1
    pairs = exponent // 2 - (exponent - len(digits) + 1) // 2 + 1
    return 1 + pairs + (1 if sign < 0 else 0)


# --- binary ----------------------------------------------------------------------------


def decode_binary(text: str) -> bytes:
    """Raw bytes of a base64 B/BS element."""
    if not isinstance(text, str):
        raise SerializationException("Binary value must be a base64 encoded string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SerializationException(f"Invalid base64 binary value: {text}") from None


# --- validation --------------------------------------------------------------------------


def av_type(av: AV) -> str:
    """The type key of a (valid) AttributeValue: "S", "N", ..."""
    return next(iter(av))


def _type_of(av: Any) -> str:
    if not isinstance(av, dict):
        raise ValidationException(EMPTY_VALUE)
    if len(av) == 1:   # the common case: one member, the type
        key: str
        for key, value in av.items():
            if key in _TYPE_SET and value is not None:
                return key
    present: list[str] = [key for key, value in av.items() if key in _TYPE_SET and value is not None]
    if not present:
        raise ValidationException(EMPTY_VALUE)
    if len(present) > 1:
        raise ValidationException(MULTIPLE_TYPES)
    return present[0]


def _expect(value: Any, kind: type | tuple[type, ...], type_name: str) -> None:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise SerializationException(f"Unexpected value for AttributeValue type {type_name}")


def validate_value(av: Any, *, key_context: bool = False, key_name: str | None = None) -> AV:
    """Check one AttributeValue and return a normalized copy (N and NS in canonical form).

    With ``key_context`` the value is a key attribute: empty S/B values are refused with AWS's
    key message naming ``key_name``.  Number messages are bare; set messages carry AWS's
    "One or more parameter values were invalid: " prefix, as AWS words them.
    """
    kind = _type_of(av)
    value = av[kind]
    if kind == "S":
        _expect(value, str, kind)
        if key_context and value == "":
            raise ValidationException(
                "One or more parameter values are not valid. The AttributeValue for a key attribute "
                f"cannot contain an empty string value. Key: {key_name}"
            )
        return av if len(av) == 1 else {"S": value}   # already in shape: no copy
    if kind == "N":
        # A JSON number instead of a string is a SerializationException on AWS (Alternator's
        # test_number_in_json, run against AWS).
        _expect(value, str, kind)
        number = normalize_number(value)
        return av if number is value and len(av) == 1 else {"N": number}
    if kind == "B":
        raw = decode_binary(value)
        if key_context and not raw:
            raise ValidationException(
                "One or more parameter values are not valid. The AttributeValue for a key attribute "
                f"cannot contain an empty binary value. Key: {key_name}"
            )
        return {"B": value}
    if kind == "BOOL":
        _expect(value, bool, kind)
        return {"BOOL": value}
    if kind == "NULL":
        # AWS refused {"NULL": false} until 2026; it now accepts it and stores NULL true
        # (nubo-db/dynamodb-conformance putItem capture, eu-west-2 2026-06-08).
        _expect(value, bool, kind)
        return {"NULL": True}
    if kind == "M":
        _expect(value, dict, kind)
        return {"M": {name: validate_value(child) for name, child in value.items()}}
    if kind == "L":
        _expect(value, list, kind)
        return {"L": [validate_value(child) for child in value]}
    _expect(value, list, kind)
    if kind == "SS":
        for element in value:
            _expect(element, str, kind)
        if not value:
            raise ValidationException(INVALID + "An string set  may not be empty")
        if len(set(value)) != len(value):
            raise ValidationException(INVALID + f"Input collection [{', '.join(value)}] contains duplicates.")
        return {"SS": list(value)}
    if kind == "NS":
        for element in value:
            _expect(element, str, kind)
        if not value:
            raise ValidationException(INVALID + "An number set  may not be empty")
        numbers = [normalize_number(element) for element in value]
        if len(set(numbers)) != len(numbers):
            raise ValidationException("Input collection contains duplicates")
        return {"NS": numbers}
    if not value:
        raise ValidationException(INVALID + "Binary sets should not be empty")
    decoded = [decode_binary(element) for element in value]
    if len(set(decoded)) != len(decoded):
        raise ValidationException(
            INVALID + f"Input collection [{', '.join(value)}]of type BS contains duplicates."
        )
    return {"BS": list(value)}


def validate_item(item: Any) -> Item:
    """Validate every attribute of an item; returns a normalized copy."""
    if not isinstance(item, dict):
        raise SerializationException("Item must be a map of attribute names to values")
    return {name: validate_value(value) for name, value in item.items()}


# --- sizes -----------------------------------------------------------------------------


def value_size(av: AV) -> int:
    """Bytes of one value (attribute name excluded).

    Rule (AWS developer guide "Item sizes", numbers per :func:`number_size`): S is its UTF-8
    length, B its raw length, BOOL and NULL 1, sets the sum of their elements; M and L cost
    3 bytes plus, per element, 1 byte plus the element (and, in a map, the UTF-8 key).
    """
    ((kind, value),) = av.items()   # exactly one member: the type
    if kind == "S":
        return len(value) if value.isascii() else len(value.encode("utf-8"))
    if kind == "N":
        return number_size(value)
    if kind == "B":
        return len(decode_binary(value))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(element.encode("utf-8")) for element in value)
    if kind == "NS":
        return sum(number_size(element) for element in value)
    if kind == "BS":
        return sum(len(decode_binary(element)) for element in value)
    if kind == "M":
        return 3 + sum(len(name.encode("utf-8")) + value_size(child) + 1 for name, child in value.items())
    return 3 + sum(value_size(child) + 1 for child in value)


def item_size(item: Item | None) -> int:
    """DynamoDB's size of an item: sum of UTF-8 attribute-name lengths and value sizes.

    Stream records use ``item_size(keys) + item_size(new_image) + item_size(old_image)`` as
    SizeBytes (e.g. Keys {id: "my-item-id"} is 12 bytes).
    """
    if not item:
        return 0
    total = 0
    for name, value in item.items():
        total += (len(name) if name.isascii() else len(name.encode("utf-8"))) + value_size(value)
    return total


# --- ordering --------------------------------------------------------------------------

_NEGATIVE, _ZERO, _POSITIVE = b"\x01", b"\x02", b"\x03"
_NEGATIVE_END = b"\x40"  # sorts after every inverted digit, so shorter negatives sort later


def encode_key_value(av: AV) -> bytes:
    """Bytes whose memcmp order is DynamoDB's order for S, N and B key values.

    S: UTF-8 bytes.  B: raw bytes.  N: a class byte (negative < zero < positive), then for
    positives the exponent byte ``e + 130`` (0..255) and the significant digits as ASCII; for
    negatives the exponent byte and digits are inverted and a terminator byte follows, so that a
    larger magnitude sorts first.  Equal values ("1", "1.0", "10E-1") encode identically.
    """
    kind = av_type(av)
    if kind == "S":
        text: str = av["S"]
        return text.encode("utf-8")
    if kind == "B":
        return decode_binary(av["B"])
    if kind != "N":
        raise ValidationException(f"Key values must be of type S, N or B, not {kind}")
    sign, digits, exponent = decompose_number(av["N"])
    if sign == 0:
        return _ZERO
    if sign > 0:
        return _POSITIVE + bytes([exponent - MIN_EXPONENT]) + digits.encode("ascii")
    inverted = bytes(0x39 - (ord(digit) - 0x30) for digit in digits)
    return _NEGATIVE + bytes([255 - (exponent - MIN_EXPONENT)]) + inverted + _NEGATIVE_END


def decode_key_value(kind: str, data: bytes) -> AV:
    """Inverse of :func:`encode_key_value` for a key of type ``kind``."""
    if kind == "S":
        return {"S": data.decode("utf-8")}
    if kind == "B":
        return {"B": base64.b64encode(data).decode("ascii")}
    marker = data[:1]
    if marker == _ZERO:
        return {"N": "0"}
    if marker == _POSITIVE:
        return {"N": _format_number(1, data[2:].decode("ascii"), data[1] + MIN_EXPONENT)}
    digits = "".join(chr(0x39 - byte + 0x30) for byte in data[2:-1])
    return {"N": _format_number(-1, digits, 255 - data[1] + MIN_EXPONENT)}


def compare_values(a: AV, b: AV) -> int | None:
    """-1, 0 or 1 for two S, N or B values of the same type; None when not comparable."""
    kind = av_type(a)
    if kind != av_type(b) or kind not in SCALAR_KEY_TYPES:
        return None
    x: Any
    y: Any
    if kind == "S":
        # Python compares code points; UTF-8 byte order is the same order.
        x, y = a["S"], b["S"]
    elif kind == "N":
        x, y = number_value(a["N"]), number_value(b["N"])
    else:
        x, y = decode_binary(a["B"]), decode_binary(b["B"])
    return int(x > y) - int(x < y)


def values_equal(a: AV, b: AV) -> bool:
    """Deep equality as DynamoDB defines it: numbers by value, sets unordered."""
    kind = av_type(a)
    if kind != av_type(b):
        return False
    x, y = a[kind], b[kind]
    if kind in ("S", "BOOL", "NULL"):
        return bool(x == y)
    if kind == "N":
        return number_value(x) == number_value(y)
    if kind == "B":
        return decode_binary(x) == decode_binary(y)
    if kind == "SS":
        return set(x) == set(y)
    if kind == "NS":
        return {number_value(e) for e in x} == {number_value(e) for e in y}
    if kind == "BS":
        return {decode_binary(e) for e in x} == {decode_binary(e) for e in y}
    if kind == "L":
        return len(x) == len(y) and all(values_equal(p, q) for p, q in zip(x, y, strict=False))
    return x.keys() == y.keys() and all(values_equal(x[name], y[name]) for name in x)


def item_equal(a: Item | None, b: Item | None) -> bool:
    """Whole-item equality (used to suppress no-op stream records)."""
    a, b = a or {}, b or {}
    return a.keys() == b.keys() and all(values_equal(a[name], b[name]) for name in a)


def copy_value(av: AV) -> AV:
    """A deep copy of a value (strings are shared: they are immutable)."""
    kind = av_type(av)
    value = av[kind]
    if kind == "M":
        return {"M": {name: copy_value(child) for name, child in value.items()}}
    if kind == "L":
        return {"L": [copy_value(child) for child in value]}
    if kind in ("SS", "NS", "BS"):
        return {kind: list(value)}
    return {kind: value}

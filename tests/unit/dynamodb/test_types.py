"""Unit tests for riverbed.services.dynamodb.types: numbers, validation, sizes, ordering, equality."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from riverbed.errors import SerializationException, ValidationException
from riverbed.services.dynamodb import types
from riverbed.services.dynamodb.types import (
    av_type,
    compare_values,
    copy_value,
    decode_key_value,
    encode_key_value,
    item_equal,
    item_size,
    normalize_number,
    number_from_decimal,
    number_size,
    number_value,
    validate_item,
    validate_value,
    values_equal,
)

OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
DIGITS = "Attempting to store more than 38 significant digits in a Number"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("1.50", "1.5"),
        ("-0", "0"),
        ("1e3", "1000"),
        ("0.000", "0"),
        ("12E-2", "0.12"),
        ("00042", "42"),
        ("0042.1200", "42.12"),
        ("1.5E2", "150"),
        ("1.0", "1"),
        ("3.1400", "3.14"),
        ("+3", "3"),
        (".123", "0.123"),
        ("1.", "1"),
        ("0001.23", "1.23"),
        ("1e+5", "100000"),
        ("0e1000", "0"),
        ("-17e5", "-1700000"),
        ("-7.1234", "-7.1234"),
        ("1E-130", "0." + "0" * 129 + "1"),
        ("1E125", "1" + "0" * 125),
        ("-9.9999999999999999999999999999999999999E+125", "-" + "9" * 38 + "0" * 88),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("0.00000000000000000000000000000000000001", "0.00000000000000000000000000000000000001"),
        ("1" + "0" * 100, "1" + "0" * 100),
        ("-0.5", "-0.5"),
        ("100", "100"),
    ],
)
def test_normalize_number(text: str, canonical: str) -> None:
    assert normalize_number(text) == canonical


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The parameter cannot be converted to a numeric value"),
        ("dog", "The parameter cannot be converted to a numeric value: dog"),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
        (" 1", "The parameter cannot be converted to a numeric value:  1"),
        ("1 ", "The parameter cannot be converted to a numeric value: 1 "),
        ("1e", "The parameter cannot be converted to a numeric value: 1e"),
        (".", "The parameter cannot be converted to a numeric value: ."),
        ("--1", "The parameter cannot be converted to a numeric value: --1"),
        ("0x10", "The parameter cannot be converted to a numeric value: 0x10"),
        ("123456789012345678901234567890123456789", DIGITS),
        ("-1.23456789012345678901234567890123456789", DIGITS),
        ("1e126", OVERFLOW),
        ("-1e126", OVERFLOW),
        ("11e125", OVERFLOW),
        ("1E+999999999999999999999", OVERFLOW),
        ("1e-131", UNDERFLOW),
        ("-1e-131", UNDERFLOW),
        ("0.9e-130", UNDERFLOW),
        ("1e-99999999999999999", UNDERFLOW),
    ],
)
def test_normalize_number_errors(text: str, message: str) -> None:
    with pytest.raises(ValidationException) as info:
        normalize_number(text)
    assert info.value.message == message
    assert info.value.code == "ValidationException"


def test_digits_are_checked_before_magnitude() -> None:
    with pytest.raises(ValidationException, match="38 significant digits"):
        normalize_number("1234567890123456789012345678901234567891e200")


def test_number_value_and_arithmetic_result() -> None:
    assert number_value("1.50") == Decimal("1.5")
    assert number_from_decimal(Decimal(10000000000000000000001)) == "10000000000000000000001"
    # AWS reports an over-precise arithmetic result as an overflow (1E50 + 1).
    with pytest.raises(ValidationException) as info:
        number_from_decimal(types.ARITHMETIC.add(Decimal("1e50"), Decimal(1)))
    assert info.value.message == OVERFLOW


# Sizes captured against AWS (eu-west-2, 2026-08) by nubo-db/dynamodb-conformance.
@pytest.mark.parametrize(
    "literal, size",
    [
        ("0", 1),
        ("1", 2),
        ("12", 2),
        ("123", 3),
        ("1234", 3),
        ("12345678901234567890123456789012345678", 20),
        ("0042", 2),
        ("100", 2),
        ("1010", 3),
        ("0.0000001", 2),
        ("1E125", 2),
        ("1E-100", 2),
        ("1.5", 3),
        ("15", 2),
        ("1.2", 3),
        ("1.200", 3),
        ("1.234", 4),
        ("3.14159", 5),
        ("123456", 4),
        ("100.5", 4),
        ("0.15", 2),
        ("-42", 3),
        ("-0", 1),
    ],
)
def test_number_size_matches_aws_captures(literal: str, size: int) -> None:
    assert number_size(literal) == size


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "av, message",
    [
        ({}, types.EMPTY_VALUE),
        ({"a": ""}, types.EMPTY_VALUE),
        ("S", types.EMPTY_VALUE),
        ({"S": None}, types.EMPTY_VALUE),
        ({"M": {"a": {}}}, types.EMPTY_VALUE),
        ({"L": [{}]}, types.EMPTY_VALUE),
        ({"L": [{"a": {}}]}, types.EMPTY_VALUE),
        ({"S": "a", "N": "1"}, types.MULTIPLE_TYPES),
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
        ({"BS": []}, "One or more parameter values were invalid: Binary sets should not be empty"),
        (
            {"SS": ["a", "a"]},
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
        ),
        (
            {"BS": ["Yg==", "Yg=="]},
            (
                "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS "
                "contains duplicates."
            ),
        ),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        ({"NS": ["1", ""]}, "The parameter cannot be converted to a numeric value"),
        ({"NS": ["1", "b"]}, "The parameter cannot be converted to a numeric value: b"),
        ({"N": "1e126"}, OVERFLOW),
        (
            {"M": {"x": {"SS": []}}},
            "One or more parameter values were invalid: An string set  may not be empty",
        ),
        ({"L": [{"NS": []}]}, "One or more parameter values were invalid: An number set  may not be empty"),
    ],
)
def test_validate_value_errors(av: object, message: str) -> None:
    with pytest.raises(ValidationException) as info:
        validate_value(av)
    assert info.value.message == message


def test_validate_value_normalizes_numbers_recursively() -> None:
    av = {"M": {"n": {"N": "1.50"}, "l": {"L": [{"NS": ["1e2", "-0.0"]}, {"S": ""}]}}}
    assert validate_value(av) == {"M": {"n": {"N": "1.5"}, "l": {"L": [{"NS": ["100", "0"]}, {"S": ""}]}}}
    assert av["M"]["n"] == {"N": "1.50"}  # input untouched


def test_validate_value_accepts_every_type() -> None:
    for av in (
        {"S": "x"},
        {"N": "1"},
        {"B": b64(b"x")},
        {"BOOL": False},
        {"NULL": True},
        {"M": {}},
        {"L": []},
        {"SS": ["a", "b"]},
        {"NS": ["1", "2"]},
        {"BS": [b64(b"a"), b64(b"b")]},
        {"S": ""},
        {"B": ""},
    ):
        assert validate_value(av) == av


def test_null_false_is_stored_as_null_true() -> None:
    # AWS behaviour since 2026 (nubo-db/dynamodb-conformance putItem capture).
    assert validate_value({"NULL": False}) == {"NULL": True}


def test_binary_must_be_base64() -> None:
    with pytest.raises(SerializationException):
        validate_value({"B": "not base64!"})
    with pytest.raises(SerializationException):
        validate_value({"BS": ["YQ==", "%%"]})


def test_wrong_json_types_are_serialization_errors() -> None:
    for av in (
        {"S": 1},
        {"BOOL": "true"},
        {"SS": "a"},
        {"M": []},
        {"L": {}},
        {"N": 1},
        {"NS": [1]},
        {"NULL": 1},
        {"SS": [1]},
        {"BS": [1]},
    ):
        with pytest.raises(SerializationException):
            validate_value(av)


def test_key_context_refuses_empty_string_and_binary() -> None:
    with pytest.raises(ValidationException) as info:
        validate_value({"S": ""}, key_context=True, key_name="pk")
    assert info.value.message == (
        "One or more parameter values are not valid. The AttributeValue for a key "
        "attribute cannot contain an empty string value. Key: pk"
    )
    with pytest.raises(ValidationException) as info:
        validate_value({"B": ""}, key_context=True, key_name="pk")
    assert info.value.message == (
        "One or more parameter values are not valid. The AttributeValue for a key "
        "attribute cannot contain an empty binary value. Key: pk"
    )


def test_validate_item() -> None:
    assert validate_item({"a": {"N": "01"}, "b": {"S": "x"}}) == {"a": {"N": "1"}, "b": {"S": "x"}}
    with pytest.raises(ValidationException):
        validate_item({"a": {}})


# --- sizes -------------------------------------------------------------------------------


def test_item_size_matches_real_stream_records() -> None:
    keys = {"id": {"S": "my-item-id"}}
    new_image = {"attr1": {"S": "value1"}, "attr2": {"S": "value2"}, "id": {"S": "my-item-id"}}
    assert item_size(keys) == 12
    assert item_size(keys) + item_size(new_image) == 46  # INSERT, NEW_AND_OLD_IMAGES
    assert item_size(keys) + 2 * item_size(new_image) == 80  # MODIFY with both images


def test_item_size_rules() -> None:
    assert item_size(None) == 0 and item_size({}) == 0
    assert item_size({"é": {"S": "ü"}}) == 4
    assert item_size({"b": {"B": b64(b"\x00\x01\x02")}}) == 4
    assert item_size({"t": {"BOOL": True}, "n": {"NULL": True}}) == 4
    assert item_size({"m": {"M": {}}}) == 4 and item_size({"l": {"L": []}}) == 4
    assert item_size({"m": {"M": {"ab": {"S": "xyz"}}}}) == 1 + 3 + (2 + 3 + 1)
    assert item_size({"l": {"L": [{"S": "x"}, {"N": "12"}]}}) == 1 + 3 + (1 + 1) + (2 + 1)
    assert item_size({"s": {"SS": ["ab", "c"]}, "n": {"NS": ["1", "-42"]}, "b": {"BS": [b64(b"xy")]}}) == (
        1 + 3
    ) + (1 + 2 + 3) + (1 + 2)


# --- ordering --------------------------------------------------------------------------------


def test_encode_key_value_orders_numbers() -> None:
    ordered = [
        "-1e125",
        "-100",
        "-2",
        "-1.5",
        "-1.25",
        "-1",
        "-0.5",
        "-1e-130",
        "0",
        "1e-130",
        "0.5",
        "1",
        "1.25",
        "1.5",
        "2",
        "10",
        "100",
        "9.9999999999999999999999999999999999999e125",
    ]
    encoded = [encode_key_value({"N": n}) for n in ordered]
    assert encoded == sorted(encoded)
    assert len(set(encoded)) == len(encoded)
    assert encode_key_value({"N": "1.0"}) == encode_key_value({"N": "1"}) == encode_key_value({"N": "10E-1"})


def test_encode_key_value_strings_and_binary() -> None:
    assert encode_key_value({"S": "a"}) < encode_key_value({"S": "b"}) < encode_key_value({"S": "ü"})
    assert encode_key_value({"B": b64(b"\x01")}) < encode_key_value({"B": b64(b"\xff")})
    with pytest.raises(ValidationException):
        encode_key_value({"BOOL": True})


@pytest.mark.parametrize(
    "av",
    [
        {"S": "hé"},
        {"B": b64(b"\x00\xff")},
        {"N": "0"},
        {"N": "-1.25"},
        {"N": "1e125"},
        {"N": "1e-130"},
        {"N": "-9.9999999999999999999999999999999999999e125"},
    ],
)
def test_decode_key_value_inverts_encoding(av: dict) -> None:
    kind = av_type(av)
    expected = {"N": normalize_number(av["N"])} if kind == "N" else av
    assert decode_key_value(kind, encode_key_value(av)) == expected


def test_compare_values() -> None:
    assert compare_values({"N": "2"}, {"N": "10"}) == -1
    assert compare_values({"N": "1.0"}, {"N": "1"}) == 0
    assert compare_values({"S": "b"}, {"S": "a"}) == 1
    assert compare_values({"B": b64(b"\x80")}, {"B": b64(b"\x7f")}) == 1
    assert compare_values({"S": "1"}, {"N": "1"}) is None
    assert compare_values({"BOOL": True}, {"BOOL": True}) is None
    assert compare_values({"L": []}, {"L": []}) is None


def test_values_equal() -> None:
    assert values_equal({"N": "1"}, {"N": "1.00"})
    assert values_equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert values_equal({"NS": ["1", "2"]}, {"NS": ["2.0", "1"]})
    assert values_equal({"BS": ["YQ==", "Yg=="]}, {"BS": ["Yg==", "YQ=="]})
    assert values_equal({"M": {"a": {"L": [{"N": "1"}]}}}, {"M": {"a": {"L": [{"N": "1.0"}]}}})
    assert not values_equal({"L": [{"N": "1"}, {"N": "2"}]}, {"L": [{"N": "2"}, {"N": "1"}]})
    assert not values_equal({"M": {"a": {"S": "x"}}}, {"M": {"b": {"S": "x"}}})
    assert not values_equal({"S": "1"}, {"N": "1"})
    assert values_equal({"NULL": True}, {"NULL": True})
    assert not values_equal({"BOOL": True}, {"BOOL": False})


def test_item_equal() -> None:
    assert item_equal({"a": {"N": "1"}}, {"a": {"N": "1.0"}})
    assert item_equal(None, {})
    assert not item_equal({"a": {"N": "1"}}, {"a": {"N": "1"}, "b": {"S": ""}})


def test_copy_value_is_deep() -> None:
    original = {"M": {"l": {"L": [{"SS": ["a"]}]}}}
    copied = copy_value(original)
    copied["M"]["l"]["L"][0]["SS"].append("b")
    assert original == {"M": {"l": {"L": [{"SS": ["a"]}]}}}

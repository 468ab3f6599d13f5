"""Legacy parameters (Expected, filters, KeyConditions, AttributeUpdates, AttributesToGet)."""

from __future__ import annotations

import pytest

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions import (
    AttributeExists,
    AttributeNotExists,
    Comparison,
    Path,
    Value,
    apply_update,
    evaluate_condition,
    project,
    updated_attributes,
)
from riverbed.services.dynamodb.legacy import (
    attribute_updates_to_plan,
    attributes_to_get_to_paths,
    expected_to_condition,
    filter_to_condition,
    key_conditions_to_key_condition,
)

INVALID = "One or more parameter values were invalid: "


def raises(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationException) as info:
        call(*args, **kwargs)
    return info.value.message


# --- Expected ----------------------------------------------------------------------------------


def test_expected_value_and_exists() -> None:
    assert expected_to_condition({"a": {"Value": {"N": "1.0"}}}) == Comparison(
        "=", Path(("a",)), Value({"N": "1"})
    )
    assert expected_to_condition({"a": {"Exists": True, "Value": {"S": "x"}}}) == Comparison(
        "=", Path(("a",)), Value({"S": "x"})
    )
    assert expected_to_condition({"a": {"Exists": False}}) == AttributeNotExists(Path(("a",)))
    assert expected_to_condition({"a": {"ComparisonOperator": "NOT_NULL"}}) == AttributeExists(Path(("a",)))
    assert expected_to_condition({}) is None and expected_to_condition(None) is None


@pytest.mark.parametrize(
    "spec, message",
    [
        ({}, "Value must be provided when Exists is null for Attribute: a"),
        ({"Exists": True}, "Value must be provided when Exists is true for Attribute: a"),
        (
            {"Exists": False, "Value": {"S": "a"}},
            "Value cannot be used when Exists is false for Attribute: a",
        ),
        (
            {"ComparisonOperator": "LT"},
            "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a",
        ),
        (
            {"Exists": True, "ComparisonOperator": "LT"},
            "Exists and ComparisonOperator cannot be used together for Attribute: a",
        ),
        (
            {"AttributeValueList": []},
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
        (
            {"Exists": True, "AttributeValueList": []},
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
        (
            {"Value": {"S": "a"}, "AttributeValueList": []},
            "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        (
            {"Value": {"S": "a"}, "ComparisonOperator": "BETWEEN"},
            "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            {"Value": {"S": "a"}, "ComparisonOperator": "NULL"},
            "Invalid number of argument(s) for the NULL ComparisonOperator",
        ),
        (
            {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "b"}, {"N": "1"}]},
            "AttributeValues inside AttributeValueList must be of same type",
        ),
    ],
)
def test_expected_errors(spec: dict, message: str) -> None:
    assert raises(expected_to_condition, {"a": spec}) == INVALID + message


def test_expected_between_order() -> None:
    assert (
        raises(
            expected_to_condition,
            {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "a"}]}},
        )
        == "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
    )


ITEM = {
    "n": {"N": "1"},
    "s": {"S": "hello"},
    "ss": {"SS": ["a", "b"]},
    "l": {"L": [{"N": "2"}, {"N": "4"}]},
    "b": {"B": "aGkgdGhlcmU="},
    "set": {"NS": ["2", "4", "7"]},
}


@pytest.mark.parametrize(
    "name, operator, values, expected",
    [
        ("n", "EQ", [{"N": "1"}], True),
        ("n", "EQ", [{"S": "1"}], False),
        ("ss", "EQ", [{"SS": ["b", "a"]}], True),
        ("n", "NE", [{"N": "2"}], True),
        ("n", "NE", [{"S": "1"}], True),
        ("q", "NE", [{"N": "1"}], True),
        ("n", "NE", [{"N": "1"}], False),
        ("n", "LE", [{"N": "1"}], True),
        ("n", "LT", [{"N": "1"}], False),
        ("n", "GE", [{"N": "1"}], True),
        ("n", "GT", [{"N": "0"}], True),
        ("n", "LT", [{"S": "1"}], False),
        ("n", "NOT_NULL", [], True),
        ("q", "NOT_NULL", [], False),
        ("q", "NULL", [], True),
        ("n", "NULL", [], False),
        ("s", "CONTAINS", [{"S": "ell"}], True),
        ("set", "CONTAINS", [{"N": "4"}], True),
        ("l", "CONTAINS", [{"N": "4"}], True),
        ("b", "CONTAINS", [{"B": "aGVyZQ=="}], True),
        ("q", "CONTAINS", [{"N": "1"}], False),
        ("s", "NOT_CONTAINS", [{"S": "dog"}], True),
        ("s", "NOT_CONTAINS", [{"S": "ell"}], False),
        ("set", "NOT_CONTAINS", [{"N": "1"}], True),
        ("l", "NOT_CONTAINS", [{"N": "4"}], False),
        ("q", "NOT_CONTAINS", [{"N": "1"}], False),  # AWS: false for a missing attribute, unlike NE
        ("s", "BEGINS_WITH", [{"S": "hell"}], True),
        ("n", "BEGINS_WITH", [{"S": "dog"}], False),
        ("n", "IN", [{"N": "2"}, {"N": "1"}], True),
        ("set", "IN", [{"N": "2"}], False),
        ("n", "BETWEEN", [{"N": "0"}, {"N": "1"}], True),
        ("n", "BETWEEN", [{"N": "2"}, {"N": "3"}], False),
    ],
)
def test_legacy_operators(name: str, operator: str, values: list, expected: bool) -> None:
    node = filter_to_condition({name: {"ComparisonOperator": operator, "AttributeValueList": values}})
    assert evaluate_condition(node, ITEM) is expected
    node = expected_to_condition({name: {"ComparisonOperator": operator, "AttributeValueList": values}})
    assert evaluate_condition(node, ITEM) is expected


def test_conditional_operator() -> None:
    spec = {
        "n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]},
        "s": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "nope"}]},
    }
    assert not evaluate_condition(filter_to_condition(spec), ITEM)
    assert not evaluate_condition(filter_to_condition(spec, "AND"), ITEM)
    assert evaluate_condition(filter_to_condition(spec, "OR"), ITEM)
    assert filter_to_condition({}) is None


@pytest.mark.parametrize(
    "spec, operator",
    [
        ({"ComparisonOperator": "EQ"}, "EQ"),
        ({"ComparisonOperator": "EQ", "AttributeValueList": []}, "EQ"),
        ({"ComparisonOperator": "NE"}, "NE"),
        ({"ComparisonOperator": "LE"}, "LE"),
        ({"ComparisonOperator": "LT"}, "LT"),
        ({"ComparisonOperator": "GE"}, "GE"),
        ({"ComparisonOperator": "GT"}, "GT"),
        ({"ComparisonOperator": "CONTAINS"}, "CONTAINS"),
        ({"ComparisonOperator": "NOT_CONTAINS"}, "NOT_CONTAINS"),
        ({"ComparisonOperator": "BEGINS_WITH"}, "BEGINS_WITH"),
        ({"ComparisonOperator": "IN"}, "IN"),
        ({"ComparisonOperator": "BETWEEN"}, "BETWEEN"),
        ({"ComparisonOperator": "NULL", "AttributeValueList": [{"S": "a"}]}, "NULL"),
        ({"ComparisonOperator": "NOT_NULL", "AttributeValueList": [{"S": "a"}]}, "NOT_NULL"),
        ({"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}, {"S": "a"}]}, "EQ"),
        ({"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "a"}, {"S": "a"}]}, "CONTAINS"),
        ({"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "a"}] * 3}, "BETWEEN"),
    ],
)
def test_filter_argument_counts(spec: dict, operator: str) -> None:
    assert (
        raises(filter_to_condition, {"a": spec})
        == INVALID + f"Invalid number of argument(s) for the {operator} ComparisonOperator"
    )


@pytest.mark.parametrize(
    "operator, value",
    [
        (op, value)
        for op in ("LT", "LE", "GT", "GE", "IN")
        for value in (
            {"BOOL": True},
            {"NULL": True},
            {"SS": ["a"]},
            {"NS": ["1"]},
            {"BS": ["YQ=="]},
            {"M": {}},
            {"L": []},
        )
    ]
    + [
        (op, value)
        for op in ("CONTAINS", "NOT_CONTAINS")
        for value in ({"SS": ["a"]}, {"NS": ["1"]}, {"BS": ["YQ=="]}, {"M": {}}, {"L": []})
    ]
    + [
        ("BEGINS_WITH", value)
        for value in ({"N": "1"}, {"BOOL": True}, {"NULL": True}, {"SS": ["a"]}, {"L": []})
    ],
)
def test_filter_value_types(operator: str, value: dict) -> None:
    kind = next(iter(value))
    assert (
        raises(filter_to_condition, {"a": {"ComparisonOperator": operator, "AttributeValueList": [value]}})
        == INVALID + f"ComparisonOperator {operator} is not valid for {kind} AttributeValue type"
    )


def test_filter_between_types() -> None:
    for value in ({"BOOL": True}, {"L": []}):
        kind = next(iter(value))
        assert (
            raises(
                filter_to_condition,
                {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [value, value]}},
            )
            == INVALID + f"ComparisonOperator BETWEEN is not valid for {kind} AttributeValue type"
        )


def test_filter_values_are_validated() -> None:
    assert (
        raises(filter_to_condition, {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{}]}})
        == "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    )
    assert (
        raises(filter_to_condition, {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "b"}]}})
        == "The parameter cannot be converted to a numeric value: b"
    )


# --- KeyConditions --------------------------------------------------------------------------------


def eq(value: dict) -> dict:
    return {"ComparisonOperator": "EQ", "AttributeValueList": [value]}


def test_key_conditions() -> None:
    condition = key_conditions_to_key_condition(
        {
            "a": eq({"S": "x"}),
            "b": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "2"}]},
        },
        "a",
        "b",
    )
    assert condition.hash_value == {"S": "x"} and condition.range == ("BETWEEN", ({"N": "1"}, {"N": "2"}))
    condition = key_conditions_to_key_condition(
        {"a": eq({"S": "x"}), "b": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "p"}]}},
        "a",
        "b",
    )
    assert condition.range == ("begins_with", ({"S": "p"},))
    for operator, symbol in (("LT", "<"), ("LE", "<="), ("GT", ">"), ("GE", ">="), ("EQ", "=")):
        condition = key_conditions_to_key_condition(
            {"a": eq({"S": "x"}), "b": {"ComparisonOperator": operator, "AttributeValueList": [{"N": "1"}]}},
            "a",
            "b",
        )
        assert condition.range == (symbol, ({"N": "1"},))


@pytest.mark.parametrize(
    "conditions, range_key, message",
    [
        ({"z": {"ComparisonOperator": "NULL"}}, None, "Query condition missed key schema element: a"),
        (
            {"a": eq({"S": "b"}), "c": {"ComparisonOperator": "NULL"}},
            "b",
            "Query condition missed key schema element: b",
        ),
        (
            {"a": {"ComparisonOperator": "NULL"}},
            None,
            "Attempted conditional constraint is not an indexable operation",
        ),
        (
            {"a": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}},
            None,
            "Attempted conditional constraint is not an indexable operation",
        ),
        (
            {"a": eq({"S": "b"}), "b": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "a"}]}},
            "b",
            "Attempted conditional constraint is not an indexable operation",
        ),
        (
            {
                "a": eq({"S": "b"}),
                "b": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "a"}]},
            },
            "b",
            "Attempted conditional constraint is not an indexable operation",
        ),
        ({"a": eq({"S": "a"}), "b": eq({"S": "a"})}, None, "Query key condition not supported"),
        (
            {"a": {"ComparisonOperator": "LE", "AttributeValueList": [{"S": "a"}]}},
            None,
            "Query key condition not supported",
        ),
        (
            {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "a"}, {"S": "a"}]}},
            None,
            "Query key condition not supported",
        ),
        (
            {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "a"}]}},
            None,
            (
                "The BETWEEN condition was provided a range where the lower bound is greater than the "
                "upper bound"
            ),
        ),
    ],
)
def test_key_condition_errors(conditions: dict, range_key: str | None, message: str) -> None:
    assert raises(key_conditions_to_key_condition, conditions, "a", range_key) == message


def test_key_condition_types() -> None:
    assert (
        raises(key_conditions_to_key_condition, {"a": eq({"N": "1"})}, "a", None, hash_type="S")
        == INVALID + "Condition parameter type does not match schema type"
    )


# --- AttributeUpdates ---------------------------------------------------------------------------------


def test_attribute_updates_plan_and_apply() -> None:
    old = {
        "k": {"S": "key"},
        "n": {"N": "1"},
        "ss": {"SS": ["a", "b"]},
        "l": {"L": [{"S": "a"}]},
        "gone": {"S": "x"},
        "ns": {"NS": ["1", "2", "3"]},
    }
    plan = attribute_updates_to_plan(
        {
            "put": {"Value": {"S": "v"}},  # Action defaults to PUT
            "n": {"Action": "ADD", "Value": {"N": "3"}},
            "fresh": {"Action": "ADD", "Value": {"N": "5"}},
            "ss": {"Action": "ADD", "Value": {"SS": ["b", "c"]}},
            "l": {"Action": "ADD", "Value": {"L": [{"S": "b"}]}},  # legacy ADD appends lists
            "gone": {"Action": "DELETE"},
            "ns": {"Action": "DELETE", "Value": {"NS": ["1", "4"]}},
        }
    )
    assert plan.legacy
    new, touched = apply_update(plan, old)
    assert new == {
        "k": {"S": "key"},
        "put": {"S": "v"},
        "n": {"N": "4"},
        "fresh": {"N": "5"},
        "ss": {"SS": ["a", "b", "c"]},
        "l": {"L": [{"S": "a"}, {"S": "b"}]},
        "ns": {"NS": ["2", "3"]},
    }
    assert touched == {"put", "n", "fresh", "ss", "l", "gone", "ns"}
    assert updated_attributes(old, new, plan, "UPDATED_OLD") == {
        "n": {"N": "1"},
        "ss": {"SS": ["a", "b"]},
        "l": {"L": [{"S": "a"}]},
        "gone": {"S": "x"},
        "ns": {"NS": ["1", "2", "3"]},
    }


def test_attribute_updates_empties_a_set() -> None:
    new, _ = apply_update(
        attribute_updates_to_plan({"ns": {"Action": "DELETE", "Value": {"NS": ["1"]}}}), {"ns": {"NS": ["1"]}}
    )
    assert new == {}


@pytest.mark.parametrize(
    "updates, message",
    [
        (
            {"a": {"Action": "PUT"}},
            INVALID + "Only DELETE action is allowed when no attribute value is specified",
        ),
        (
            {"a": {"Action": "ADD"}},
            INVALID + "Only DELETE action is allowed when no attribute value is specified",
        ),
        ({"a": {}}, INVALID + "Only DELETE action is allowed when no attribute value is specified"),
    ]
    + [
        (
            {"a": {"Action": "DELETE", "Value": value}},
            INVALID + f"DELETE action with value is not supported for the type {next(iter(value))}",
        )
        for value in (
            {"S": "1"},
            {"N": "1"},
            {"B": "Yg=="},
            {"NULL": True},
            {"BOOL": True},
            {"M": {}},
            {"L": []},
        )
    ]
    + [
        (
            {"a": {"Action": "ADD", "Value": value}},
            INVALID + f"ADD action is not supported for the type {next(iter(value))}",
        )
        for value in ({"S": "1"}, {"B": "Yg=="}, {"NULL": True}, {"BOOL": True}, {"M": {}})
    ],
)
def test_attribute_updates_errors(updates: dict, message: str) -> None:
    assert raises(attribute_updates_to_plan, updates) == message


@pytest.mark.parametrize(
    "updates",
    [
        {"b": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
        {"b": {"Action": "DELETE", "Value": {"BS": ["YQ=="]}}},
        {"c": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
        {"b": {"Action": "ADD", "Value": {"NS": ["1"]}}},
        {"d": {"Action": "ADD", "Value": {"N": "1"}}},
    ],
)
def test_attribute_updates_type_mismatch(updates: dict) -> None:
    item = {"b": {"SS": ["1"]}, "c": {"N": "1"}, "d": {"NS": ["1"]}}
    assert (
        raises(apply_update, attribute_updates_to_plan(updates), item)
        == "Type mismatch for attribute to update"
    )


# --- AttributesToGet --------------------------------------------------------------------------------


def test_attributes_to_get() -> None:
    paths = attributes_to_get_to_paths(["a", "b.c"])
    assert paths == [("a",), ("b.c",)]
    assert project({"a": {"N": "1"}, "b.c": {"S": "x"}, "b": {"M": {"c": {"S": "y"}}}}, paths) == {
        "a": {"N": "1"},
        "b.c": {"S": "x"},
    }
    assert raises(attributes_to_get_to_paths, ["a", "a"]) == INVALID + "Duplicate value in attribute name: a"

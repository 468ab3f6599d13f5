"""ProjectionExpression, KeyConditionExpression and ExpressionAttributes."""

from __future__ import annotations

import pytest

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions import (
    ExpressionAttributes,
    KeyCondition,
    format_path,
    get_path,
    parse_key_condition,
    parse_projection,
    project,
    range_matches,
)


def raises(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationException) as info:
        call(*args, **kwargs)
    return info.value.message


# --- projection ---------------------------------------------------------------------------------


def test_parse_projection() -> None:
    attrs = ExpressionAttributes({"#s": "status", "#d": "a.b"})
    assert parse_projection("pk, #s, m.x[2].y, #d", attrs) == [
        ("pk",),
        ("status",),
        ("m", "x", 2, "y"),
        ("a.b",),
    ]
    assert attrs.used_names == {"#s", "#d"}


def test_projection_errors() -> None:
    assert raises(parse_projection, "") == "Invalid ProjectionExpression: The expression can not be empty;"
    assert (
        raises(parse_projection, "pk, status")
        == "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status"
    )
    assert raises(parse_projection, "#undef", ExpressionAttributes()) == (
        "Invalid ProjectionExpression: An expression attribute name used in the document path is "
        "not defined; "
        "attribute name: #undef"
    )
    assert (
        raises(parse_projection, "a" + ".b" * 32)
        == "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33"
    )
    assert parse_projection("a" + ".b" * 31)


@pytest.mark.parametrize(
    "text, one, two",
    [
        ("a, a", "[a]", "[a]"),
        ("a, a.b", "[a]", "[a, b]"),
        ("a.b, a", "[a, b]", "[a]"),
        ("b[1], b.a, #a.b, a", "[a, b]", "[a]"),
        ("a, #a[1]", "[a]", "[a, [1]]"),
        ("#a, #b", "[a]", "[a]"),
    ],
)
def test_projection_overlap(text: str, one: str, two: str) -> None:
    assert raises(
        parse_projection,
        text,
        ExpressionAttributes(
            {"#a": "a", "#b": "a"} if "#b" in text else {"#a": "a"} if "#a" in text else None
        ),
    ) == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
        "rewrite one of "
        f"these paths; path one: {one}, path two: {two}"
    )


@pytest.mark.parametrize(
    "text, one, two",
    [
        ("a.b, #a[1], #b", "[a, b]", "[a, [1]]"),
        ("a.b[1], #a[1], #b", "[a, b, [1]]", "[a, [1]]"),
    ],
)
def test_projection_conflict(text: str, one: str, two: str) -> None:
    assert raises(parse_projection, text, ExpressionAttributes({"#a": "a", "#b": "b"})) == (
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or "
        "rewrite one of "
        f"these paths; path one: {one}, path two: {two}"
    )


ITEM = {
    "pk": {"S": "k"},
    "a": {"N": "1"},
    "m": {
        "M": {
            "x": {"L": [{"N": "0"}, {"N": "1"}, {"M": {"y": {"S": "deep"}, "z": {"S": "other"}}}]},
            "w": {"S": "w"},
        }
    },
    "l": {"L": [{"S": "l0"}, {"S": "l1"}, {"S": "l2"}, {"S": "l3"}]},
}


def test_project_keeps_structure() -> None:
    assert project(ITEM, [("a",)]) == {"a": {"N": "1"}}
    assert project(ITEM, [("m", "x", 2, "y")]) == {"m": {"M": {"x": {"L": [{"M": {"y": {"S": "deep"}}}]}}}}
    assert project(ITEM, [("l", 3), ("l", 1)]) == {"l": {"L": [{"S": "l1"}, {"S": "l3"}]}}
    assert project(ITEM, [("m", "w"), ("m", "x", 0)]) == {
        "m": {"M": {"w": {"S": "w"}, "x": {"L": [{"N": "0"}]}}}
    }


def test_project_skips_missing_paths() -> None:
    assert project(ITEM, [("zz",), ("m", "q"), ("l", 9), ("a", "b"), ("m", 0), ("l", "x")]) == {}
    assert project(None, [("a",)]) == {}
    assert project(ITEM, [("m", "x", 2, "q"), ("pk",)]) == {"pk": {"S": "k"}}


def test_get_path_and_format_path() -> None:
    assert get_path(ITEM, ("m", "x", 2, "z")) == {"S": "other"}
    assert get_path(ITEM, ("m", "x", 3)) is None
    assert get_path(ITEM, ("a", 0)) is None
    assert format_path(("a", 1, "[3]")) == "[a, [1], [3]]"


# --- key conditions -------------------------------------------------------------------------------

VALUES = {":a": {"S": "x"}, ":b": {"N": "5"}, ":c": {"N": "9"}, ":p": {"S": "pre"}, ":t": {"S": "S"}}


def key(text: str, hash_key: str = "pk", range_key: str | None = "sk", **types: str) -> KeyCondition:
    return parse_key_condition(text, ExpressionAttributes({"#k": "pk"}, VALUES), hash_key, range_key, **types)


def key_error(text: str, hash_key: str = "pk", range_key: str | None = "sk", **types: str) -> str:
    return raises(key, text, hash_key, range_key, **types)


@pytest.mark.parametrize(
    "text, expected_range",
    [
        ("pk = :a", None),
        ("#k = :a", None),
        ("pk = :a AND sk = :b", ("=", ({"N": "5"},))),
        ("pk = :a AND sk < :b", ("<", ({"N": "5"},))),
        ("pk = :a AND sk <= :b", ("<=", ({"N": "5"},))),
        ("sk > :b AND pk = :a", (">", ({"N": "5"},))),
        ("pk = :a AND sk >= :b", (">=", ({"N": "5"},))),
        ("pk = :a AND :b < sk", (">", ({"N": "5"},))),
        ("pk = :a AND :b >= sk", ("<=", ({"N": "5"},))),
        (":a = pk AND sk BETWEEN :b AND :c", ("BETWEEN", ({"N": "5"}, {"N": "9"}))),
        ("pk = :a AND begins_with(sk, :p)", ("begins_with", ({"S": "pre"},))),
        ("(pk = :a) AND (sk = :b)", ("=", ({"N": "5"},))),
    ],
)
def test_key_conditions(text: str, expected_range: tuple | None) -> None:
    condition = key(text)
    assert condition.hash_key == "pk" and condition.hash_value == {"S": "x"}
    assert condition.range == expected_range
    assert condition.range_key == ("sk" if expected_range else None)


@pytest.mark.parametrize(
    "text, hash_key, range_key, message",
    [
        ("sk = :a", "pk", "sk", "Query condition missed key schema element: pk"),
        ("attr1 = :a", "pk", "sk", "Query condition missed key schema element: pk"),
        ("z between :b and :c", "pk", "sk", "Query condition missed key schema element: pk"),
        ("pk = :a and c = :b", "pk", "sk", "Query condition missed key schema element: sk"),
        ("pk > :a", "pk", None, "Query key condition not supported"),
        ("begins_with(pk, :a)", "pk", None, "Query key condition not supported"),
        ("pk between :b and :b", "pk", None, "Query key condition not supported"),
        ("pk = :a AND b = :a", "pk", None, "Query key condition not supported"),
        ("y = :a and z = :a", "pk", None, "Query key condition not supported"),
        (
            "a > :b and size(b) > :c or a > :c",
            "pk",
            None,
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        ("a in (:b, :c)", "pk", None, "Invalid operator used in KeyConditionExpression: IN"),
        (
            "attribute_exists(a)",
            "pk",
            None,
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        (
            "attribute_not_exists(a)",
            "pk",
            None,
            "Invalid operator used in KeyConditionExpression: attribute_not_exists",
        ),
        ("contains(a.d, :b)", "pk", None, "Invalid operator used in KeyConditionExpression: contains"),
        ("not a > :b", "pk", None, "Invalid operator used in KeyConditionExpression: NOT"),
        ("a <> :b", "pk", None, "Invalid operator used in KeyConditionExpression: <>"),
        (
            "attribute_type(a, :t)",
            "pk",
            None,
            "Invalid operator used in KeyConditionExpression: attribute_type",
        ),
        (
            ":a between size(b) and size(a) and b > :b",
            "pk",
            None,
            (
                "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
                "attribute as its first operand"
            ),
        ),
        (
            "begins_with(:a, b) and a > :b",
            "pk",
            None,
            (
                "Invalid condition in KeyConditionExpression: begins_with operator must have the key "
                "attribute as its first operand"
            ),
        ),
        (
            "size(b) > a AND a.b > b AND b > c",
            "pk",
            None,
            "KeyConditionExpressions cannot contain nested operations",
        ),
        ("a > size(b.d)", "pk", None, "KeyConditionExpressions cannot contain nested operations"),
        (
            "a between size(b) and size(a)",
            "pk",
            None,
            "KeyConditionExpressions cannot contain nested operations",
        ),
        (
            "b > a.b",
            "pk",
            None,
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "b between c[1] and d",
            "pk",
            None,
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "a between b and size(a)",
            "pk",
            None,
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "begins_with(a, b)",
            "pk",
            None,
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "b.d > a AND c.d > e.f",
            "pk",
            None,
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        ("a.d > c", "pk", None, "KeyConditionExpressions cannot have conditions on nested attributes"),
        ("b[0] > a", "pk", None, "KeyConditionExpressions cannot have conditions on nested attributes"),
        (
            ":b > :a AND a < :b",
            "pk",
            None,
            "Invalid condition in KeyConditionExpression: No key attribute specified",
        ),
        (
            "b > :a AND b < :a and c = :a and d = :a",
            "pk",
            None,
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            "(a > :a and b > :a) and (b > :a and c > :a)",
            "pk",
            None,
            "KeyConditionExpressions must only contain one condition per key",
        ),
        ("", "pk", None, "Invalid KeyConditionExpression: The expression can not be empty;"),
        ("a > 4", "pk", None, 'Invalid KeyConditionExpression: Syntax error; token: "4", near: "> 4"'),
        (
            "attribute_type(a, b)",
            "pk",
            None,
            (
                "Invalid KeyConditionExpression: Incorrect operand type for operator or "
                "function; operator or function: attribute_type, operand type: PATH"
            ),
        ),
        (
            "pk between :c and :b",
            "pk",
            "sk",
            (
                "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound "
                "to be greater than or equal to lower bound; lower bound operand: "
                "AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:5}"
            ),
        ),
    ],
)
def test_key_condition_errors(text: str, hash_key: str, range_key: str | None, message: str) -> None:
    assert key_error(text, hash_key, range_key) == message


def test_key_condition_value_types() -> None:
    assert key("pk = :a AND sk = :b", hash_type="S", range_type="N").range == ("=", ({"N": "5"},))
    message = "One or more parameter values were invalid: Condition parameter type does not match schema type"
    assert key_error(":b > pk", "pk", None, hash_type="S") == message
    assert key_error("pk = :a AND sk = :a", hash_type="S", range_type="N") == message


def test_range_matches() -> None:
    def condition(op: str, *values: dict) -> KeyCondition:
        return KeyCondition("pk", {"S": "x"}, "sk", (op, tuple(values)))

    five, nine = {"N": "5"}, {"N": "9"}
    assert range_matches(KeyCondition("pk", {"S": "x"}), {"N": "1"})
    assert range_matches(condition("=", five), {"N": "5.0"})
    assert range_matches(condition("<", five), {"N": "4"}) and not range_matches(condition("<", five), five)
    assert range_matches(condition("<=", five), five) and range_matches(condition(">=", five), five)
    assert range_matches(condition(">", five), nine)
    assert range_matches(condition("BETWEEN", five, nine), {"N": "7"})
    assert not range_matches(condition("BETWEEN", five, nine), {"N": "10"})
    assert range_matches(condition("begins_with", {"S": "ab"}), {"S": "abc"})
    assert not range_matches(condition("begins_with", {"S": "ab"}), {"S": "ba"})
    assert range_matches(condition("begins_with", {"B": "AQ=="}), {"B": "AQI="})
    assert not range_matches(condition("=", five), {"S": "5"})
    assert not range_matches(condition("=", five), None)


# --- ExpressionAttributes -------------------------------------------------------------------------


def test_attributes_validation_order_and_texts() -> None:
    assert raises(ExpressionAttributes, {}, {}) == "ExpressionAttributeNames must not be empty"
    assert (
        raises(ExpressionAttributes, {"a": "a"}, {})
        == 'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'
    )
    assert (
        raises(ExpressionAttributes, {"#sryLiyD8D-": "x"})
        == 'ExpressionAttributeNames contains invalid key: Syntax error; key: "#sryLiyD8D-"'
    )
    assert raises(ExpressionAttributes, None, {}) == "ExpressionAttributeValues must not be empty"
    assert (
        raises(ExpressionAttributes, None, {":b": {"a": ""}, "b": {"S": "a"}})
        == 'ExpressionAttributeValues contains invalid key: Syntax error; key: "b"'
    )


@pytest.mark.parametrize(
    "value, message",
    [
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (
            {"S": "a", "N": "1"},
            (
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
                "the supported datatypes"
            ),
        ),
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        (
            {"SS": ["a", "a"]},
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
        ),
        ({"N": "b"}, "The parameter cannot be converted to a numeric value: b"),
        ({"NS": ["1", "1"]}, "Input collection contains duplicates"),
        (
            {"N": "1e126"},
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
    ],
)
def test_invalid_values(value: dict, message: str) -> None:
    assert (
        raises(ExpressionAttributes, None, {":b": value})
        == f"ExpressionAttributeValues contains invalid value: {message} for key :b"
    )


def test_values_are_normalized() -> None:
    attrs = ExpressionAttributes(None, {":n": {"N": "1.50"}})
    assert attrs.value(":n", "ConditionExpression") == {"N": "1.5"}


def test_unused_names_and_values() -> None:
    attrs = ExpressionAttributes(
        {"#a": "a", "#b": "b", "#c": "c"}, {":a": {"S": "a"}, ":b": {"S": "b"}, ":c": {"S": "c"}}
    )
    attrs.name("#b", "UpdateExpression")
    attrs.value(":b", "UpdateExpression")
    assert (
        raises(attrs.check_all_used)
        == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #c}"
    )
    attrs.name("#a", "X")
    attrs.name("#c", "X")
    assert (
        raises(attrs.check_all_used)
        == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}"
    )
    attrs.value(":a", "X")
    attrs.value(":c", "X")
    attrs.check_all_used()


def test_usage_is_shared_across_expressions() -> None:
    from riverbed.services.dynamodb.expressions import parse_condition, parse_update

    attrs = ExpressionAttributes(
        {"#n1": "a", "#n2": "b"}, {":v1": {"N": "1"}, ":v2": {"N": "2"}, ":v3": {"N": "3"}}
    )
    parse_update("SET #n1 = :v1", attrs)
    parse_condition("#n2 = :v2", attrs)
    assert (
        raises(attrs.check_all_used)
        == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v3}"
    )


def test_undefined_reference_texts_name_the_expression() -> None:
    attrs = ExpressionAttributes()
    assert raises(attrs.name, "#n", "ProjectionExpression") == (
        "Invalid ProjectionExpression: An expression attribute name used in the document path is "
        "not defined; "
        "attribute name: #n"
    )
    assert raises(attrs.value, ":v", "KeyConditionExpression") == (
        "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :v"
    )

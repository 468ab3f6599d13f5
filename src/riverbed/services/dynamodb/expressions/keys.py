"""Query key conditions: KeyConditionExpression (and legacy KeyConditions) -> KeyCondition.

Owns: the key-condition rules and AWS's messages, in AWS's order (dynalite's query tests,
recorded against AWS): after the generic condition checks, operators other than AND and the
key comparisons are refused top-down ("Invalid operator used in KeyConditionExpression: OR");
then each condition's operands (key attribute first for BETWEEN/begins_with, no size(), one
top-level attribute); then one condition per key; then the schema -- hash key present and
compared with "=", an optional second condition on the range key.  Also matching a range
value against a KeyCondition.

Must not: read tables or items.
"""

from __future__ import annotations

from dataclasses import dataclass

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions.analysis import parse_condition
from riverbed.services.dynamodb.expressions.ast import (
    AV,
    And,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Between,
    Comparison,
    Contains,
    In,
    KeyCondition,
    Node,
    Not,
    Or,
    Path,
    Size,
    Value,
)
from riverbed.services.dynamodb.expressions.attributes import ExpressionAttributes
from riverbed.services.dynamodb.types import av_type, compare_values, decode_binary

KIND = "KeyConditionExpression"
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_OPERATOR_NAMES: dict[type, str] = {
    Or: "OR",
    Not: "NOT",
    In: "IN",
    AttributeExists: "attribute_exists",
    AttributeNotExists: "attribute_not_exists",
    AttributeType: "attribute_type",
    Contains: "contains",
}
NOT_SUPPORTED = "Query key condition not supported"


def _leaves(node: Node) -> list[Node]:
    if isinstance(node, And):
        return _leaves(node.left) + _leaves(node.right)
    if isinstance(node, Comparison) and node.op == "<>":
        raise ValidationException("Invalid operator used in KeyConditionExpression: <>")
    name = _OPERATOR_NAMES.get(type(node))
    if name is not None:
        raise ValidationException(f"Invalid operator used in KeyConditionExpression: {name}")
    return [node]


def _condition(leaf: Node) -> tuple[str, str, tuple[AV, ...]]:
    """(attribute, op, values) of one key condition, with the key attribute on the left."""
    operands: list[Node]
    if isinstance(leaf, Comparison):
        operands, op = [leaf.left, leaf.right], leaf.op
    elif isinstance(leaf, Between):
        operands, op = [leaf.operand, leaf.low, leaf.high], "BETWEEN"
    else:
        assert isinstance(leaf, BeginsWith)
        operands, op = [leaf.operand, leaf.prefix], "begins_with"
    if op in ("BETWEEN", "begins_with") and not isinstance(operands[0], Path):
        raise ValidationException(
            f"Invalid condition in KeyConditionExpression: {op} operator must have the key "
            "attribute as its first operand"
        )
    path: Path | None = None
    for operand in operands:
        if isinstance(operand, Size):
            raise ValidationException("KeyConditionExpressions cannot contain nested operations")
        if isinstance(operand, Path):
            if path is not None:
                raise ValidationException(
                    "Invalid condition in KeyConditionExpression: Multiple attribute names used in "
                    "one condition"
                )
            if len(operand.elements) > 1:
                raise ValidationException(
                    "KeyConditionExpressions cannot have conditions on nested attributes"
                )
            path = operand
    if path is None:
        raise ValidationException("Invalid condition in KeyConditionExpression: No key attribute specified")
    if op in _FLIPPED and operands[1] is path:
        op = _FLIPPED[op]
    values = tuple(operand.value for operand in operands if isinstance(operand, Value))
    return str(path.elements[0]), op, values


def build_key_condition(
    conditions: dict[str, tuple[str, tuple[AV, ...]]],
    hash_key: str,
    range_key: str | None,
    *,
    indexable_check: bool = False,
) -> KeyCondition:
    """Check conditions (attribute -> (op, values)) against the key schema.

    ``indexable_check`` applies the legacy KeyConditions rule that refuses operators a key
    cannot be searched by (NULL, NE, CONTAINS, ...), after the missing-key checks.
    """
    key_count = 1 if range_key is None else 2
    if len(conditions) > key_count:
        raise ValidationException(NOT_SUPPORTED)
    if hash_key not in conditions:
        raise ValidationException(f"Query condition missed key schema element: {hash_key}")
    if len(conditions) == 2 and range_key not in conditions:
        raise ValidationException(f"Query condition missed key schema element: {range_key}")
    if indexable_check and any(
        op not in (*_FLIPPED, "BETWEEN", "begins_with") for op, _ in conditions.values()
    ):
        raise ValidationException("Attempted conditional constraint is not an indexable operation")
    hash_op, hash_values = conditions[hash_key]
    if hash_op != "=":
        raise ValidationException(NOT_SUPPORTED)
    range_condition = conditions.get(range_key) if range_key is not None else None
    return KeyCondition(hash_key, hash_values[0], range_key if range_condition else None, range_condition)


@dataclass(frozen=True, slots=True)
class CompositeKeyCondition:
    """A Query's key condition on a GSI with multi-attribute keys: equality on every partition key
    attribute (``hash_values`` in KeySchema order), equality on a left prefix of the sort key attributes
    (``prefix``) and an optional condition ``(attribute, op, values)`` on the sort attribute after them."""

    hash_values: tuple[AV, ...]
    prefix: tuple[AV, ...]
    last: tuple[str, str, tuple[AV, ...]] | None


# Rules: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys --
# "you must specify all partition key attributes using equality conditions"; sort key attributes "left-to-right
# in the order they're defined in the key schema ... you cannot skip attributes in the middle. Inequality
# conditions ... must be the last condition".  The wording of the two errors is riverbed's own and NOT verified:
# what is known of AWS's texts is that they match /HASH.*equality/ and /RANGE.*equality/ (scylladb alternator
# test_gsi_composite_keys.py, run against DynamoDB) and that a skipped sort attribute is named (moto
# test_dynamodb_multi_attribute_gsi.py, aws_verified).
COMPOSITE_HASH = ("Query key condition not supported: all HASH key attributes of a multi-attribute key must be "
                  "given with an equality condition. HASH key attribute: {name}")
COMPOSITE_RANGE = ("Query key condition not supported: RANGE key attributes of a multi-attribute key must be "
                   "given left to right, each with an equality condition except the last one. RANGE key "
                   "attribute: {name}")


def build_composite_condition(
    conditions: dict[str, tuple[str, tuple[AV, ...]]],
    hash_keys: tuple[str, ...],
    range_keys: tuple[str, ...],
    *,
    indexable_check: bool = False,
) -> CompositeKeyCondition:
    """Check conditions (attribute -> (op, values)) against a multi-attribute key schema."""
    if any(name not in hash_keys and name not in range_keys for name in conditions):
        raise ValidationException(NOT_SUPPORTED)
    if indexable_check and any(
        op not in (*_FLIPPED, "BETWEEN", "begins_with") for op, _ in conditions.values()
    ):
        raise ValidationException("Attempted conditional constraint is not an indexable operation")
    for name in hash_keys:
        if name not in conditions or conditions[name][0] != "=":
            raise ValidationException(COMPOSITE_HASH.format(name=name))
    used = [name for name in range_keys if name in conditions]
    for position, name in enumerate(range_keys[:len(used)]):
        if name not in conditions:
            raise ValidationException(COMPOSITE_RANGE.format(name=name))
        if position < len(used) - 1 and conditions[name][0] != "=":
            raise ValidationException(COMPOSITE_RANGE.format(name=name))
    hash_values = tuple(conditions[name][1][0] for name in hash_keys)
    prefix = tuple(conditions[name][1][0] for name in used[:-1])
    last = (used[-1], *conditions[used[-1]]) if used else None
    if last is not None and last[1] == "=":
        prefix, last = (*prefix, last[2][0]), None
    return CompositeKeyCondition(hash_values, prefix, last)


def parse_composite_key_condition(
    text: str,
    attrs: ExpressionAttributes | None,
    hash_keys: tuple[str, ...],
    range_keys: tuple[str, ...],
    key_types: tuple[tuple[str, str], ...],
) -> CompositeKeyCondition:
    """Parse a KeyConditionExpression for a GSI with multi-attribute keys (``key_types``: name, "S"/"N"/"B")."""
    conditions = _conditions(text, attrs)
    check_key_types(conditions, dict(key_types))
    return build_composite_condition(conditions, hash_keys, range_keys)


def _conditions(text: str, attrs: ExpressionAttributes | None) -> dict[str, tuple[str, tuple[AV, ...]]]:
    tree = parse_condition(text, attrs, kind=KIND)
    conditions: dict[str, tuple[str, tuple[AV, ...]]] = {}
    for name, op, values in [_condition(leaf) for leaf in _leaves(tree)]:
        if name in conditions:
            raise ValidationException("KeyConditionExpressions must only contain one condition per key")
        conditions[name] = (op, values)
    return conditions


def check_key_types(conditions: dict[str, tuple[str, tuple[AV, ...]]], key_types: dict[str, str]) -> None:
    """Refuse a key condition value whose type differs from the key's AttributeType."""
    for name, (_, values) in conditions.items():
        wanted = key_types.get(name)
        if wanted is not None and any(av_type(value) != wanted for value in values):
            raise ValidationException(
                "One or more parameter values were invalid: Condition parameter type does not match "
                "schema type"
            )


def parse_key_condition(
    text: str,
    attrs: ExpressionAttributes | None,
    hash_key: str,
    range_key: str | None = None,
    *,
    hash_type: str | None = None,
    range_type: str | None = None,
) -> KeyCondition:
    """Parse a KeyConditionExpression for a table/index with the given key schema.

    ``hash_type``/``range_type`` ("S", "N", "B"), when given, check the compared values.
    """
    conditions = _conditions(text, attrs)
    types = {name: kind for name, kind in ((hash_key, hash_type), (range_key, range_type)) if name and kind}
    check_key_types(conditions, types)
    return build_key_condition(conditions, hash_key, range_key)


def range_matches(condition: KeyCondition, value: AV | None) -> bool:
    """True when a range-key value satisfies the KeyCondition's range predicate."""
    if condition.range is None:
        return True
    if value is None:
        return False
    op, operands = condition.range
    if op == "begins_with":
        prefix = operands[0]
        kind = av_type(value)
        if kind != av_type(prefix):
            return False
        if kind == "S":
            return bool(value["S"].startswith(prefix["S"]))
        return kind == "B" and decode_binary(value["B"]).startswith(decode_binary(prefix["B"]))
    if op == "BETWEEN":
        low, high = compare_values(value, operands[0]), compare_values(value, operands[1])
        return low is not None and high is not None and low >= 0 and high <= 0
    order = compare_values(value, operands[0])
    if order is None:
        return False
    return {"=": order == 0, "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]

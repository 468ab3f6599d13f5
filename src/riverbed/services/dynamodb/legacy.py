"""Legacy (pre-expression) parameters mapped onto the expression AST.

Owns: Expected, QueryFilter/ScanFilter, KeyConditions, AttributeUpdates and AttributesToGet --
their validation with AWS's messages (dynalite's tests, recorded against AWS) and their
translation into the same nodes expressions produce, so one evaluator serves both.  Semantics
AWS kept for old clients (Alternator's test_expected.py, run against AWS): NE is true for a
missing attribute; NOT_CONTAINS is *false* for a missing attribute; IN and BETWEEN need values
of one type; AttributeUpdates ADD also appends lists.

Must not: evaluate, or know about tables beyond the key names it is given.
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions.ast import (
    AddAction,
    And,
    AttributeExists,
    AttributeNotExists,
    BeginsWith,
    Between,
    Comparison,
    Contains,
    DeleteAction,
    DocPath,
    In,
    KeyCondition,
    Node,
    Not,
    Or,
    Path,
    RemoveAction,
    SetAction,
    UpdatePlan,
    Value,
)
from riverbed.services.dynamodb.expressions.keys import (
    CompositeKeyCondition,
    build_composite_condition,
    build_key_condition,
    check_key_types,
)
from riverbed.services.dynamodb.types import AV, INVALID, av_type, compare_values, validate_value

_ARGUMENTS = {
    "EQ": (1, 1),
    "NE": (1, 1),
    "LE": (1, 1),
    "LT": (1, 1),
    "GE": (1, 1),
    "GT": (1, 1),
    "CONTAINS": (1, 1),
    "NOT_CONTAINS": (1, 1),
    "BEGINS_WITH": (1, 1),
    "NULL": (0, 0),
    "NOT_NULL": (0, 0),
    "IN": (1, None),
    "BETWEEN": (2, 2),
}
_ALLOWED_TYPES = {
    "LE": ("S", "N", "B"),
    "LT": ("S", "N", "B"),
    "GE": ("S", "N", "B"),
    "GT": ("S", "N", "B"),
    "BETWEEN": ("S", "N", "B"),
    "IN": ("S", "N", "B"),
    "BEGINS_WITH": ("S", "B"),
    "CONTAINS": ("S", "N", "B", "BOOL", "NULL"),
    "NOT_CONTAINS": ("S", "N", "B", "BOOL", "NULL"),
}
_COMPARATORS = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_KEY_OPERATORS = {
    "EQ": "=",
    "LE": "<=",
    "LT": "<",
    "GE": ">=",
    "GT": ">",
    "BETWEEN": "BETWEEN",
    "BEGINS_WITH": "begins_with",
}


def _invalid(message: str) -> ValidationException:
    return ValidationException(INVALID + message)


def _check_values(operator: str | None, values: list[AV]) -> tuple[str, list[AV]]:
    """Validate a ComparisonOperator and its AttributeValueList; returns (operator, normalized values)."""
    if operator is None or operator not in _ARGUMENTS:
        raise ValidationException(
            f"1 validation error detected: Value '{operator}' at 'comparisonOperator' failed to "
            "satisfy constraint: "
            "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, "
            "NOT_NULL, NE, LE, "
            "BEGINS_WITH, GE, CONTAINS]"
        )
    checked = [validate_value(value) for value in values]
    least, most = _ARGUMENTS[operator]
    if len(checked) < least or (most is not None and len(checked) > most):
        raise _invalid(f"Invalid number of argument(s) for the {operator} ComparisonOperator")
    allowed = _ALLOWED_TYPES.get(operator)
    if allowed is not None:
        for value in checked:
            if av_type(value) not in allowed:
                raise _invalid(
                    f"ComparisonOperator {operator} is not valid for {av_type(value)} AttributeValue type"
                )
    if operator in ("IN", "BETWEEN") and len({av_type(value) for value in checked}) > 1:
        raise _invalid("AttributeValues inside AttributeValueList must be of same type")
    if operator == "BETWEEN" and (compare_values(checked[0], checked[1]) or 0) > 0:
        raise ValidationException(
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
        )
    return operator, checked


def _condition(name: str, operator: str, values: list[AV]) -> Node:
    path = Path((name,))
    literals = [Value(value) for value in values]
    if operator in _COMPARATORS:
        return Comparison(_COMPARATORS[operator], path, literals[0])
    if operator == "NULL":
        return AttributeNotExists(path)
    if operator == "NOT_NULL":
        return AttributeExists(path)
    if operator == "CONTAINS":
        return Contains(path, literals[0])
    if operator == "NOT_CONTAINS":
        return And(AttributeExists(path), Not(Contains(path, literals[0])))
    if operator == "BEGINS_WITH":
        return BeginsWith(path, literals[0])
    if operator == "IN":
        return In(path, tuple(literals))
    return Between(path, literals[0], literals[1])


def _combine(nodes: list[Node], conditional_operator: str | None) -> Node | None:
    if not nodes:
        return None
    combined = nodes[0]
    for node in nodes[1:]:
        combined = Or(combined, node) if conditional_operator == "OR" else And(combined, node)
    return combined


def expected_to_condition(
    expected: dict[str, dict[str, Any]] | None, conditional_operator: str | None = None
) -> Node | None:
    """An ``Expected`` map as a condition (None when empty)."""
    nodes: list[Node] = []
    for name, spec in (expected or {}).items():
        spec = spec or {}
        operator = spec.get("ComparisonOperator")
        exists = spec.get("Exists")
        has_value = spec.get("Value") is not None
        has_list = spec.get("AttributeValueList") is not None
        if has_value and has_list:
            raise _invalid(f"Value and AttributeValueList cannot be used together for Attribute: {name}")
        if has_list and operator is None:
            raise _invalid(
                f"AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
            )
        if operator is not None:
            if exists is not None:
                raise _invalid(f"Exists and ComparisonOperator cannot be used together for Attribute: {name}")
            if not has_value and not has_list and _ARGUMENTS.get(operator, (1, 1))[0] > 0:
                raise _invalid(
                    f"Value or AttributeValueList must be used with ComparisonOperator: {operator} "
                    f"for Attribute: {name}"
                )
            raw = spec["AttributeValueList"] if has_list else ([spec["Value"]] if has_value else [])
            nodes.append(_condition(name, *_check_values(operator, raw)))
        elif exists is False:
            if has_value:
                raise _invalid(f"Value cannot be used when Exists is false for Attribute: {name}")
            nodes.append(AttributeNotExists(Path((name,))))
        else:
            if not has_value:
                state = "null" if exists is None else "true"
                raise _invalid(f"Value must be provided when Exists is {state} for Attribute: {name}")
            nodes.append(Comparison("=", Path((name,)), Value(validate_value(spec["Value"]))))
    return _combine(nodes, conditional_operator)


def filter_to_condition(
    filters: dict[str, dict[str, Any]] | None, conditional_operator: str | None = None
) -> Node | None:
    """A QueryFilter/ScanFilter map as a condition (None when empty)."""
    nodes = []
    for name, spec in (filters or {}).items():
        operator = (spec or {}).get("ComparisonOperator")
        values = (spec or {}).get("AttributeValueList") or []
        nodes.append(_condition(name, *_check_values(operator, values)))
    return _combine(nodes, conditional_operator)


def key_conditions_to_key_condition(
    key_conditions: dict[str, dict[str, Any]],
    hash_key: str,
    range_key: str | None = None,
    *,
    hash_type: str | None = None,
    range_type: str | None = None,
) -> KeyCondition:
    """Legacy KeyConditions as a :class:`KeyCondition` (same schema rules as expressions)."""
    conditions: dict[str, tuple[str, tuple[AV, ...]]] = {}
    for name, spec in (key_conditions or {}).items():
        operator = (spec or {}).get("ComparisonOperator")
        operator, values = _check_values(operator, (spec or {}).get("AttributeValueList") or [])
        conditions[name] = (_KEY_OPERATORS.get(operator, operator), tuple(values))
    types = {name: kind for name, kind in ((hash_key, hash_type), (range_key, range_type)) if name and kind}
    check_key_types(conditions, types)
    return build_key_condition(conditions, hash_key, range_key, indexable_check=True)


def key_conditions_to_composite(
    key_conditions: dict[str, dict[str, Any]],
    hash_keys: tuple[str, ...],
    range_keys: tuple[str, ...],
    key_types: dict[str, str],
) -> CompositeKeyCondition:
    """Legacy KeyConditions on a GSI with multi-attribute keys: accepted by DynamoDB with the same rules as
    KeyConditionExpression (moto's aws_verified test_key_conditions_with_range_keys / _error_skip_range_key)."""
    conditions: dict[str, tuple[str, tuple[AV, ...]]] = {}
    for name, spec in (key_conditions or {}).items():
        operator = (spec or {}).get("ComparisonOperator")
        operator, values = _check_values(operator, (spec or {}).get("AttributeValueList") or [])
        conditions[name] = (_KEY_OPERATORS.get(operator, operator), tuple(values))
    check_key_types(conditions, key_types)
    return build_composite_condition(conditions, hash_keys, range_keys, indexable_check=True)


def attribute_updates_to_plan(attribute_updates: dict[str, dict[str, Any]] | None) -> UpdatePlan:
    """Legacy AttributeUpdates (PUT / ADD / DELETE per attribute) as an :class:`UpdatePlan`."""
    sets, removes, adds, deletes = [], [], [], []
    order: list[DocPath] = []
    for name, spec in (attribute_updates or {}).items():
        spec = spec or {}
        action = spec.get("Action") or "PUT"
        raw = spec.get("Value")
        path = Path((name,))
        order.append((name,))
        if raw is None:
            if action != "DELETE":
                raise _invalid("Only DELETE action is allowed when no attribute value is specified")
            removes.append(RemoveAction(path))
            continue
        value = validate_value(raw)
        kind = av_type(value)
        if action == "DELETE":
            if kind not in ("SS", "NS", "BS"):
                raise _invalid(f"DELETE action with value is not supported for the type {kind}")
            deletes.append(DeleteAction(path, Value(value)))
        elif action == "ADD":
            if kind not in ("N", "SS", "NS", "BS", "L"):
                raise _invalid(f"ADD action is not supported for the type {kind}")
            adds.append(AddAction(path, Value(value)))
        else:
            sets.append(SetAction(path, Value(value)))
    return UpdatePlan(
        tuple(sets), tuple(removes), tuple(adds), tuple(deletes), legacy=True, order=tuple(order)
    )


def attributes_to_get_to_paths(names: list[str] | None) -> list[DocPath]:
    """AttributesToGet as projection paths (top-level names; no dots are interpreted)."""
    seen: set[str] = set()
    for name in names or []:
        if name in seen:
            raise _invalid(f"Duplicate value in attribute name: {name}")
        seen.add(name)
    return [(name,) for name in names or []]

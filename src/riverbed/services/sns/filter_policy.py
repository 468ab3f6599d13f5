"""SNS subscription filter policies: compile once, match every published message.

Owns: validating a ``FilterPolicy`` (raising :class:`FilterPolicyError` with the reason SNS gives) and
matching it against a message, following the SNS developer guide
(https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html):

* every key of the policy must match (AND); the values listed for a key are alternatives (OR);
  ``$or`` takes alternative sub-policies;
* ``FilterPolicyScope=MessageAttributes`` (default) matches message attributes by name: String values
  as strings, Number values as numbers, String.Array values element by element; Binary attributes
  cannot be filtered on and count as absent;
* ``FilterPolicyScope=MessageBody`` matches the JSON body; nested policy objects walk into nested
  objects, and a list in the body matches when any element does;
* leaf rules: exact strings, exact numbers (compared as numbers), ``null`` (body only), ``prefix``,
  ``suffix``, ``equals-ignore-case``, ``anything-but`` (a value, a list, or ``{"prefix"|"suffix": ...}``),
  ``numeric`` (``=``, ``<``, ``<=``, ``>``, ``>=``, one or two comparisons), ``exists``, ``cidr``.
  A string never equals a number.

``riverbed.triggers.filtering`` (EventBridge patterns for Lambda) differs on exactly these points --
numbers compare by their text there, attribute values arrive typed here -- hence a matcher of SNS's own.

Must not: parse the message per subscription more than once (callers pass the parsed document) or
know about delivery.
"""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Callable
from typing import Any

Predicate = Callable[[Any], bool]
_ABSENT: Any = object()
_NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
MAX_DEPTH = 32
MAX_COMBINATIONS = 150


class FilterPolicyError(ValueError):
    """Why a filter policy is refused (SNS prefixes it with ``Invalid parameter: FilterPolicy: ``)."""


def parse(text: str) -> dict[str, Any]:
    try:
        policy = json.loads(text)
    except ValueError as exc:
        raise FilterPolicyError(f"failed to parse JSON. {exc}") from None
    if not isinstance(policy, dict):
        raise FilterPolicyError("Filter policy must be a JSON object")
    return policy


def compile_policy(text: str, scope: str = "MessageAttributes") -> Predicate:
    """A predicate over the filter document (see :func:`attributes_document` / :func:`body_document`)."""
    policy = parse(text)
    if not policy:
        return lambda doc: True
    compiler = _Compiler(nested=scope == "MessageBody")
    matcher = compiler.object(policy, 0)
    if compiler.combinations > MAX_COMBINATIONS:
        raise FilterPolicyError(f"Filter policy is too complex: {compiler.combinations} combinations exceed "
                                f"the limit of {MAX_COMBINATIONS}")

    def match(doc: Any) -> bool:
        return isinstance(doc, dict) and matcher(doc)
    return match


def attributes_document(attributes: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """Message attributes as typed values: String -> str, Number -> float, String.Array -> list."""
    doc: dict[str, Any] = {}
    for name, value in (attributes or {}).items():
        data_type = str(value.get("DataType", ""))
        text = value.get("StringValue")
        if text is None or data_type.startswith("Binary"):
            continue
        if data_type.startswith("String.Array"):
            try:
                parsed = json.loads(text)
            except ValueError:
                continue
            doc[name] = parsed if isinstance(parsed, list) else [parsed]
        elif data_type.startswith("Number"):
            try:
                doc[name] = float(text)
            except ValueError:
                continue
        else:
            doc[name] = str(text)
    return doc


def body_document(message: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(message)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Compiler:
    def __init__(self, nested: bool) -> None:
        self.nested = nested
        self.combinations = 1

    def object(self, policy: dict[str, Any], depth: int) -> Predicate:
        if depth > MAX_DEPTH:
            raise FilterPolicyError("Filter policy is nested too deeply")
        checks: list[Predicate] = []
        for key, rule in policy.items():
            if key == "$or":
                checks.append(self._or(rule, depth))
            elif isinstance(rule, dict):
                if not self.nested:
                    raise FilterPolicyError(f"\"{key}\" must be an object or an array")
                checks.append(_nested(key, self.object(rule, depth + 1)))
            elif isinstance(rule, list):
                if not rule:
                    raise FilterPolicyError(f"Empty arrays are not allowed: \"{key}\"")
                self.combinations *= len(rule)
                checks.append(_field(key, self.leaf(rule)))
            else:
                raise FilterPolicyError(f"\"{key}\" must be an object or an array")
        return _all(tuple(checks))

    def _or(self, rule: Any, depth: int) -> Predicate:
        if not isinstance(rule, list) or len(rule) < 2 or not all(isinstance(r, dict) for r in rule):
            raise FilterPolicyError("\"$or\" must be an array of at least two objects")
        alternatives = tuple(self.object(r, depth + 1) for r in rule)

        def any_of(doc: dict[str, Any]) -> bool:
            return any(alt(doc) for alt in alternatives)
        return any_of

    def leaf(self, rules: list[Any]) -> Predicate:
        value_rules: list[Predicate] = []
        exists: bool | None = None
        for rule in rules:
            if isinstance(rule, dict):
                if len(rule) != 1:
                    raise FilterPolicyError("Only one key allowed in match expression")
                operator, operand = next(iter(rule.items()))
                if operator == "exists":
                    if not isinstance(operand, bool):
                        raise FilterPolicyError("exists match pattern must be either true or false.")
                    exists = operand
                    continue
                value_rules.append(_operator(operator, operand))
            elif isinstance(rule, str) or (rule is None and self.nested) or isinstance(rule, bool):
                value_rules.append(_exact(rule))
            elif _is_number(rule):
                value_rules.append(_number(float(rule)))
            else:
                raise FilterPolicyError("Match value must be String, number, true, false, or null")
        checks = tuple(value_rules)

        def leaf(value: Any) -> bool:
            if value is _ABSENT:
                return exists is False
            if exists is not None:
                if exists:
                    return True
                if not checks:
                    return False
            elements = value if isinstance(value, list) else [value]
            return any(check(element) for element in elements for check in checks)
        return leaf


def _exact(expected: str | bool | None) -> Predicate:
    """A string, ``true``/``false`` or ``null`` (body scope): same type and value."""
    def exact(value: Any) -> bool:
        return value is expected if expected is None or isinstance(expected, bool) else value == expected
    return exact


def _number(expected: float) -> Predicate:
    """Numbers compare as numbers: 300 matches 300.0."""
    def number(value: Any) -> bool:
        return _is_number(value) and float(value) == expected
    return number


def _field(key: str, match: Predicate) -> Predicate:
    def field(doc: dict[str, Any]) -> bool:
        value = doc.get(key, _ABSENT)
        if isinstance(value, dict) or (isinstance(value, list) and not value):
            value = _ABSENT
        return match(value)
    return field


def _nested(key: str, match: Predicate) -> Predicate:
    def nested(doc: dict[str, Any]) -> bool:
        value = doc.get(key)
        if isinstance(value, dict):
            return match(value)
        if isinstance(value, list):
            return any(match(v) for v in value if isinstance(v, dict))
        return match({})
    return nested


def _all(checks: tuple[Predicate, ...]) -> Predicate:
    def all_of(doc: dict[str, Any]) -> bool:
        return all(check(doc) for check in checks)
    return all_of


def _operator(operator: str, operand: Any) -> Predicate:
    if operator in ("prefix", "suffix", "equals-ignore-case"):
        if not isinstance(operand, str):
            raise FilterPolicyError(f"{operator} match pattern must be a string")
        if operator == "prefix":
            return lambda v: isinstance(v, str) and v.startswith(operand)
        if operator == "suffix":
            return lambda v: isinstance(v, str) and v.endswith(operand)
        lowered = operand.lower()
        return lambda v: isinstance(v, str) and v.lower() == lowered
    if operator == "anything-but":
        return _anything_but(operand)
    if operator == "numeric":
        return _numeric(operand)
    if operator == "cidr":
        return _cidr(operand)
    raise FilterPolicyError(f"Unrecognized match type {operator}")


def _anything_but(operand: Any) -> Predicate:
    if isinstance(operand, dict):
        if len(operand) != 1 or next(iter(operand)) not in ("prefix", "suffix"):
            raise FilterPolicyError("Unsupported anything-but pattern")
        inner = _operator(*next(iter(operand.items())))
        return lambda v: isinstance(v, str) and not inner(v)
    values = operand if isinstance(operand, list) else [operand]
    strings = {v for v in values if isinstance(v, str)}
    numbers = {float(v) for v in values if _is_number(v)}
    if len(strings) + len(numbers) != len(values):
        raise FilterPolicyError("anything-but list can only contain strings or numbers")

    def anything_but(value: Any) -> bool:
        if _is_number(value):
            return float(value) not in numbers
        return value not in strings
    return anything_but


def _numeric(operand: Any) -> Predicate:
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        raise FilterPolicyError("Value of numeric match must be an array of 2 or 4 elements")
    comparisons: list[tuple[Callable[[float, float], bool], float]] = []
    for i in range(0, len(operand), 2):
        op, number = operand[i], operand[i + 1]
        if op not in _NUMERIC_OPS or not _is_number(number) or not math.isfinite(float(number)):
            raise FilterPolicyError(f"Unrecognized numeric range operator: {op}")
        comparisons.append((_NUMERIC_OPS[op], float(number)))

    def numeric(value: Any) -> bool:
        return _is_number(value) and all(cmp(float(value), bound) for cmp, bound in comparisons)
    return numeric


def _cidr(operand: Any) -> Predicate:
    try:
        network = ipaddress.ip_network(str(operand), strict=False)
    except ValueError:
        raise FilterPolicyError(f"Malformed CIDR, one '/' required: {operand}") from None

    def in_network(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False
    return in_network

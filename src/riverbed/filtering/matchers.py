"""Matcher combinators: closures over a document, built once, called per record or message.

Owns: how a compiled pattern walks a document -- fields, AND, OR, arrays (EventBridge's
array-consistent matching: a leaf matches if any element does, nested arrays are crushed out, objects
are not leaves), and the per-value predicates (prefix, suffix, equals-ignore-case, wildcard, cidr,
numeric, anything-but).

Must not: validate patterns or raise on any document; every predicate answers False for a value of
the wrong type.  Validation and error texts live in ``compiler`` and the dialects.
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import Any

Predicate = Callable[[Any], bool]
ExactKey = Callable[[Any], Hashable]

MISSING: Any = object()  # a field the document does not have
EMPTY: dict[str, Any] = {}  # "every field absent"; never mutated

# DynamoDB number strings; a plain regex because float() also takes "nan", "inf" and "1_0".
_NUMBER_STRING = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def always(value: Any) -> bool:
    return True


# --- structure -------------------------------------------------------------------------------------


def field(key: str, match: Predicate) -> Predicate:
    def field_(obj: dict[str, Any]) -> bool:
        return match(obj.get(key, MISSING))

    return field_


def all_of(checks: tuple[Predicate, ...]) -> Predicate:
    if not checks:
        return always
    if len(checks) == 1:
        return checks[0]

    def all_of_(obj: Any) -> bool:
        for check in checks:
            if not check(obj):
                return False
        return True

    return all_of_


def any_of(alternatives: tuple[Predicate, ...]) -> Predicate:
    def any_of_(obj: Any) -> bool:
        for alternative in alternatives:
            if alternative(obj):
                return True
        return False

    return any_of_


def node(match_object: Predicate) -> Predicate:
    """A matcher over whatever value sits at a path whose pattern is an object: a dict is matched,
    an array matches if any object in it does, anything else (and an array without objects) is
    treated as an object with every field absent."""
    when_absent = match_object(EMPTY)  # constant: how the pattern fares with no fields at all

    def node_(value: Any) -> bool:
        if isinstance(value, dict):
            return match_object(value)
        if isinstance(value, list):
            seen = False
            for element in object_elements(value):
                seen = True
                if match_object(element):
                    return True
            return False if seen else when_absent
        return when_absent

    return node_


def object_elements(items: list[Any]) -> list[dict[str, Any]]:
    """The objects inside an array, nested arrays crushed out."""
    found: list[dict[str, Any]] = []
    stack = [items]
    while stack:
        for element in stack.pop():
            if isinstance(element, dict):
                found.append(element)
            elif isinstance(element, list):
                stack.append(element)
    return found


def scalars(items: list[Any]) -> list[Any]:
    """The scalar leaves inside an array, nested arrays crushed out; objects are not leaves."""
    found: list[Any] = []
    stack = [items]
    while stack:
        for element in stack.pop():
            if isinstance(element, list):
                stack.append(element)
            elif not isinstance(element, dict):
                found.append(element)
    return found


def leaf(exact: frozenset[Hashable], exact_key: ExactKey, predicates: tuple[Predicate, ...],
         exists_true: bool, exists_false: bool) -> Predicate:
    """One key's leaf rules, OR-ed: exact values (compared through ``exact_key``), predicates, exists.

    Only scalars are leaf values: an object or an array without scalars counts as absent."""

    def leaf_(value: Any) -> bool:
        if type(value) is str:  # the common case: a single string
            if exists_true or value in exact:
                return True
            for predicate in predicates:
                if predicate(value):
                    return True
            return False
        if value is MISSING or isinstance(value, dict):
            return exists_false
        values = scalars(value) if isinstance(value, list) else (value,)
        if not values:
            return exists_false
        if exists_true:
            return True
        for item in values:
            if exact and exact_key(item) in exact:
                return True
            for predicate in predicates:
                if predicate(item):
                    return True
        return False

    return leaf_


# --- value predicates ------------------------------------------------------------------------------


def prefix(text: str, ignore_case: bool = False) -> Predicate:
    if ignore_case:
        lowered = text.lower()
        return lambda value: type(value) is str and value.lower().startswith(lowered)
    return lambda value: type(value) is str and value.startswith(text)


def suffix(text: str, ignore_case: bool = False) -> Predicate:
    if ignore_case:
        lowered = text.lower()
        return lambda value: type(value) is str and value.lower().endswith(lowered)
    return lambda value: type(value) is str and value.endswith(text)


def equals_ignore_case(text: str) -> Predicate:
    lowered = text.lower()
    return lambda value: type(value) is str and value.lower() == lowered


def wildcard(fullmatch: Callable[[str], Any]) -> Predicate:
    return lambda value: type(value) is str and fullmatch(value) is not None


def cidr(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> Predicate:
    def in_network(value: Any) -> bool:
        if type(value) is not str:
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return in_network


def none_of(excluded: frozenset[Hashable], exact_key: ExactKey) -> Predicate:
    """anything-but over values: any present value whose key is not excluded."""
    return lambda value: exact_key(value) not in excluded


def negate(positive: Predicate, strings_only: bool) -> Predicate:
    """anything-but over a pattern; with ``strings_only`` a value of another type never matches."""
    if strings_only:
        return lambda value: type(value) is str and not positive(value)
    return lambda value: not positive(value)


def numeric(comparisons: tuple[tuple[str, int | float], ...], numbers_from_strings: bool) -> Predicate:
    """Every comparison holds for the value read as a number (JSON numbers; Decimals; DynamoDB number
    strings when ``numbers_from_strings``).  Anything else never matches."""
    checks = tuple((COMPARISONS[op], bound) for op, bound in comparisons)

    def as_number(value: Any) -> int | float | None:
        kind = type(value)
        if kind is int or kind is float:
            return value  # type: ignore[no-any-return]
        if kind is str and numbers_from_strings and _NUMBER_STRING.fullmatch(value):
            return float(value)
        if kind is Decimal and value.is_finite():
            return float(value)
        return None

    def numeric_(value: Any) -> bool:
        number = as_number(value)
        if number is None:
            return False
        for compare, bound in checks:
            if not compare(number, bound):
                return False
        return True

    return numeric_

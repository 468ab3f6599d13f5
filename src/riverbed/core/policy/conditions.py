"""Condition operators: String*, Arn*, Numeric*, Date*, Bool, Binary, IpAddress, Null, ``...IfExists``,
``ForAllValues:`` / ``ForAnyValue:``.

Owns: the truth of one ``Condition`` block against the request context.  Rules as AWS documents them:
several operators, and several keys under one operator, must all hold; several values for one key
are alternatives; a key missing from the request makes a positive operator false and a negated one
(``StringNotEquals``, ``ArnNotLike`` ...) true; ``IfExists`` makes a missing key true; ``ForAllValues``
holds for a missing or empty key, ``ForAnyValue`` does not.  An operator riverbed does not know makes
the statement not apply.

Must not: substitute anything but policy variables, or read the clock (``aws:CurrentTime`` is in the context).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from riverbed.core.policy.matching import Unresolved, arn_matches, literal, lookup, substitute, wildcard_match

Compare = Callable[[Any, Any], bool]


def _number(value: Any) -> float:
    return float(value)


def _date(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value)
    try:
        return float(text)
    except ValueError:
        pass
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _bool(request: Any, policy: Any) -> bool:
    return str(request).lower() == str(policy).lower()


def _ip(request: Any, policy: Any) -> bool:
    return ipaddress.ip_address(str(request)) in ipaddress.ip_network(str(policy), strict=False)


def _binary(request: Any, policy: Any) -> bool:
    raw = request if isinstance(request, bytes) else str(request).encode()
    return base64.b64encode(raw).decode() == str(policy) or str(request) == str(policy)


# The positive form of each operator: (request value, policy value) -> bool.
_POSITIVE: dict[str, Compare] = {
    "StringEquals": lambda r, p: str(r) == literal(str(p)),
    "StringEqualsIgnoreCase": lambda r, p: str(r).lower() == literal(str(p)).lower(),
    "StringLike": lambda r, p: wildcard_match(str(p), str(r)),
    "NumericEquals": lambda r, p: _number(r) == _number(p),
    "NumericLessThan": lambda r, p: _number(r) < _number(p),
    "NumericLessThanEquals": lambda r, p: _number(r) <= _number(p),
    "NumericGreaterThan": lambda r, p: _number(r) > _number(p),
    "NumericGreaterThanEquals": lambda r, p: _number(r) >= _number(p),
    "DateEquals": lambda r, p: _date(r) == _date(p),
    "DateLessThan": lambda r, p: _date(r) < _date(p),
    "DateLessThanEquals": lambda r, p: _date(r) <= _date(p),
    "DateGreaterThan": lambda r, p: _date(r) > _date(p),
    "DateGreaterThanEquals": lambda r, p: _date(r) >= _date(p),
    "Bool": _bool,
    "BinaryEquals": _binary,
    "IpAddress": _ip,
    "ArnEquals": lambda r, p: str(r) == literal(str(p)),
    "ArnLike": lambda r, p: arn_matches(str(p), str(r)),
}
# Negated operators: the positive one they deny.
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_SUBSTITUTING = ("String", "Arn")   # policy variables work in string and ARN operators


def known_operator(name: str) -> bool:
    _, _, base = name.rpartition(":")
    base = base.removesuffix("IfExists")
    return base in _POSITIVE or base in _NEGATED or base == "Null"


def conditions_hold(conditions: Mapping[str, Mapping[str, tuple[Any, ...]]], context: Mapping[str, Any]) -> bool:
    """Whether every operator of a statement's Condition block holds for the request context."""
    for operator, block in conditions.items():
        for key, values in block.items():
            if not _holds(operator, key, values, context):
                return False
    return True


def _holds(operator: str, key: str, values: tuple[Any, ...], context: Mapping[str, Any]) -> bool:
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists") and name != "Null"
    base = name.removesuffix("IfExists") if if_exists else name
    present = lookup(context, key)
    if base == "Null":
        missing = present is None or present == []
        return any(str(v).lower() == ("true" if missing else "false") for v in values)
    negated = base in _NEGATED
    compare = _POSITIVE.get(_NEGATED.get(base, base))
    if compare is None:
        return False
    if base.startswith(_SUBSTITUTING):
        try:
            values = tuple(substitute(str(v), context) for v in values)
        except Unresolved:
            return False
    if present is None or present == []:
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return if_exists or negated
    requested = present if isinstance(present, list) else [present]

    def matches(value: Any) -> bool:
        try:
            hit = any(compare(value, p) for p in values)
        except (ValueError, TypeError):
            hit = False
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(matches(v) for v in requested)
    if qualifier == "ForAnyValue":
        return any(matches(v) for v in requested)
    if negated:
        return all(matches(v) for v in requested)
    return any(matches(v) for v in requested)

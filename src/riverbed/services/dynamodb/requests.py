"""Expression parameters of one request: conditions, projections, filters and updates.

Owns: turning a request's expression parameters (or their legacy
equivalents -- Expected, AttributesToGet, AttributeUpdates, QueryFilter,
ScanFilter, KeyConditions) into the one expression AST, AWS's errors for
mixing the two styles, and the "unused name/value" check across all of a
request's expressions.

Must not: evaluate expressions against items (``expressions/`` does) or touch the store.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import orjson

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import legacy
from riverbed.services.dynamodb.expressions.keys import parse_composite_key_condition

# The order in which DynamoDB lists the parameters of each kind in its mixing error (extenddb's dual-target
# tests against DynamoDB: "AttributeUpdates, Expected, ConditionalOperator" / "UpdateExpression,
# ConditionExpression"; "QueryFilter, ConditionalOperator, KeyConditions" / "ProjectionExpression,
# FilterExpression, KeyConditionExpression").
_LEGACY_ORDER = ("AttributesToGet", "AttributeUpdates", "Expected", "QueryFilter", "ScanFilter",
                 "ConditionalOperator", "KeyConditions")
_EXPRESSION_ORDER = ("ProjectionExpression", "UpdateExpression", "ConditionExpression", "FilterExpression",
                     "KeyConditionExpression")

# Parsed expressions by (parser, text, names, values, extra): the AST nodes are immutable, so a repeated
# request (the common case: the same statement with the same placeholders) skips tokenizing and analysis.
_PARSED: dict[tuple[Any, ...], tuple[Any, frozenset[str], frozenset[str]]] = {}
_PARSED_MAX = 4096


class RequestExpressions:
    """Parses the expressions of one request; call :meth:`finish` after the last one."""

    def __init__(self, req: dict[str, Any], *, operation: str) -> None:
        self.req = req
        self.operation = operation
        used_expr = [k for k in _EXPRESSION_ORDER if req.get(k) is not None]
        used_legacy = [k for k in _LEGACY_ORDER if req.get(k) is not None]
        if "KeyConditionExpression" not in used_expr and "KeyConditions" in used_legacy:
            # Legacy KeyConditions mixes with FilterExpression / ProjectionExpression; only
            # KeyConditionExpression conflicts with it (extenddb's dual-target tests against DynamoDB of
            # ConditionalOperator and parameter mixing: "KeyConditions is exempt from the mixing check").
            used_legacy.remove("KeyConditions")
        if used_expr and used_legacy:
            raise ValidationException(
                "Can not use both expression and non-expression parameters in the same request: "
                f"Non-expression parameters: {{{', '.join(used_legacy)}}} "
                f"Expression parameters: {{{', '.join(used_expr)}}}")
        if req.get("ConditionalOperator") is not None:
            # Same source: ConditionalOperator needs a legacy Filter or Expected of two or more conditions.
            conditions = req.get("Expected") or req.get("QueryFilter") or req.get("ScanFilter") or {}
            if not conditions:
                raise ValidationException("ConditionalOperator cannot be used without Filter or Expected")
            if len(conditions) < 2:
                raise ValidationException(
                    "ConditionalOperator can only be used when Filter or Expected has two or more elements")
        names = req.get("ExpressionAttributeNames")
        values = req.get("ExpressionAttributeValues")
        if names is not None and not used_expr:
            raise ValidationException("ExpressionAttributeNames can only be specified when using expressions")
        if values is not None and not used_expr:
            present = [k for k in ("UpdateExpression", "ConditionExpression", "FilterExpression",
                                   "KeyConditionExpression") if k in _relevant(operation)]
            nulls = " and ".join(present) if present else "ConditionExpression"
            verb = "are" if len(present) > 1 else "is"
            raise ValidationException(
                f"ExpressionAttributeValues can only be specified when using expressions: {nulls} {verb} null")
        self.attrs = ex.ExpressionAttributes(names, values)
        self._attr_key: tuple[Any, ...] | None = None

    def _parse(self, parser: Callable[..., Any], text: str, *args: Any, **kwargs: Any) -> Any:
        """``parser(text, attrs, *args)``, memoized; records the names/values it uses on this request."""
        if self._attr_key is None:
            self._attr_key = (tuple(sorted(self.attrs.names.items())),
                              orjson.dumps(self.attrs.values, option=orjson.OPT_SORT_KEYS))
        key = (parser, text, self._attr_key, args, tuple(sorted(kwargs.items())))
        hit = _PARSED.get(key)
        if hit is None:
            scratch = copy.copy(self.attrs)
            scratch.used_names, scratch.used_values = set(), set()
            node = parser(text, scratch, *args, **kwargs)
            hit = (node, frozenset(scratch.used_names), frozenset(scratch.used_values))
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[key] = hit
        self.attrs.used_names |= hit[1]
        self.attrs.used_values |= hit[2]
        return hit[0]

    def condition(self) -> Any:
        text = self.req.get("ConditionExpression")
        if text is not None:
            return self._parse(ex.parse_condition, text, kind="ConditionExpression")
        if self.req.get("Expected"):
            return legacy.expected_to_condition(self.req["Expected"], self.req.get("ConditionalOperator"))
        return None

    def filter(self) -> Any:
        text = self.req.get("FilterExpression")
        if text is not None:
            return self._parse(ex.parse_condition, text, kind="FilterExpression")
        legacy_filter = self.req.get("QueryFilter") or self.req.get("ScanFilter")
        if legacy_filter:
            return legacy.filter_to_condition(legacy_filter, self.req.get("ConditionalOperator"))
        return None

    def projection(self) -> Any:
        text = self.req.get("ProjectionExpression")
        if text is not None:
            return self._parse(ex.parse_projection, text)
        names = self.req.get("AttributesToGet")
        if names:
            return legacy.attributes_to_get_to_paths(names)
        return None

    def update(self) -> Any:
        text = self.req.get("UpdateExpression")
        if text is not None:
            return self._parse(ex.parse_update, text)
        if self.req.get("AttributeUpdates"):
            return legacy.attribute_updates_to_plan(self.req["AttributeUpdates"])
        return None

    def key_condition(self, hash_key: str, range_key: str | None, hash_type: str | None = None,
                      range_type: str | None = None) -> Any:
        text = self.req.get("KeyConditionExpression")
        if text is not None:
            return self._parse(ex.parse_key_condition, text, hash_key, range_key, hash_type=hash_type,
                               range_type=range_type)
        if self.req.get("KeyConditions"):
            return legacy.key_conditions_to_key_condition(self.req["KeyConditions"], hash_key, range_key,
                                                          hash_type=hash_type, range_type=range_type)
        raise ValidationException("Either the KeyConditions or KeyConditionExpression parameter must be specified "
                                  "in the request.")

    def composite_key_condition(self, hash_keys: tuple[str, ...], range_keys: tuple[str, ...],
                                key_types: dict[str, str]) -> Any:
        """The key condition of a Query on a GSI with multi-attribute keys."""
        text = self.req.get("KeyConditionExpression")
        if text is not None:
            return self._parse(parse_composite_key_condition, text, hash_keys, range_keys,
                               tuple(sorted(key_types.items())))
        if self.req.get("KeyConditions"):
            return legacy.key_conditions_to_composite(self.req["KeyConditions"], hash_keys, range_keys, key_types)
        raise ValidationException("Either the KeyConditions or KeyConditionExpression parameter must be specified "
                                  "in the request.")

    def finish(self) -> None:
        self.attrs.check_all_used()


def _relevant(operation: str) -> tuple[str, ...]:
    return {
        "PutItem": ("ConditionExpression",),
        "DeleteItem": ("ConditionExpression",),
        "UpdateItem": ("UpdateExpression", "ConditionExpression"),
        "Query": ("FilterExpression", "KeyConditionExpression"),
        "Scan": ("FilterExpression",),
    }.get(operation, ("ConditionExpression",))


def check_return_values(value: str | None, allowed: tuple[str, ...], operation: str) -> str:
    value = value or "NONE"
    if value not in allowed:
        if operation in ("PutItem", "DeleteItem"):
            raise ValidationException("ReturnValues can only be ALL_OLD or NONE")
        raise ValidationException(f"1 validation error detected: Value '{value}' at 'returnValues' failed to satisfy "
                                  f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")
    return value

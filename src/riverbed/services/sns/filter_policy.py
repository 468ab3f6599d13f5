"""SNS subscription filter policies: compile once, match every published message.

Owns: SNS's dialect of the shared pattern core (``riverbed.filtering``): validating a ``FilterPolicy``
(raising :class:`FilterPolicyError` with the reason SNS gives) and shaping a message into the document
a policy is matched against, following the SNS developer guide
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

Where SNS differs from Lambda's EventBridge patterns (``riverbed.triggers.filtering``) is in the
dialect below: numbers compare by value, no ``wildcard``, ``$or`` always an OR, looser ``numeric`` and
``anything-but`` operands, its own error texts and a 150-combination limit.

Must not: parse the message per subscription more than once (callers pass the parsed document) or
know about delivery.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from riverbed.filtering import Dialect, compile_pattern, key_by_value
from riverbed.filtering import Predicate as Predicate  # re-exported: callers annotate with it

MAX_DEPTH = 32
MAX_COMBINATIONS = 150


class FilterPolicyError(ValueError):
    """Why a filter policy is refused (SNS prefixes it with ``Invalid parameter: FilterPolicy: ``)."""


# Refusal reasons of riverbed.filtering.compiler -> the text SNS answers.
_MESSAGES = {
    "nested_too_deeply": "Filter policy is nested too deeply",
    "bad_field_rule": "\"{key}\" must be an object or an array",
    "empty_array": "Empty arrays are not allowed: \"{key}\"",
    "bad_or": "\"$or\" must be an array of at least two objects",
    "one_key": "Only one key allowed in match expression",
    "exists_operand": "exists match pattern must be either true or false.",
    "bad_value": "Match value must be String, number, true, false, or null",
    "string_operand": "{operator} match pattern must be a string",
    "unknown_operator": "Unrecognized match type {operator}",
    "anything_but_pattern": "Unsupported anything-but pattern",
    "anything_but_list": "anything-but list can only contain strings or numbers",
    "numeric_shape": "Value of numeric match must be an array of 2 or 4 elements",
    "numeric_operator": "Unrecognized numeric range operator: {operator}",
    "cidr": "Malformed CIDR, one '/' required: {operand}",
    "too_complex": "Filter policy is too complex: {count} combinations exceed the limit of {limit}",
}

_ATTRIBUTES_DIALECT = Dialect(
    name="sns",
    error=FilterPolicyError,
    messages=_MESSAGES,
    default_message="Invalid filter policy",
    operators=frozenset({"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"}),
    exact_key=key_by_value,
    max_levels=MAX_DEPTH + 1,  # depth 0 is the policy itself
    max_combinations=MAX_COMBINATIONS,
    nested_objects=False,
    null_values=False,
    empty_objects=True,
    strict_or=True,
    ignore_case_affixes=False,
    anything_but_operators=frozenset({"prefix", "suffix"}),
    anything_but_homogeneous=False,
    anything_but_pattern_strings_only=True,
    numeric_strict_ranges=False,
)
_BODY_DIALECT = replace(_ATTRIBUTES_DIALECT, nested_objects=True, null_values=True)


def parse(text: str) -> dict[str, Any]:
    try:
        policy = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FilterPolicyError(f"failed to parse JSON. {exc}") from None
    if not isinstance(policy, dict):
        raise FilterPolicyError("Filter policy must be a JSON object")
    return policy


def compile_policy(text: str, scope: str = "MessageAttributes") -> Predicate:
    """A predicate over the filter document (see :func:`attributes_document` / :func:`body_document`)."""
    policy = parse(text)
    if not policy:
        return lambda doc: True
    matcher = compile_pattern(policy, _BODY_DIALECT if scope == "MessageBody" else _ATTRIBUTES_DIALECT)

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

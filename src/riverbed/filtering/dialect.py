"""The switches that make one pattern core speak Lambda's or SNS's dialect.

Owns: :class:`Dialect` (what a pattern may contain, how deep and how large, what error a refusal
raises and with which text) and the two exact-match keys (numbers by their JSON text, as EventBridge
and Lambda compare them; numbers by value, as SNS compares them).

Must not: compile or match anything (``compiler`` and ``matchers`` do), or hold a service's texts:
each user builds its own dialect next to the texts AWS gives for it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from riverbed.filtering.matchers import ExactKey

NULL_KEY = ("null",)

# Every operator the core knows; a dialect accepts a subset.
ALL_OPERATORS = frozenset({
    "prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr",
})


def key_by_text(value: Any) -> Hashable:
    """Equal only when EventBridge's exact match would be: strings are themselves, numbers compare by
    their JSON text (300 != 300.0), true/false/null are tagged so that 1 never equals true."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return ("bool", value)
    if value is None:
        return NULL_KEY
    if kind is int or kind is Decimal:
        return ("num", str(value))
    if kind is float:
        return ("num", repr(value))
    return None


def key_by_value(value: Any) -> Hashable:
    """As :func:`key_by_text`, but numbers compare as numbers (SNS: 300 matches 300.0)."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return ("bool", value)
    if value is None:
        return NULL_KEY
    if kind is int or kind is float or kind is Decimal:
        return ("num", float(value))
    return None


@dataclass(frozen=True)
class Dialect:
    """How one service reads patterns.  Every refusal goes through :meth:`fail`."""

    name: str
    error: Callable[[str], Exception]
    # Reason -> text (``str.format`` fields: key, operator, operand, count, limit).  A reason without a
    # text of its own answers ``default_message`` (Lambda answers one text for every invalid pattern).
    messages: Mapping[str, str] = field(default_factory=dict)
    default_message: str = "Invalid pattern."
    operators: frozenset[str] = ALL_OPERATORS
    exact_key: ExactKey = key_by_text
    # Levels of objects allowed; the top-level pattern is level 1.
    max_levels: int = 64
    # Leaf rules a pattern may hold in total (product over keys of their rule counts); None: no limit.
    max_combinations: int | None = None
    nested_objects: bool = True          # may a key hold an object (walk into the document)?
    null_values: bool = True             # may a leaf list hold null?
    empty_objects: bool = False          # is {} a valid (match-all) object?
    # True: "$or" is always an OR and must be an array of two or more objects.  False (EventBridge):
    # "$or" is an OR only when it has that shape and no operator names as keys; otherwise a field name.
    strict_or: bool = False
    # Keys whose rule must be an object (Lambda: the DynamoDB data key), at the top and inside "$or".
    object_keys: frozenset[str] = frozenset()
    # prefix / suffix take {"equals-ignore-case": s} too.
    ignore_case_affixes: bool = True
    # anything-but: the operators it may wrap, whether a list must be non-empty and all strings or all
    # numbers, and whether a wrapped pattern matches only strings (SNS) or also other types (EventBridge).
    anything_but_operators: frozenset[str] = frozenset({"prefix", "suffix", "equals-ignore-case", "wildcard"})
    anything_but_homogeneous: bool = True
    anything_but_pattern_strings_only: bool = False
    # numeric: one "=" alone, or at most one lower and one upper bound with lower < upper.  When False,
    # any one or two comparisons are accepted.
    numeric_strict_ranges: bool = True
    # Keys under which strings are read as numbers by ``numeric`` (DynamoDB's N / NS).
    numeric_string_keys: frozenset[str] = frozenset()

    def fail(self, reason: str, **details: Any) -> Exception:
        """The exception to raise for ``reason``, with this dialect's text."""
        text = self.messages.get(reason)
        return self.error(text.format(**details) if text is not None else self.default_message)

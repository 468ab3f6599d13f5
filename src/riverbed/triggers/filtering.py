"""Lambda event filtering: compile an ESM's ``FilterCriteria`` once, match records fast.

Owns: validating ``FilterCriteria`` at CreateEventSourceMapping /
UpdateEventSourceMapping time (raising ``InvalidParameterValueException``) and
deciding, per stream record, whether the function sees it.  Patterns follow the
EventBridge pattern syntax that Lambda says it uses:
https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html

Must not: parse JSON per record, touch storage, or decide what happens to a
record that does not match (the poller drops it and moves the checkpoint past it).

Semantics in brief (AWS behaviour unless marked [choice]):

* a record is delivered if **any** filter matches (OR); inside a pattern every
  key must match (AND); nested objects navigate into the record;
* leaf rules are arrays, OR-ed: exact string / number / true / false / null,
  ``prefix``, ``suffix``, ``equals-ignore-case``, ``wildcard``, ``anything-but``,
  ``numeric``, ``exists``, ``cidr``; ``$or`` gives OR across fields;
* exact numbers compare by their string form, so 300 does not match 300.0
  (both Lambda's and EventBridge's pages say so); a number never equals a string;
* when the record value is an array, a leaf matches if any element matches, and
  a nested pattern matches if any object element matches all of it (EventBridge's
  array-consistent matching);
* only scalars are leaf values: a field holding an object or an empty array is
  absent for leaf rules, so ``exists: false`` matches it (EventBridge: "Exists
  matching only works on leaf nodes");
* [choice] ``numeric`` rules read DynamoDB ``N`` / ``NS`` strings as numbers when
  ``numeric_on_n_strings`` is on (Settings.esm_filter_numeric_on_n_strings).
  AWS documents numeric matching for JSON numbers only, and the recorded AWS run
  (``test_dynamodb_event_filter[numeric_filter]``) suggests AWS does not match.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from riverbed.errors import InvalidParameterValueException

# Verified: recorded from AWS for a Pattern that is not valid JSON
# (aws-recorded/lambda_esm_dynamodbstreams.snapshot.json, test_dynamodb_invalid_event_filter),
# and reported for a malformed Filter through CloudFormation (aws/aws-cdk#23057).  [choice] Every
# other invalid pattern (wrong leaf shape, unknown operator, bad operand) answers the same text.
INVALID_PATTERN_MESSAGE = "Invalid filter pattern definition."

# Default quota: five filters per mapping, raisable to ten on request (Lambda event filtering page).
DEFAULT_MAX_FILTERS = 5
# Not verified: AWS's text for "too many filters" is not in any recording or page we have.
TOO_MANY_FILTERS_MESSAGE = "The number of filters in FilterCriteria exceeds the maximum of {limit}."

# [choice] Patterns nested deeper than this are refused, so compiling and matching stay well inside
# Python's recursion limit (a 4096-character pattern could otherwise nest ~800 objects).
MAX_PATTERN_DEPTH = 64

# Keys under which DynamoDB stores numbers as strings ({"N": "5"}, {"NS": ["1", "2"]}).
_NUMBER_STRING_KEYS = frozenset({"N", "NS"})

_OPERATORS = frozenset({
    "prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr",
})

_MISSING: Any = object()
_EMPTY: dict[str, Any] = {}  # "every field absent"; never mutated
_NULL_KEY = ("null",)

# DynamoDB number strings; a plain regex because float() also takes "nan", "inf" and "1_0".
_NUMBER_STRING = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

Predicate = Callable[[Any], bool]


class RecordFilter:
    """Compiled ``FilterCriteria``: one matcher per filter, OR-ed."""

    __slots__ = ("_matchers", "patterns")

    def __init__(self, matchers: tuple[Predicate, ...], patterns: tuple[str, ...]) -> None:
        self._matchers = matchers
        self.patterns = patterns  # the Pattern strings as given, for display

    def matches(self, record: Any) -> bool:
        """Whether the Lambda event record (eventName, dynamodb, ...) passes any filter."""
        for matcher in self._matchers:
            if matcher(record):
                return True
        return False

    def __repr__(self) -> str:
        return f"RecordFilter({list(self.patterns)!r})"


def compile_filter_criteria(
    filter_criteria: dict[str, Any] | None,
    *,
    numeric_on_n_strings: bool = True,
    max_filters: int = DEFAULT_MAX_FILTERS,
) -> RecordFilter | None:
    """Validate and compile ``{"Filters": [{"Pattern": "<json>"}, ...]}``.

    ``None``, ``{}`` and ``{"Filters": []}`` mean no filtering and return ``None``
    (AWS drops an empty ``Filters`` list from the mapping; update with ``{}`` to remove filters).
    Raises :class:`InvalidParameterValueException` for anything AWS would refuse.
    """
    if filter_criteria is None:
        return None
    if not isinstance(filter_criteria, dict):
        raise _invalid()
    filters = filter_criteria.get("Filters")
    if filters is None:
        return None
    if not isinstance(filters, list):
        raise _invalid()
    if not filters:
        return None
    if len(filters) > max_filters:
        raise InvalidParameterValueException(TOO_MANY_FILTERS_MESSAGE.format(limit=max_filters))
    compiler = _Compiler(numeric_on_n_strings)
    matchers: list[Predicate] = []
    texts: list[str] = []
    for item in filters:
        pattern_text = item.get("Pattern") if isinstance(item, dict) else None
        if not isinstance(pattern_text, str):
            raise _invalid()
        matchers.append(compiler.compile_pattern(_parse_pattern(pattern_text)))
        texts.append(pattern_text)
    return RecordFilter(tuple(matchers), tuple(texts))


# --- parsing and validation ------------------------------------------------------------------


def _invalid() -> InvalidParameterValueException:
    return InvalidParameterValueException(INVALID_PATTERN_MESSAGE)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")  # NaN / Infinity / -Infinity are Python extensions


def _parse_pattern(text: str) -> dict[str, Any]:
    try:
        pattern = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise _invalid() from None
    if not isinstance(pattern, dict):
        raise _invalid()
    return pattern


def _is_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


def _exact_key(value: Any) -> Any:
    """A hashable key that equals another only when EventBridge's exact match would.

    Strings are themselves; numbers compare by their JSON text (300 != 300.0); true,
    false and null are tagged so that 1 never equals true.
    """
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return ("bool", value)
    if value is None:
        return _NULL_KEY
    if kind is int:
        return ("num", str(value))
    if kind is float:
        return ("num", repr(value))
    if kind is Decimal:
        return ("num", str(value))
    return None


def _is_or(rule: Any) -> bool:
    # EventBridge treats "$or" as OR only for an array of two or more objects that use no
    # operator names as keys; otherwise "$or" is an ordinary field name.
    return (
        isinstance(rule, list)
        and len(rule) >= 2
        and all(isinstance(alt, dict) and not (_OPERATORS & alt.keys()) for alt in rule)
    )


class _Compiler:
    """Turns one parsed pattern into nested closures."""

    def __init__(self, numeric_on_n_strings: bool) -> None:
        self.numeric_on_n_strings = numeric_on_n_strings

    def compile_pattern(self, pattern: dict[str, Any]) -> Predicate:
        self._check_data_key(pattern)
        return self._node(pattern, 1)

    @staticmethod
    def _check_data_key(pattern: dict[str, Any]) -> None:
        # The rule for the DynamoDB data key must be an object (Lambda filtering page: the
        # data-property pattern must be valid JSON, otherwise the create/update fails).
        if "dynamodb" in pattern and not isinstance(pattern["dynamodb"], dict):
            raise _invalid()
        if "$or" in pattern and _is_or(pattern["$or"]):
            for alt in pattern["$or"]:
                _Compiler._check_data_key(alt)

    # -- objects --

    def _object(self, obj: dict[str, Any], depth: int) -> Predicate:
        """A matcher over a dict value: every key of ``obj`` must match."""
        if not obj or depth > MAX_PATTERN_DEPTH:
            raise _invalid()
        checks: list[Predicate] = []
        for key, rule in obj.items():
            if key == "$or" and _is_or(rule):
                checks.append(_any_of(tuple(self._object(alt, depth + 1) for alt in rule)))
            elif isinstance(rule, dict):
                checks.append(_field(key, self._node(rule, depth + 1)))
            elif isinstance(rule, list):
                checks.append(_field(key, self._leaf(key, rule)))
            else:
                raise _invalid()  # leaf values must be arrays
        return _all_of(tuple(checks))

    def _node(self, obj: dict[str, Any], depth: int) -> Predicate:
        """A matcher over any value found at this path (object, array, scalar or missing)."""
        match_object = self._object(obj, depth)
        when_absent = match_object(_EMPTY)  # constant: how the pattern fares with no fields at all

        def node(value: Any) -> bool:
            if isinstance(value, dict):
                return match_object(value)
            if isinstance(value, list):
                seen = False
                for element in _object_elements(value):
                    seen = True
                    if match_object(element):
                        return True
                return False if seen else when_absent
            return when_absent

        return node

    # -- leaves --

    def _leaf(self, key: str, rules: list[Any]) -> Predicate:
        if not rules:
            raise _invalid()
        exact: set[Any] = set()
        predicates: list[Predicate] = []
        exists_true = exists_false = False
        numbers_from_strings = self.numeric_on_n_strings and key in _NUMBER_STRING_KEYS
        for rule in rules:
            if isinstance(rule, dict):
                if len(rule) != 1:
                    raise _invalid()
                ((operator, operand),) = rule.items()
                if operator == "exists":
                    if type(operand) is not bool:
                        raise _invalid()
                    if operand:
                        exists_true = True
                    else:
                        exists_false = True
                elif operator == "numeric":
                    predicates.append(_numeric(operand, numbers_from_strings))
                elif operator == "anything-but":
                    predicates.append(_anything_but(operand))
                else:
                    predicates.append(_string_operator(operator, operand))
            elif isinstance(rule, list) or (type(rule) is float and not math.isfinite(rule)):
                raise _invalid()
            else:
                exact.add(_exact_key(rule))
        return _leaf_matcher(frozenset(exact), tuple(predicates), exists_true, exists_false)


# --- matcher builders (closures; nothing here may raise on any record) -------------------------


def _field(key: str, match: Predicate) -> Predicate:
    def field(obj: dict[str, Any]) -> bool:
        return match(obj.get(key, _MISSING))

    return field


def _all_of(checks: tuple[Predicate, ...]) -> Predicate:
    if len(checks) == 1:
        return checks[0]

    def all_of(obj: dict[str, Any]) -> bool:
        for check in checks:
            if not check(obj):
                return False
        return True

    return all_of


def _any_of(alternatives: tuple[Predicate, ...]) -> Predicate:
    def any_of(obj: dict[str, Any]) -> bool:
        for alternative in alternatives:
            if alternative(obj):
                return True
        return False

    return any_of


def _object_elements(items: list[Any]) -> list[dict[str, Any]]:
    """The objects inside an array, nested arrays crushed out (EventBridge array matching)."""
    found: list[dict[str, Any]] = []
    stack = [items]
    while stack:
        for element in stack.pop():
            if isinstance(element, dict):
                found.append(element)
            elif isinstance(element, list):
                stack.append(element)
    return found


def _scalars(items: list[Any]) -> list[Any]:
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


def _leaf_matcher(exact: frozenset[Any], predicates: tuple[Predicate, ...],
                  exists_true: bool, exists_false: bool) -> Predicate:
    def leaf(value: Any) -> bool:
        if type(value) is str:  # the common case: a single string under S, N, eventName...
            if exists_true or value in exact:
                return True
            for predicate in predicates:
                if predicate(value):
                    return True
            return False
        if value is _MISSING or isinstance(value, dict):
            return exists_false
        values = _scalars(value) if isinstance(value, list) else (value,)
        if not values:
            return exists_false
        if exists_true:
            return True
        for item in values:
            if exact and _exact_key(item) in exact:
                return True
            for predicate in predicates:
                if predicate(item):
                    return True
        return False

    return leaf


def _string_operator(operator: str, operand: Any) -> Predicate:
    """prefix, suffix, equals-ignore-case, wildcard, cidr: they match string values only."""
    if operator == "prefix":
        if isinstance(operand, dict):
            text = _ignore_case_operand(operand)
            return lambda value: type(value) is str and value.lower().startswith(text)
        text = _string(operand)
        return lambda value: type(value) is str and value.startswith(text)
    if operator == "suffix":
        if isinstance(operand, dict):
            text = _ignore_case_operand(operand)
            return lambda value: type(value) is str and value.lower().endswith(text)
        text = _string(operand)
        return lambda value: type(value) is str and value.endswith(text)
    if operator == "equals-ignore-case":
        text = _string(operand).lower()
        return lambda value: type(value) is str and value.lower() == text
    if operator == "wildcard":
        fullmatch = _wildcard(_string(operand))
        return lambda value: type(value) is str and fullmatch(value) is not None
    if operator == "cidr":
        return _cidr(operand)
    raise _invalid()  # unknown operator


def _string(operand: Any) -> str:
    if type(operand) is not str:
        raise _invalid()
    return operand


def _ignore_case_operand(operand: dict[str, Any]) -> str:
    # {"prefix": {"equals-ignore-case": "x"}} and the same for suffix.
    if len(operand) != 1 or "equals-ignore-case" not in operand:
        raise _invalid()
    return _string(operand["equals-ignore-case"]).lower()


def _wildcard(pattern: str) -> Callable[[str], Any]:
    """EventBridge wildcard: ``*`` is any run of characters; ``\\*`` and ``\\\\`` are literals;
    two wildcards in a row and any other backslash escape are refused."""
    parts: list[str] = []
    literal: list[str] = []
    previous_was_star = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1] not in "*\\":
                raise _invalid()
            literal.append(pattern[i + 1])
            previous_was_star = False
            i += 2
            continue
        if char == "*":
            if previous_was_star:
                raise _invalid()
            parts.append(re.escape("".join(literal)))
            parts.append(".*")
            literal = []
            previous_was_star = True
        else:
            literal.append(char)
            previous_was_star = False
        i += 1
    parts.append(re.escape("".join(literal)))
    return re.compile("".join(parts), re.DOTALL).fullmatch


def _cidr(operand: Any) -> Predicate:
    try:
        network = ipaddress.ip_network(_string(operand), strict=False)
    except ValueError:
        raise _invalid() from None

    def in_network(value: Any) -> bool:
        if type(value) is not str:
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return in_network


_LOWER_BOUNDS = {">": False, ">=": True}  # operator -> inclusive
_UPPER_BOUNDS = {"<": False, "<=": True}


def _numeric(operand: Any, numbers_from_strings: bool) -> Predicate:
    """``["=", 5]``, ``[">", 0]`` or a range ``[">", 0, "<=", 5]`` (one lower, one upper bound)."""
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        raise _invalid()
    equals: int | float | None = None
    lower: tuple[int | float, bool] | None = None
    upper: tuple[int | float, bool] | None = None
    for i in range(0, len(operand), 2):
        operator, bound = operand[i], operand[i + 1]
        if type(operator) is not str or not _is_number(bound):
            raise _invalid()
        if operator == "=" and len(operand) == 2:
            equals = bound
        elif operator in _LOWER_BOUNDS and lower is None:
            lower = (bound, _LOWER_BOUNDS[operator])
        elif operator in _UPPER_BOUNDS and upper is None:
            upper = (bound, _UPPER_BOUNDS[operator])
        else:
            raise _invalid()
    if lower is not None and upper is not None and not lower[0] < upper[0]:
        raise _invalid()  # [choice] an empty range is refused rather than matching nothing

    def as_number(value: Any) -> int | float | None:
        kind = type(value)
        if kind is int or kind is float:
            return value  # type: ignore[no-any-return]
        if kind is str and numbers_from_strings and _NUMBER_STRING.fullmatch(value):
            return float(value)
        if kind is Decimal and value.is_finite():
            return float(value)
        return None

    def numeric(value: Any) -> bool:
        number = as_number(value)
        if number is None:
            return False
        if equals is not None:
            return number == equals
        if lower is not None:
            bound, inclusive = lower
            if not (number >= bound if inclusive else number > bound):
                return False
        if upper is not None:
            bound, inclusive = upper
            if not (number <= bound if inclusive else number < bound):
                return False
        return True

    return numeric


def _anything_but(operand: Any) -> Predicate:
    """Matches any present leaf value the inner rule would not match.

    ``"x"``, ``5``, ``["a", "b"]`` or ``[1, 2]`` (lists hold only strings or only numbers), or one of
    ``{"prefix": s}``, ``{"suffix": s}``, ``{"equals-ignore-case": s | [s, ...]}``,
    ``{"wildcard": s | [s, ...]}``.  A value of another type (a number against a prefix) is
    "anything but" and matches.
    """
    if type(operand) is str or _is_number(operand):
        excluded = frozenset({_exact_key(operand)})
        return lambda value: _exact_key(value) not in excluded
    if isinstance(operand, list):
        if not operand or not (
            all(type(item) is str for item in operand) or all(_is_number(item) for item in operand)
        ):
            raise _invalid()
        excluded = frozenset(_exact_key(item) for item in operand)
        return lambda value: _exact_key(value) not in excluded
    if isinstance(operand, dict) and len(operand) == 1:
        ((operator, inner),) = operand.items()
        if operator in ("prefix", "suffix"):
            positive = _string_operator(operator, _string(inner))
        elif operator in ("equals-ignore-case", "wildcard"):
            items = inner if isinstance(inner, list) else [inner]
            if not items:
                raise _invalid()
            positives = tuple(_string_operator(operator, item) for item in items)

            def positive(value: Any) -> bool:
                return any(match(value) for match in positives)
        else:
            raise _invalid()
        return lambda value: not positive(value)
    raise _invalid()

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
The combinators are ``riverbed.filtering``'s, shared with SNS filter policies; this
module holds Lambda's dialect of them (the switches below) and the FilterCriteria shape.

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

import json
from dataclasses import replace
from typing import Any

from riverbed.errors import InvalidParameterValueException
from riverbed.filtering import Dialect, Predicate, compile_pattern, key_by_text

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

# EventBridge's pattern rules as Lambda applies them: every operator, numbers compared by their text,
# "$or" only when shaped like one, one lower and one upper numeric bound, {} refused, and the DynamoDB
# data key holding an object.  Every refusal answers the one recorded text.
LAMBDA_DIALECT = Dialect(
    name="lambda",
    error=InvalidParameterValueException,
    default_message=INVALID_PATTERN_MESSAGE,
    exact_key=key_by_text,
    max_levels=MAX_PATTERN_DEPTH,
    object_keys=frozenset({"dynamodb"}),
)


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
    dialect = replace(LAMBDA_DIALECT, numeric_string_keys=_NUMBER_STRING_KEYS) if numeric_on_n_strings \
        else LAMBDA_DIALECT
    matchers: list[Predicate] = []
    texts: list[str] = []
    for item in filters:
        pattern_text = item.get("Pattern") if isinstance(item, dict) else None
        if not isinstance(pattern_text, str):
            raise _invalid()
        matchers.append(compile_pattern(_parse_pattern(pattern_text), dialect))
        texts.append(pattern_text)
    return RecordFilter(tuple(matchers), tuple(texts))


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

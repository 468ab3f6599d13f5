"""The shared pattern core: properties that hold in every dialect, and the dialect switches."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riverbed.filtering import Dialect, compile_pattern, key_by_value


class Refused(ValueError):
    pass


EVENTBRIDGE = Dialect(name="eventbridge", error=Refused, default_message="refused")
BY_VALUE = replace(EVENTBRIDGE, exact_key=key_by_value)
DIALECTS = [EVENTBRIDGE, BY_VALUE]

texts = st.text(alphabet="abcXYZ-_ é", max_size=8)
numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
scalars = st.one_of(texts, numbers, st.booleans(), st.none())


def matches(pattern: dict[str, Any], document: Any, dialect: Dialect = EVENTBRIDGE) -> bool:
    return compile_pattern(pattern, dialect)(document)


# --- properties ---------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(DIALECTS), scalars, scalars)
def test_exact_value_matches_itself_and_only_equal_values(dialect: Dialect, wanted: Any, other: Any) -> None:
    pattern = {"k": [wanted]}
    assert matches(pattern, {"k": wanted}, dialect)
    assert matches(pattern, {"k": other}, dialect) is (dialect.exact_key(other) == dialect.exact_key(wanted))
    assert not matches(pattern, {"other": wanted}, dialect)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(DIALECTS), st.one_of(st.lists(texts, min_size=1, max_size=4),
                                             st.lists(numbers, min_size=1, max_size=4)), scalars)
def test_anything_but_is_the_negation_of_its_list(dialect: Dialect, excluded: list[Any], value: Any) -> None:
    positive = matches({"k": excluded}, {"k": value}, dialect)
    negative = matches({"k": [{"anything-but": excluded}]}, {"k": value}, dialect)
    assert negative is not positive
    assert not matches({"k": [{"anything-but": excluded}]}, {}, dialect)  # absent is not "anything"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DIALECTS), numbers, numbers, numbers,
       st.sampled_from([(">", ">="), ("<", "<=")]), st.booleans(), st.booleans())
def test_numeric_range(dialect: Dialect, a: float, b: float, x: float, _: Any,
                       lower_inclusive: bool, upper_inclusive: bool) -> None:
    lo, hi = min(a, b), max(a, b)
    if lo == hi:
        hi = lo + 1
    lower_op = ">=" if lower_inclusive else ">"
    upper_op = "<=" if upper_inclusive else "<"
    pattern = {"k": [{"numeric": [lower_op, lo, upper_op, hi]}]}
    above = x >= lo if lower_inclusive else x > lo
    below = x <= hi if upper_inclusive else x < hi
    assert matches(pattern, {"k": x}, dialect) is (above and below)
    assert matches({"k": [{"numeric": ["=", x]}]}, {"k": x}, dialect)
    assert not matches(pattern, {"k": str(x)}, dialect)  # a string is not a number


@settings(max_examples=200, deadline=None)
@given(texts, texts, st.booleans())
def test_prefix_and_suffix(head: str, tail: str, ignore_case: bool) -> None:
    word = head + tail
    shown = word.upper() if ignore_case else word
    prefix: Any = {"equals-ignore-case": head} if ignore_case else head
    suffix: Any = {"equals-ignore-case": tail} if ignore_case else tail
    assert matches({"k": [{"prefix": prefix}]}, {"k": shown})
    assert matches({"k": [{"suffix": suffix}]}, {"k": shown})
    assert not matches({"k": [{"prefix": head}]}, {"k": 5})


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("abc"), scalars, max_size=3), scalars, scalars)
def test_or_is_the_union_of_its_alternatives(document: dict[str, Any], first: Any, second: Any) -> None:
    one, two = {"a": [first]}, {"b": [second]}
    assert matches({"$or": [one, two]}, document) is (matches(one, document) or matches(two, document))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("abc"), st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=3))
def test_exists_true_and_false_are_complements(document: dict[str, Any]) -> None:
    for key in "abc":
        present = matches({key: [{"exists": True}]}, document)
        assert present is not matches({key: [{"exists": False}]}, document)


@settings(max_examples=200, deadline=None)
@given(st.lists(scalars, min_size=1, max_size=5), st.data())
def test_array_matches_when_any_element_does(values: list[Any], data: st.DataObject) -> None:
    wanted = data.draw(st.sampled_from(values))
    assert matches({"k": [wanted]}, {"k": values})
    assert matches({"k": [wanted]}, {"k": [values]})  # nested arrays are crushed out


# --- dialect switches ---------------------------------------------------------------------------------


def test_numbers_by_text_or_by_value() -> None:
    assert not matches({"k": [300]}, {"k": 300.0}, EVENTBRIDGE)
    assert matches({"k": [300]}, {"k": 300.0}, BY_VALUE)
    assert not matches({"k": ["300"]}, {"k": 300}, BY_VALUE)  # a string never equals a number


def test_operators_a_dialect_does_not_accept_are_refused() -> None:
    narrow = replace(EVENTBRIDGE, operators=EVENTBRIDGE.operators - {"wildcard"},
                     messages={"unknown_operator": "no {operator}"})
    assert matches({"k": [{"wildcard": "a*"}]}, {"k": "ab"})
    with pytest.raises(Refused, match=r"^no wildcard$"):
        compile_pattern({"k": [{"wildcard": "a*"}]}, narrow)


def test_strict_or_and_eventbridge_or() -> None:
    # EventBridge: a "$or" that is not shaped like one is a field name.
    assert matches({"$or": ["x"]}, {"$or": "x"})
    strict = replace(EVENTBRIDGE, strict_or=True, messages={"bad_or": "bad or"})
    with pytest.raises(Refused, match="bad or"):
        compile_pattern({"$or": ["x"]}, strict)


def test_nested_objects_and_nulls_switch() -> None:
    flat = replace(EVENTBRIDGE, nested_objects=False, null_values=False,
                   messages={"bad_field_rule": "{key} flat", "bad_value": "no null"})
    assert matches({"a": {"b": ["x"]}}, {"a": {"b": "x"}})
    assert matches({"a": [None]}, {"a": None})
    with pytest.raises(Refused, match="a flat"):
        compile_pattern({"a": {"b": ["x"]}}, flat)
    with pytest.raises(Refused, match="no null"):
        compile_pattern({"a": [None]}, flat)


def test_limits() -> None:
    deep: Any = ["x"]
    for _ in range(3):
        deep = {"a": deep}
    compile_pattern(deep, replace(EVENTBRIDGE, max_levels=3))
    with pytest.raises(Refused):
        compile_pattern(deep, replace(EVENTBRIDGE, max_levels=2))
    counted = replace(EVENTBRIDGE, max_combinations=4, messages={"too_complex": "{count} > {limit}"})
    compile_pattern({"a": [1, 2], "b": [1, 2]}, counted)
    with pytest.raises(Refused, match=r"^6 > 4$"):
        compile_pattern({"a": [1, 2, 3], "b": [1, 2]}, counted)


def test_numeric_ranges_strict_or_loose() -> None:
    two_lowers = {"k": [{"numeric": [">", 0, ">", 5]}]}
    with pytest.raises(Refused, match=r"^refused$"):  # no text of its own for numeric_range: the default
        compile_pattern({"k": [{"numeric": [">", 5, "<", 1]}]}, EVENTBRIDGE)
    with pytest.raises(Refused):
        compile_pattern(two_lowers, EVENTBRIDGE)
    loose = replace(EVENTBRIDGE, numeric_strict_ranges=False)
    assert matches(two_lowers, {"k": 6}, loose) and not matches(two_lowers, {"k": 3}, loose)


def test_anything_but_pattern_on_other_types() -> None:
    assert matches({"k": [{"anything-but": {"prefix": "a"}}]}, {"k": 5})
    strings_only = replace(EVENTBRIDGE, anything_but_pattern_strings_only=True)
    assert not matches({"k": [{"anything-but": {"prefix": "a"}}]}, {"k": 5}, strings_only)
    assert matches({"k": [{"anything-but": {"prefix": "a"}}]}, {"k": "b"}, strings_only)


def test_numeric_string_keys() -> None:
    pattern = {"N": [{"numeric": [">", 1]}]}
    assert not matches(pattern, {"N": "5"})
    assert matches(pattern, {"N": "5"}, replace(EVENTBRIDGE, numeric_string_keys=frozenset({"N"})))


@settings(max_examples=200, deadline=None)
@given(st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.sampled_from("abk"), inner, max_size=3)),
                    max_leaves=10))
def test_matching_never_raises(document: Any) -> None:
    pattern = {"k": ["x", 1, None, {"prefix": "a"}, {"numeric": [">", 0]}, {"cidr": "10.0.0.0/8"},
                     {"anything-but": ["b"]}, {"wildcard": "*z"}, {"exists": False}],
               "a": {"b": [{"exists": True}]}}
    for dialect in DIALECTS:
        assert compile_pattern(pattern, dialect)(document) in (True, False)

"""Pattern compiler: validate one parsed pattern against a :class:`Dialect`, build its matcher.

Owns: the walk over a pattern (objects, ``$or``, leaf rule lists, operators and their operands), the
order in which refusals are found, and the limits (levels, combinations).  Each refusal is raised as
``dialect.fail(reason, ...)``; the reasons are the keys a dialect may give texts for:

``nested_too_deeply``, ``empty_object``, ``bad_field_rule`` (key), ``empty_array`` (key), ``bad_or``,
``object_key`` (key), ``one_key``, ``exists_operand``, ``bad_value``, ``string_operand`` (operator),
``unknown_operator`` (operator), ``ignore_case_operand``, ``wildcard``, ``cidr`` (operand),
``numeric_shape``, ``numeric_operator`` (operator), ``numeric_range``, ``anything_but_pattern``,
``anything_but_list``, ``too_complex`` (count, limit).

Must not: parse JSON (callers own their parse errors), or raise while matching.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Hashable
from typing import Any

from riverbed.filtering import matchers
from riverbed.filtering.dialect import Dialect
from riverbed.filtering.matchers import Predicate

_LOWER_BOUNDS = frozenset({">", ">="})
_UPPER_BOUNDS = frozenset({"<", "<="})


def compile_pattern(pattern: dict[str, Any], dialect: Dialect) -> Predicate:
    """A matcher over any document value (an object is matched; see :func:`matchers.node`)."""
    compiler = _Compiler(dialect)
    if dialect.object_keys:
        compiler.check_object_keys(pattern)
    matcher = matchers.node(compiler.object(pattern, 1))
    limit = dialect.max_combinations
    if limit is not None and compiler.combinations > limit:
        raise dialect.fail("too_complex", count=compiler.combinations, limit=limit)
    return matcher


def _is_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


class _Compiler:
    """Turns one parsed pattern into nested closures."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.combinations = 1

    def fail(self, reason: str, **details: Any) -> Exception:
        return self.dialect.fail(reason, **details)

    # -- objects --

    def is_or(self, rule: Any) -> bool:
        if self.dialect.strict_or:
            if not isinstance(rule, list) or len(rule) < 2 or not all(isinstance(alt, dict) for alt in rule):
                raise self.fail("bad_or")
            return True
        # EventBridge treats "$or" as OR only for an array of two or more objects that use no operator
        # names as keys; otherwise "$or" is an ordinary field name.
        return (
            isinstance(rule, list)
            and len(rule) >= 2
            and all(isinstance(alt, dict) and not (self.dialect.operators & alt.keys()) for alt in rule)
        )

    def check_object_keys(self, pattern: dict[str, Any]) -> None:
        # e.g. Lambda: the rule for the DynamoDB data key must be an object (Lambda filtering page:
        # the data-property pattern must be valid JSON, otherwise the create/update fails).
        for key in self.dialect.object_keys:
            if key in pattern and not isinstance(pattern[key], dict):
                raise self.fail("object_key", key=key)
        if "$or" in pattern and self.is_or(pattern["$or"]):
            for alt in pattern["$or"]:
                self.check_object_keys(alt)

    def object(self, obj: dict[str, Any], level: int) -> Predicate:
        """A matcher over a dict value: every key of ``obj`` must match."""
        if level > self.dialect.max_levels:
            raise self.fail("nested_too_deeply")
        if not obj and not self.dialect.empty_objects:
            raise self.fail("empty_object")
        checks: list[Predicate] = []
        for key, rule in obj.items():
            if key == "$or" and self.is_or(rule):
                checks.append(matchers.any_of(tuple(self.object(alt, level + 1) for alt in rule)))
            elif isinstance(rule, dict):
                if not self.dialect.nested_objects:
                    raise self.fail("bad_field_rule", key=key)
                checks.append(matchers.field(key, matchers.node(self.object(rule, level + 1))))
            elif isinstance(rule, list):
                checks.append(matchers.field(key, self.leaf(key, rule)))
            else:
                raise self.fail("bad_field_rule", key=key)  # leaf values must be arrays
        return matchers.all_of(tuple(checks))

    # -- leaves --

    def leaf(self, key: str, rules: list[Any]) -> Predicate:
        if not rules:
            raise self.fail("empty_array", key=key)
        self.combinations *= len(rules)
        exact_key = self.dialect.exact_key
        exact: set[Hashable] = set()
        predicates: list[Predicate] = []
        exists_true = exists_false = False
        for rule in rules:
            if isinstance(rule, dict):
                if len(rule) != 1:
                    raise self.fail("one_key")
                ((operator, operand),) = rule.items()
                if operator not in self.dialect.operators:
                    raise self.fail("unknown_operator", operator=operator)
                if operator == "exists":
                    if type(operand) is not bool:
                        raise self.fail("exists_operand")
                    if operand:
                        exists_true = True
                    else:
                        exists_false = True
                elif operator == "numeric":
                    predicates.append(self.numeric(operand, key in self.dialect.numeric_string_keys))
                elif operator == "anything-but":
                    predicates.append(self.anything_but(operand))
                else:
                    predicates.append(self.value_operator(operator, operand))
            elif isinstance(rule, str) or type(rule) is bool or _is_number(rule) or (
                    rule is None and self.dialect.null_values):
                exact.add(exact_key(rule))
            else:
                raise self.fail("bad_value")
        return matchers.leaf(frozenset(exact), exact_key, tuple(predicates), exists_true, exists_false)

    def value_operator(self, operator: str, operand: Any) -> Predicate:
        """prefix, suffix, equals-ignore-case, wildcard, cidr: they match string values only."""
        if operator in ("prefix", "suffix"):
            build = matchers.prefix if operator == "prefix" else matchers.suffix
            if isinstance(operand, dict) and self.dialect.ignore_case_affixes:
                # {"prefix": {"equals-ignore-case": "x"}} and the same for suffix.
                if len(operand) != 1 or "equals-ignore-case" not in operand:
                    raise self.fail("ignore_case_operand")
                return build(self.string(operand["equals-ignore-case"], "equals-ignore-case"), True)
            return build(self.string(operand, operator))
        if operator == "equals-ignore-case":
            return matchers.equals_ignore_case(self.string(operand, operator))
        if operator == "wildcard":
            return matchers.wildcard(self.wildcard(self.string(operand, operator)))
        if operator == "cidr":
            try:
                network = ipaddress.ip_network(operand, strict=False) if type(operand) is str else None
            except ValueError:
                network = None
            if network is None:
                raise self.fail("cidr", operand=operand)
            return matchers.cidr(network)
        raise self.fail("unknown_operator", operator=operator)

    def string(self, operand: Any, operator: str) -> str:
        if type(operand) is not str:
            raise self.fail("string_operand", operator=operator)
        return operand

    def wildcard(self, pattern: str) -> Callable[[str], Any]:
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
                    raise self.fail("wildcard")
                literal.append(pattern[i + 1])
                previous_was_star = False
                i += 2
                continue
            if char == "*":
                if previous_was_star:
                    raise self.fail("wildcard")
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

    def numeric(self, operand: Any, numbers_from_strings: bool) -> Predicate:
        """``["=", 5]``, ``[">", 0]`` or two comparisons ``[">", 0, "<=", 5]``."""
        if not isinstance(operand, list) or len(operand) not in (2, 4):
            raise self.fail("numeric_shape")
        comparisons: list[tuple[str, int | float]] = []
        for i in range(0, len(operand), 2):
            op, bound = operand[i], operand[i + 1]
            if not isinstance(op, str) or op not in matchers.COMPARISONS or not _is_number(bound):
                raise self.fail("numeric_operator", operator=op)
            comparisons.append((op, bound))
        if self.dialect.numeric_strict_ranges:
            self.check_range(comparisons)
        return matchers.numeric(tuple(comparisons), numbers_from_strings)

    def check_range(self, comparisons: list[tuple[str, int | float]]) -> None:
        """One "=" alone, or at most one lower and one upper bound, the lower below the upper."""
        if len(comparisons) == 1:
            return
        ops = {op for op, _ in comparisons}
        lower = [bound for op, bound in comparisons if op in _LOWER_BOUNDS]
        upper = [bound for op, bound in comparisons if op in _UPPER_BOUNDS]
        if "=" in ops or len(lower) != 1 or len(upper) != 1:
            raise self.fail("numeric_range")
        if not lower[0] < upper[0]:
            raise self.fail("numeric_range")  # [choice] an empty range is refused rather than matching nothing

    def anything_but(self, operand: Any) -> Predicate:
        """Matches any present leaf value the inner rule would not match.

        A value or a list of values (strings or numbers), or one wrapped operator the dialect allows;
        ``{"equals-ignore-case" | "wildcard": s | [s, ...]}`` takes a list of alternatives."""
        dialect = self.dialect
        if isinstance(operand, dict):
            if len(operand) != 1 or next(iter(operand)) not in dialect.anything_but_operators:
                raise self.fail("anything_but_pattern")
            ((operator, inner),) = operand.items()
            if operator in ("prefix", "suffix"):
                build = matchers.prefix if operator == "prefix" else matchers.suffix
                positive = build(self.string(inner, operator))
            else:
                items = inner if isinstance(inner, list) else [inner]
                if not items:
                    raise self.fail("anything_but_pattern")
                positive = matchers.any_of(tuple(self.value_operator(operator, item) for item in items))
            return matchers.negate(positive, dialect.anything_but_pattern_strings_only)
        values = operand if isinstance(operand, list) else [operand]
        strings = sum(1 for value in values if type(value) is str)
        numbers = sum(1 for value in values if _is_number(value))
        if strings + numbers != len(values):
            raise self.fail("anything_but_list")
        if dialect.anything_but_homogeneous and (not values or (strings and numbers)):
            raise self.fail("anything_but_list")
        return matchers.none_of(frozenset(dialect.exact_key(value) for value in values), dialect.exact_key)

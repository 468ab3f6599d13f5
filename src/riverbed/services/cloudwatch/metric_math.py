"""Metric math for GetMetricData: arithmetic and the common functions over the queries' time series.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
Owns: parsing an expression (``m1 + m2``, ``SUM(METRICS())``, ``FILL(m1, 0)``, ``RATE(m1)``,
``IF(m1 > 10, m1, 0)`` ...) and evaluating it over named values: a scalar, a time series
(``{timestamp: value}``) or an array of time series.  Arithmetic between two series keeps the
timestamps both have; SUM/AVG/MIN/MAX over an array work per timestamp and over one series give a
scalar; FILL fills the period grid of the query's time range; RATE is the change per second between
consecutive points; IF and comparisons work per point (true is 1).

Must not: read data points (the operation hands the series in) or know about requests.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

Series = dict[float, float]
Value = Union[float, Series, list[Series]]  # noqa: UP007 - a runtime alias


class MathError(ValueError):
    """An expression that cannot be parsed or evaluated; the message says why."""


_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|('(?:[^'\\]|\\.)*'|\"[^\"]*\")"
                    r"|(>=|<=|==|!=|&&|\|\||[-+*/^(),<>!]))")


@dataclass
class Grid:
    """The period grid of the query: FILL fills these timestamps."""

    start: float
    end: float
    period: int

    def points(self) -> list[float]:
        first = math.ceil(self.start / self.period) * self.period
        return [float(t) for t in range(int(first), int(self.end), self.period)]


def tokenize(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise MathError(f"Unexpected character at position {pos}: {text[pos:pos + 10]!r}")
        out.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
    return out


class Evaluator:
    """Evaluates expressions; ``lookup(id)`` resolves a query id (a MetricStat's series or another expression)."""

    def __init__(self, lookup: Callable[[str], Value], metrics: Callable[[str], list[Series]], grid: Grid) -> None:
        self.lookup = lookup
        self.metrics = metrics
        self.grid = grid
        self.tokens: list[str] = []
        self.pos = 0

    def evaluate(self, expression: str) -> Value:
        self.tokens = tokenize(expression)
        self.pos = 0
        value = self.logical()
        if self.pos != len(self.tokens):
            raise MathError(f"Unexpected {self.tokens[self.pos]!r} in the expression.")
        return value

    # --- parsing, lowest precedence first ------------------------------------------------------------
    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise MathError(f"Expected {expected or 'more'} in the expression.")
        self.pos += 1
        return token

    def logical(self) -> Value:
        left = self.comparison()
        while self.peek() in ("&&", "||", "AND", "OR"):
            op = self.take()
            right = self.comparison()
            left = combine(left, right, (lambda a, b: float(bool(a) and bool(b))) if op in ("&&", "AND")
                           else (lambda a, b: float(bool(a) or bool(b))))
        return left

    def comparison(self) -> Value:
        left = self.additive()
        ops: dict[str, Callable[[float, float], float]] = {
            ">": lambda a, b: float(a > b), "<": lambda a, b: float(a < b), ">=": lambda a, b: float(a >= b),
            "<=": lambda a, b: float(a <= b), "==": lambda a, b: float(a == b), "!=": lambda a, b: float(a != b)}
        while self.peek() in ops:
            op = ops[self.take()]
            left = combine(left, self.additive(), op)
        return left

    def additive(self) -> Value:
        left = self.multiplicative()
        while self.peek() in ("+", "-"):
            op = self.take()
            right = self.multiplicative()
            left = combine(left, right, (lambda a, b: a + b) if op == "+" else (lambda a, b: a - b))
        return left

    def multiplicative(self) -> Value:
        left = self.power()
        while self.peek() in ("*", "/"):
            op = self.take()
            right = self.power()
            left = combine(left, right, (lambda a, b: a * b) if op == "*" else _divide)
        return left

    def power(self) -> Value:
        left = self.unary()
        if self.peek() == "^":
            self.take()
            left = combine(left, self.power(), lambda a, b: a ** b)
        return left

    def unary(self) -> Value:
        if self.peek() == "-":
            self.take()
            return combine(self.unary(), -1.0, lambda a, b: a * b)
        if self.peek() == "!":
            self.take()
            return combine(self.unary(), 0.0, lambda a, _: float(not a))
        return self.primary()

    def primary(self) -> Value:
        token = self.take()
        if token == "(":
            value = self.logical()
            self.take(")")
            return value
        if re.fullmatch(r"\d.*", token):
            return float(token)
        if token[0] in "'\"":
            raise MathError("A string is only allowed as an argument of METRICS() or FILL().")
        if self.peek() == "(":
            return self.call(token.upper())
        return self.lookup(token)

    def call(self, name: str) -> Value:
        self.take("(")
        args: list[Value | str] = []
        while self.peek() != ")":
            token = self.peek() or ""
            if token[:1] in ("'", '"'):
                args.append(self.take()[1:-1])
            elif name == "FILL" and token.upper() in ("REPEAT", "LINEAR") and args:
                args.append(self.take().upper())
            else:
                args.append(self.logical())
            if self.peek() == ",":
                self.take()
        self.take(")")
        return apply(name, args, self)


def _divide(a: float, b: float) -> float:
    return a / b if b else math.nan


def combine(left: Value, right: Value, op: Callable[[float, float], float]) -> Value:
    if isinstance(left, list):
        return [combine(s, right, op) for s in left]  # type: ignore[misc]
    if isinstance(right, list):
        return [combine(left, s, op) for s in right]  # type: ignore[misc]
    if isinstance(left, dict) and isinstance(right, dict):
        return {t: op(v, right[t]) for t, v in left.items() if t in right}
    if isinstance(left, dict):
        return {t: op(v, float(right)) for t, v in left.items()}  # type: ignore[arg-type]
    if isinstance(right, dict):
        return {t: op(float(left), v) for t, v in right.items()}
    return op(float(left), float(right))


_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum, "AVG": lambda v: sum(v) / len(v), "MAX": max, "MIN": min,
}


def apply(name: str, args: list[Value | str], ev: Evaluator) -> Value:
    if name == "METRICS":
        text = args[0] if args else ""
        return ev.metrics(str(text))
    if name in _AGGREGATES:
        if len(args) != 1 or isinstance(args[0], str):
            raise MathError(f"{name} takes one argument.")
        return _aggregate(_AGGREGATES[name], args[0])
    if name == "FILL":
        if len(args) != 2 or isinstance(args[0], str):
            raise MathError("FILL takes a time series and a value, REPEAT or LINEAR.")
        return _each(args[0], lambda s: _fill(s, args[1], ev.grid))
    if name == "RATE":
        return _each(_one(name, args), _rate)
    if name == "DIFF":
        return _each(_one(name, args), lambda s: _pairs(s, lambda t0, v0, t1, v1: v1 - v0))
    if name == "ABS":
        return combine(_one(name, args), 0.0, lambda a, _: abs(a))
    if name == "IF":
        if len(args) not in (2, 3) or any(isinstance(a, str) for a in args):
            raise MathError("IF takes a condition, a value if true and optionally a value if false.")
        cond, yes = args[0], args[1]
        no = args[2] if len(args) == 3 else None
        return _if(cond, yes, no)  # type: ignore[arg-type]
    raise MathError(f"riverbed does not evaluate the function {name} yet.")


def _one(name: str, args: list[Value | str]) -> Value:
    if len(args) != 1 or isinstance(args[0], str):
        raise MathError(f"{name} takes one argument.")
    return args[0]


def _each(value: Value, fn: Callable[[Series], Series]) -> Value:
    if isinstance(value, list):
        return [fn(s) for s in value]
    if isinstance(value, dict):
        return fn(value)
    raise MathError("This function needs a time series.")


def _aggregate(fn: Callable[[list[float]], float], value: Value) -> Value:
    if isinstance(value, list):
        stamps = sorted({t for s in value for t in s})
        return {t: fn([s[t] for s in value if t in s]) for t in stamps}
    if isinstance(value, dict):
        return fn(list(value.values())) if value else math.nan
    return value


def _fill(series: Series, how: Value | str, grid: Grid) -> Series:
    out: Series = {}
    points = sorted(series)
    for t in grid.points():
        if t in series:
            out[t] = series[t]
        elif how == "REPEAT":
            before = [p for p in points if p < t]
            if before:
                out[t] = series[before[-1]]
        elif how == "LINEAR":
            before = [p for p in points if p < t]
            after = [p for p in points if p > t]
            if before and after:
                t0, t1 = before[-1], after[0]
                out[t] = series[t0] + (series[t1] - series[t0]) * (t - t0) / (t1 - t0)
        elif isinstance(how, (int, float)):
            out[t] = float(how)
        else:
            raise MathError("FILL's second argument must be a number, REPEAT or LINEAR.")
    return out


def _pairs(series: Series, fn: Callable[[float, float, float, float], float]) -> Series:
    stamps = sorted(series)
    return {t1: fn(t0, series[t0], t1, series[t1]) for t0, t1 in itertools.pairwise(stamps)}


def _rate(series: Series) -> Series:
    return _pairs(series, lambda t0, v0, t1, v1: (v1 - v0) / (t1 - t0))


def _if(cond: Value, yes: Value, no: Value | None) -> Value:
    if not isinstance(cond, dict):
        chosen = yes if cond else no
        return chosen if chosen is not None else {}
    out: Series = {}
    for t, c in cond.items():
        pick = yes if c else no
        if pick is None:
            continue
        if isinstance(pick, dict):
            if t in pick:
                out[t] = pick[t]
        elif isinstance(pick, (int, float)):
            out[t] = float(pick)
    return out

"""Metric math: arithmetic, aggregates over METRICS(), FILL, RATE, IF."""

from __future__ import annotations

import pytest

from riverbed.services.cloudwatch.metric_math import Evaluator, Grid, MathError

SERIES = {"m1": {0.0: 1.0, 60.0: 2.0, 180.0: 4.0}, "m2": {0.0: 10.0, 60.0: 20.0, 120.0: 30.0}}


def run(expression, others=None):
    values = dict(SERIES, **(others or {}))

    def lookup(ident):
        if ident not in values:
            raise MathError(f"Unknown id {ident}.")
        return values[ident]

    return Evaluator(lookup, lambda text: [s for k, s in SERIES.items() if text in k], Grid(0, 240, 60)
                     ).evaluate(expression)


@pytest.mark.parametrize(("expression", "expected"), [
    ("m1 + m2", {0.0: 11.0, 60.0: 22.0}),
    ("m1 * 2 + 1", {0.0: 3.0, 60.0: 5.0, 180.0: 9.0}),
    ("(m2 - m1) / m1", {0.0: 9.0, 60.0: 9.0}),
    ("-m1", {0.0: -1.0, 60.0: -2.0, 180.0: -4.0}),
    ("SUM(METRICS())", {0.0: 11.0, 60.0: 22.0, 120.0: 30.0, 180.0: 4.0}),
    ("MAX(METRICS('m'))", {0.0: 10.0, 60.0: 20.0, 120.0: 30.0, 180.0: 4.0}),
    ("AVG(m1)", 7 / 3),
    ("FILL(m1, 0)", {0.0: 1.0, 60.0: 2.0, 120.0: 0.0, 180.0: 4.0}),
    ("FILL(m1, REPEAT)", {0.0: 1.0, 60.0: 2.0, 120.0: 2.0, 180.0: 4.0}),
    ("FILL(m1, LINEAR)", {0.0: 1.0, 60.0: 2.0, 120.0: 3.0, 180.0: 4.0}),
    ("RATE(m2)", {60.0: 10 / 60, 120.0: 10 / 60}),
    ("DIFF(m1)", {60.0: 1.0, 180.0: 2.0}),
    ("IF(m2 > 15, m2, 0)", {0.0: 0.0, 60.0: 20.0, 120.0: 30.0}),
    ("IF(m2 > 15, m2)", {60.0: 20.0, 120.0: 30.0}),
])
def test_expressions(expression, expected):
    got = run(expression)
    assert got == pytest.approx(expected)


@pytest.mark.parametrize("expression", ["m1 +", "m3 * 2", "NOPE(m1)", "m1 $ m2", "SUM(m1, m2)"])
def test_bad_expressions(expression):
    with pytest.raises(MathError):
        run(expression)

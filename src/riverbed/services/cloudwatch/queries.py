"""Metric data queries: the time series of a ``MetricDataQuery`` list (MetricStat queries and expressions).

Owns: turning a MetricStat query into its series of per-period statistics over the data points, and
resolving expression queries through ``metric_math`` (references to other queries evaluated lazily, each
once; cycles refused).  GetMetricData answers with these series; alarms on metric math
(PutMetricAlarm ``Metrics``) are evaluated on the series of their one query that returns data.

Must not: render wire shapes or read the store other than through :class:`Datapoints`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from riverbed.services.cloudwatch.datapoints import Datapoints, bucket, series_key, statistic
from riverbed.services.cloudwatch.metric_math import Evaluator, Grid, MathError, Series, Value


def metric_series(datapoints: Datapoints, q: dict[str, Any], start: float, end: float) -> Series:
    """A MetricStat query's statistic per period (periods aligned on the epoch) over ``[start, end)``."""
    stat = q["MetricStat"]
    metric = stat["Metric"]
    period = int(q.get("Period") or stat["Period"])
    key = series_key(metric["Namespace"], metric["MetricName"],
                     {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])})
    out: Series = {}
    for when, chunk in bucket(datapoints.samples(key, start, end, stat.get("Unit")), period).items():
        value = statistic(chunk, stat["Stat"])
        if value is not None:
            out[when] = value
    return out


def query_period(q: dict[str, Any], default: int) -> int:
    return int(q.get("Period") or (q["MetricStat"]["Period"] if q.get("MetricStat") else default))


def expressions(queries: list[dict[str, Any]], stats: dict[str, Series], start: float, end: float,
                period: int) -> Callable[[str], Series]:
    """A function answering an expression query's series (evaluated once, references resolved lazily).

    Raises :class:`MathError` for an expression that cannot be evaluated, or that gives several series."""
    by_id = {q["Id"]: q for q in queries}
    done: dict[str, Value] = {}
    active: set[str] = set()

    def lookup(ident: str) -> Value:
        if ident in stats:
            return stats[ident]
        if ident not in by_id:
            raise MathError(f"Unknown id {ident}.")
        if ident not in done:
            if ident in active:
                raise MathError(f"The expression of {ident} refers to itself.")
            active.add(ident)
            query = by_id[ident]
            grid = Grid(start, end, query_period(query, period))
            done[ident] = Evaluator(lookup, metrics, grid).evaluate(query["Expression"])
            active.discard(ident)
        return done[ident]

    def metrics(text: str) -> list[Series]:
        return [s for ident, s in stats.items() if text in ident]

    def series(ident: str) -> Series:
        value = lookup(ident)
        if isinstance(value, list):
            raise MathError("it returns several time series; riverbed answers one time series per query.")
        if isinstance(value, dict):
            return value
        grid = Grid(start, end, query_period(by_id[ident], period))
        return {t: value for t in grid.points()}

    return series


def evaluate_queries(datapoints: Datapoints, queries: list[dict[str, Any]], start: float, end: float
                     ) -> Callable[[str], Series]:
    """The series of each query of the list by Id (MetricStat queries read now, expressions on demand)."""
    stats = {q["Id"]: metric_series(datapoints, q, start, end) for q in queries if q.get("MetricStat")}
    periods = [query_period(q, 60) for q in queries if q.get("MetricStat")]
    evaluate = expressions(queries, stats, start, end, min(periods, default=60))
    return lambda ident: stats[ident] if ident in stats else evaluate(ident)

"""GetMetricData: several queries over data points in one call: MetricStat queries and metric math.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
Default labels follow AWS (cloudwatch snapshot ``test_label_generation``): the metric name, plus the
statistic when queries of the same metric differ in statistic, plus the period when they differ in
period.  An expression's default label is its Id; expressions are evaluated by ``metric_math``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from riverbed.services.cloudwatch.datapoints import bucket, series_key, statistic
from riverbed.services.cloudwatch.errors import invalid_next_token, validation
from riverbed.services.cloudwatch.metric_math import Evaluator, Grid, MathError, Series, Value
from riverbed.services.cloudwatch.operations.metric_queries import check_period, check_stat, time_range
from riverbed.services.cloudwatch.service import CloudWatchContext


def get_metric_data(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("NextToken"):
        raise invalid_next_token()    # riverbed answers every result in one page, so issues no tokens
    start, end = time_range(req)
    queries = req["MetricDataQueries"]
    ids = [q["Id"] for q in queries]
    if len(set(ids)) != len(ids):
        raise validation("The values for parameter Id in MetricDataQueries must be unique.")
    for q in queries:
        if bool(q.get("Expression")) == bool(q.get("MetricStat")):
            raise validation(f"Query {q['Id']!r} must have exactly one of MetricStat and Expression.")
        if q.get("MetricStat"):
            check_period(int(q["MetricStat"]["Period"]))
            check_stat(q["MetricStat"]["Stat"])
    stats = {q["Id"]: _series(ctx, q, start, end) for q in queries if q.get("MetricStat")}
    periods = [int(q.get("Period") or q["MetricStat"]["Period"]) for q in queries if q.get("MetricStat")]
    descending = req.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    labels = _labels(queries)
    evaluate = _expressions(queries, stats, start, end, min(periods, default=60))
    results = []
    for q in queries:
        if q.get("ReturnData") is False:
            continue
        series = stats[q["Id"]] if q.get("MetricStat") else evaluate(q["Id"])
        points = sorted(((t, v) for t, v in series.items() if not math.isnan(v)), reverse=descending)
        results.append({"Id": q["Id"], "Label": q.get("Label") or labels.get(q["Id"], q["Id"]),
                        "StatusCode": "Complete", "Timestamps": [t for t, _ in points],
                        "Values": [v for _, v in points]})
    return {"MetricDataResults": results, "Messages": []}


def _series(ctx: CloudWatchContext, q: dict[str, Any], start: float, end: float) -> Series:
    stat = q["MetricStat"]
    metric = stat["Metric"]
    period = int(q.get("Period") or stat["Period"])
    key = series_key(metric["Namespace"], metric["MetricName"],
                     {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])})
    out: Series = {}
    for when, chunk in bucket(ctx.backend.datapoints.samples(key, start, end, stat.get("Unit")), period).items():
        value = statistic(chunk, stat["Stat"])
        if value is not None:
            out[when] = value
    return out


def _expressions(queries: list[dict[str, Any]], stats: dict[str, Series], start: float, end: float,
                 period: int) -> Callable[[str], Series]:
    """A function answering an expression query's series (evaluated once, references resolved lazily)."""
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
            grid = Grid(start, end, int(query.get("Period") or period))
            done[ident] = Evaluator(lookup, metrics, grid).evaluate(query["Expression"])
            active.discard(ident)
        return done[ident]

    def metrics(text: str) -> list[Series]:
        return [s for ident, s in stats.items() if text in ident]

    def series(ident: str) -> Series:
        try:
            value = lookup(ident)
        except MathError as exc:
            raise validation(f"Error in expression '{ident}': {exc}") from None
        if isinstance(value, list):
            raise validation(f"Error in expression '{ident}': it returns several time series; riverbed answers "
                             "one time series per query.")
        if isinstance(value, dict):
            return value
        grid = Grid(start, end, int(by_id[ident].get("Period") or period))
        return {t: value for t in grid.points()}

    return series


def _labels(queries: list[dict[str, Any]]) -> dict[str, str]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for q in queries:
        if not q.get("MetricStat"):
            continue
        m = q["MetricStat"]["Metric"]
        dims = tuple(sorted((d["Name"], d["Value"]) for d in m.get("Dimensions", [])))
        ident = (m["Namespace"], m["MetricName"], dims)
        groups.setdefault(ident, []).append(q)
    labels: dict[str, str] = {}
    for (_, name, _), members in groups.items():
        stats = {q["MetricStat"]["Stat"] for q in members}
        periods = {int(q["MetricStat"]["Period"]) for q in members}
        for q in members:
            parts = [name]
            if len(stats) > 1:
                parts.append(q["MetricStat"]["Stat"])
            if len(periods) > 1:
                parts.append(str(int(q["MetricStat"]["Period"])))
            labels[q["Id"]] = " ".join(parts)
    return labels

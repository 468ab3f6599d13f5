"""GetMetricData: several queries over data points in one call: MetricStat queries and metric math.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
Default labels follow AWS (cloudwatch snapshot ``test_label_generation``): the metric name, plus the
statistic when queries of the same metric differ in statistic, plus the period when they differ in
period.  An expression's default label is its Id; expressions are evaluated by ``queries``/``metric_math``.
"""

from __future__ import annotations

import math
from typing import Any

from riverbed.services.cloudwatch.errors import invalid_next_token, validation
from riverbed.services.cloudwatch.metric_math import MathError
from riverbed.services.cloudwatch.operations.metric_queries import check_period, check_stat, rounded_start, time_range
from riverbed.services.cloudwatch.queries import evaluate_queries
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
    periods = [int(q.get("Period") or q["MetricStat"]["Period"]) for q in queries if q.get("MetricStat")]
    start = rounded_start(start, min(periods, default=60), ctx.clock.now())
    descending = req.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    labels = _labels(queries)
    evaluate = evaluate_queries(ctx.backend.datapoints, queries, start, end)
    results = []
    for q in queries:
        if q.get("ReturnData") is False:
            continue
        try:
            series = evaluate(q["Id"])
        except MathError as exc:
            raise validation(f"Error in expression '{q['Id']}': {exc}") from None
        points = sorted(((t, v) for t, v in series.items() if not math.isnan(v)), reverse=descending)
        results.append({"Id": q["Id"], "Label": q.get("Label") or labels.get(q["Id"], q["Id"]),
                        "StatusCode": "Complete", "Timestamps": [t for t, _ in points],
                        "Values": [v for _, v in points]})
    return {"MetricDataResults": results, "Messages": []}


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

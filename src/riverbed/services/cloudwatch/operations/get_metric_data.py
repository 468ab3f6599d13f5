"""GetMetricData: several queries over data points in one call (MetricStat queries).

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
Default labels follow AWS (cloudwatch snapshot ``test_label_generation``): the metric name, plus the
statistic when queries of the same metric differ in statistic, plus the period when they differ in
period.  Metric math expressions are refused with a ValidationError rather than answered wrongly.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.cloudwatch.datapoints import bucket, series_key, statistic
from riverbed.services.cloudwatch.errors import invalid_next_token, validation
from riverbed.services.cloudwatch.operations.metric_queries import check_period, check_stat, time_range
from riverbed.services.cloudwatch.service import CloudWatchContext


def get_metric_data(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("NextToken"):
        raise invalid_next_token()    # riverbed answers every result in one page, so issues no tokens
    start, end = time_range(req)
    queries = req["MetricDataQueries"]
    ids = [q["Id"] for q in queries]
    for q in queries:
        if q.get("Expression"):
            raise validation(f"The expression of query {q['Id']!r}: riverbed does not evaluate metric math "
                             "expressions yet; use MetricStat queries.")
        if not q.get("MetricStat"):
            raise validation(f"Query {q['Id']!r} must have either MetricStat or Expression.")
        check_period(int(q["MetricStat"]["Period"]))
        check_stat(q["MetricStat"]["Stat"])
    if len(set(ids)) != len(ids):
        raise validation("The values for parameter Id in MetricDataQueries must be unique.")
    descending = req.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    labels = _labels(queries)
    results = []
    for q in queries:
        if q.get("ReturnData") is False:
            continue
        stat = q["MetricStat"]
        metric = stat["Metric"]
        period = int(q.get("Period") or stat["Period"])
        key = series_key(metric["Namespace"], metric["MetricName"],
                         {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])})
        points = sorted(bucket(ctx.backend.datapoints.samples(key, start, end, stat.get("Unit")), period).items(),
                        reverse=descending)
        values = [(when, statistic(chunk, stat["Stat"])) for when, chunk in points]
        results.append({"Id": q["Id"], "Label": q.get("Label") or labels[q["Id"]], "StatusCode": "Complete",
                        "Timestamps": [w for w, v in values if v is not None],
                        "Values": [v for _, v in values if v is not None]})
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

"""PutMetricData: users' own data points (a value, a statistic set, or values with counts).

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
Checks follow AWS's texts (cloudwatch snapshot ``test_put_metric_data_validation``); the
``MetricData.member.N`` names are the query protocol's, which AWS uses in every protocol.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.cloudwatch.datapoints import HIGH, STANDARD, Sample, series_key
from riverbed.services.cloudwatch.errors import invalid_combination, invalid_value
from riverbed.services.cloudwatch.service import CloudWatchContext

# AWS accepts timestamps up to two weeks in the past and two hours in the future.
PAST_LIMIT = 14 * 86400
FUTURE_LIMIT = 2 * 3600


def put_metric_data(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    namespace = req["Namespace"]
    if namespace.startswith("AWS/"):
        raise invalid_value(f"The value {namespace} for parameter Namespace is invalid.")
    now = ctx.clock.now()
    samples = []
    for n, datum in enumerate(req.get("MetricData", []), start=1):
        samples.append((series_key(namespace, datum["MetricName"],
                                   {d["Name"]: d["Value"] for d in datum.get("Dimensions", [])}),
                        _sample(datum, f"MetricData.member.{n}", now), _resolution(datum, f"MetricData.member.{n}")))
    for key, sample, resolution in samples:
        ctx.backend.datapoints.add(key, sample, resolution)
    return {}


def _sample(datum: dict[str, Any], where: str, now: float) -> Sample:
    given = [k for k in ("Value", "StatisticValues", "Values") if datum.get(k) is not None]
    if "Value" in given and len(given) > 1:
        raise invalid_combination(f"The parameters {where}.Value and {where}.{given[1]} are mutually exclusive "
                                  "and you have specified both.")
    if "StatisticValues" in given and "Values" in given:
        raise invalid_combination(f"The parameters {where}.StatisticValues and {where}.Values are mutually "
                                  "exclusive and you have specified both.")
    timestamp = float(datum["Timestamp"]) if datum.get("Timestamp") is not None else now
    if timestamp < now - PAST_LIMIT or timestamp > now + FUTURE_LIMIT:
        raise invalid_value(f"The parameter {where}.Timestamp must specify a time no more than two weeks in the "
                            "past and no more than two hours in the future.")
    unit = datum.get("Unit") or "None"
    if "StatisticValues" in given:
        s = datum["StatisticValues"]
        return Sample(timestamp, float(s["SampleCount"]), float(s["Sum"]), float(s["Minimum"]),
                      float(s["Maximum"]), unit)
    if "Values" in given:
        values = [float(v) for v in datum["Values"]]
        counts = [float(c) for c in datum.get("Counts") or [1.0] * len(values)]
        if len(counts) != len(values):
            raise invalid_value(f"The parameters {where}.Values and {where}.Counts must be of the same size.")
        if not values:
            raise invalid_value(f"The parameter {where}.Values must not be empty.")
        return Sample(timestamp, sum(counts), sum(v * c for v, c in zip(values, counts, strict=True)),
                      min(values), max(values), unit, list(zip(values, counts, strict=True)))
    if "Value" not in given:
        raise invalid_combination(f"The parameters {where}.Value, {where}.StatisticValues or {where}.Values "
                                  "must be specified.")
    return Sample.single(timestamp, float(datum["Value"]), unit)


def _resolution(datum: dict[str, Any], where: str) -> int:
    """StorageResolution: 1 keeps the data point per second (high resolution), 60 (the default) per minute.
    AWS's text for anything else: https://github.com/boto/botocore/issues/1671"""
    resolution = datum.get("StorageResolution")
    if resolution is None or int(resolution) == STANDARD:
        return STANDARD
    if int(resolution) == HIGH:
        return HIGH
    raise invalid_value(f"The parameter {where}.StorageResolution must be a value in the set [ 1, 60 ].")

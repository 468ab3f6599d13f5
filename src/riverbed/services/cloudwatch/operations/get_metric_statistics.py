"""GetMetricStatistics: per-period statistics of one metric with exactly the given dimensions, by time.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.cloudwatch.datapoints import bucket, percentile_rank, series_key, statistic
from riverbed.services.cloudwatch.errors import invalid_combination, invalid_value
from riverbed.services.cloudwatch.operations.metric_queries import (
    check_datapoint_count,
    check_period,
    rounded_start,
    time_range,
)
from riverbed.services.cloudwatch.service import CloudWatchContext


def get_metric_statistics(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    stats = req.get("Statistics") or []
    extended = req.get("ExtendedStatistics") or []
    if not stats and not extended:
        raise invalid_combination("Must specify either Statistics or ExtendedStatistics")
    if stats and extended:
        raise invalid_combination("The parameters Statistics and ExtendedStatistics are mutually exclusive and "
                                  "you have specified both.")
    for stat in extended:
        if percentile_rank(stat) is None:
            raise invalid_value(f"The value {stat} for parameter ExtendedStatistics is not supported.")
    start, end = time_range(req)
    period = int(req["Period"])
    check_period(period)
    check_datapoint_count(start, end, period)
    start = rounded_start(start, period, ctx.clock.now())
    key = series_key(req["Namespace"], req["MetricName"], {d["Name"]: d["Value"] for d in req.get("Dimensions", [])})
    datapoints = []
    for when, chunk in sorted(bucket(ctx.backend.datapoints.samples(key, start, end, req.get("Unit")), period).items()):
        point: dict[str, Any] = {"Timestamp": when, "Unit": req.get("Unit") or chunk[0].unit}
        for stat in stats:
            point[stat] = statistic(chunk, stat)
        if extended:
            point["ExtendedStatistics"] = {stat: statistic(chunk, stat) for stat in extended}
        datapoints.append(point)
    return {"Label": req["MetricName"], "Datapoints": datapoints}

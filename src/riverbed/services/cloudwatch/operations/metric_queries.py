"""Shared by the read operations: time ranges, periods and statistic names as AWS checks them.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
"""

from __future__ import annotations

import math
from typing import Any

from riverbed.services.cloudwatch.datapoints import STATISTICS, percentile_rank
from riverbed.services.cloudwatch.errors import invalid_combination, invalid_value

MAX_DATAPOINTS = 1440


def time_range(req: dict[str, Any], start_name: str = "StartTime", end_name: str = "EndTime") -> tuple[float, float]:
    start, end = float(req[start_name]), float(req[end_name])
    if start >= end:
        raise invalid_value(f"The parameter {start_name} must be less than the parameter {end_name}.")
    return start, end


def rounded_start(start: float, period: int, now: float) -> float:
    """StartTime rounded down as CloudWatch rounds it, so the minute (or period) it falls in is answered whole.

    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html: less than
    15 days ago to the minute, 15 to 63 days to five minutes, older to the hour; API_GetMetricData: a period
    of 1 to 30 seconds rounds to a multiple of the period."""
    if period < 60:
        step = period
    else:
        age = now - start
        step = 60 if age < 15 * 86400 else 300 if age < 63 * 86400 else 3600
    return float(math.floor(start / step) * step)


def check_period(period: int) -> None:
    if period < 1 or (period >= 60 and period % 60) or (period < 60 and period not in (1, 5, 10, 20, 30)):
        raise invalid_value("The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.")


def check_stat(stat: str) -> None:
    if stat not in STATISTICS and percentile_rank(stat) is None:
        raise invalid_value(f"The value {stat} for parameter Stat is not supported.")


def check_datapoint_count(start: float, end: float, period: int) -> None:
    count = int((end - start + period - 1) // period)
    if count > MAX_DATAPOINTS:
        raise invalid_combination(
            f"You have requested up to {count} datapoints, which exceeds the limit of {MAX_DATAPOINTS}. You may "
            "reduce the datapoints requested by increasing Period, or decreasing the time range.")

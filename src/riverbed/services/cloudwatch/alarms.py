"""Metric alarms: their evaluation over data points and the texts AWS writes about state changes.

Owns: deciding an alarm's state from the most recent ``EvaluationPeriods`` periods of its metric
(``DatapointsToAlarm`` of them breaching puts it in ALARM; ``TreatMissingData`` decides what an empty
period counts as).  Periods are aligned on the epoch, as CloudWatch stores and aggregates data points
(whole minutes, or seconds for high resolution); the newest one is the period containing ``now`` --
riverbed does not wait for it to end, so data points just recorded count even on a clock that stands
still.  Also the ``StateReason`` / ``StateReasonData`` texts, the alarm-history record and the
notification JSON that SNS actions receive
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).

Must not: read or write the store, or publish anything (the service does, with what this returns).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from riverbed.services.cloudwatch.datapoints import Sample, statistic

INITIAL_REASON = "Unchecked: Initial alarm creation"
COMPARISONS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v, t: v >= t),
    "GreaterThanThreshold": ("greater than", lambda v, t: v > t),
    "LessThanThreshold": ("less than", lambda v, t: v < t),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda v, t: v <= t),
}
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)", "eu-central-1": "EU (Frankfurt)", "eu-north-1": "EU (Stockholm)",
    "ap-south-1": "Asia Pacific (Mumbai)", "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)", "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)", "ca-central-1": "Canada (Central)",
    "sa-east-1": "South America (Sao Paulo)",
}


@dataclass
class Verdict:
    """The state an evaluation arrived at, with its reason; None state: keep the current one."""

    state: str | None
    reason: str = ""
    reason_data: dict[str, Any] | None = None


def stat_name(alarm: dict[str, Any]) -> str:
    return alarm.get("Statistic") or alarm.get("ExtendedStatistic") or "Average"


def window(alarm: dict[str, Any], now: float) -> tuple[float, float]:
    """``(start, end)`` of the periods an evaluation at ``now`` looks at: the newest one contains ``now``."""
    period = int(alarm["Period"])
    end = math.floor(now / period) * period + period
    return end - int(alarm["EvaluationPeriods"]) * period, end


def evaluate(alarm: dict[str, Any], samples: list[Sample], now: float) -> Verdict:
    """The alarm's state over its ``EvaluationPeriods`` latest periods (newest first in the texts)."""
    period = int(alarm["Period"])
    stat = stat_name(alarm)
    _, window_end = window(alarm, now)
    values: list[tuple[float, float | None, float | None]] = []    # (period start, value, sample count)
    for i in range(int(alarm["EvaluationPeriods"])):
        start = window_end - (i + 1) * period
        chunk = [s for s in samples if start <= s.timestamp < start + period]
        values.append((start, statistic(chunk, stat), sum(s.count for s in chunk)))
    return decide(alarm, values, now, {"statistic": stat})


def evaluate_series(alarm: dict[str, Any], series: dict[float, float], now: float) -> Verdict:
    """A metric math alarm's state: the value of each period is its query's value at the period's start
    (the reason data then has no statistic and no sample counts, as AWS's for such alarms)."""
    period = int(alarm["Period"])
    _, window_end = window(alarm, now)
    values: list[tuple[float, float | None, float | None]] = []
    for i in range(int(alarm["EvaluationPeriods"])):
        start = window_end - (i + 1) * period
        value = series.get(start)
        values.append((start, None if value is None or math.isnan(value) else value, None))
    return decide(alarm, values, now, {})


def decide(alarm: dict[str, Any], values: list[tuple[float, float | None, float | None]], now: float,
           extra: dict[str, Any]) -> Verdict:
    """The verdict over the periods' values (newest first): ``(period start, value or None, sample count)``."""
    period = int(alarm["Period"])
    periods = len(values)
    needed = int(alarm.get("DatapointsToAlarm") or periods)
    treat = alarm.get("TreatMissingData") or "missing"
    op_text, compare = COMPARISONS[alarm["ComparisonOperator"]]
    threshold = float(alarm["Threshold"])
    window_start, _ = window(alarm, now)
    present = [(t, v, c) for t, v, c in values if v is not None]
    data: dict[str, Any] = {"version": "1.0", "queryDate": _iso_millis(now), "startDate": _iso_millis(window_start),
                            **extra, "period": period}
    data["recentDatapoints"] = [v for _, v, _ in reversed(present)]
    data["threshold"] = threshold
    data["evaluatedDatapoints"] = [_evaluated(t, v, c) for t, v, c in values]
    if alarm.get("Unit"):
        data["unit"] = alarm["Unit"]
    if not present:
        if treat == "ignore":
            return Verdict(None)
        if treat == "missing":
            missing = f"no datapoints were received for {periods} period{'s' if periods != 1 else ''}"
            return Verdict("INSUFFICIENT_DATA", f"Insufficient Data: {missing}.", data)
        counted = "Breaching" if treat == "breaching" else "NonBreaching"
        reason = (f"no datapoints were received for {periods} period{'s' if periods != 1 else ''} and {periods} "
                  f"missing datapoint{'s were' if periods != 1 else ' was'} treated as [{counted}].")
        state = "ALARM" if treat == "breaching" else "OK"
        return Verdict(state, f"Threshold Crossed: {reason}", data)
    breaching = sum(1 for _, v, _ in present if compare(v, threshold))
    if treat == "breaching":
        breaching += periods - len(present)
    state = "ALARM" if breaching >= needed else "OK"
    shown = [(t, v) for t, v, _ in present if compare(v, threshold) == (state == "ALARM")]
    return Verdict(state, _crossed_reason(state, shown, len(values), needed, op_text, threshold), data)


def _evaluated(start: float, value: float | None, count: float | None) -> dict[str, Any]:
    if value is None:
        return {"timestamp": _iso_millis(start)}
    if count is None:
        return {"timestamp": _iso_millis(start), "value": value}
    return {"timestamp": _iso_millis(start), "sampleCount": count, "value": value}


def _crossed_reason(state: str, shown: list[tuple[float, float]], evaluated: int, needed: int, op_text: str,
                    threshold: float) -> str:
    points = ", ".join(f"{_num(v)} ({_stamp(t)})" for t, v in shown)
    n = len(shown)
    verb = "was" if n == 1 else "were"
    relation = op_text if state == "ALARM" else f"not {op_text}"
    if evaluated == 1:
        return f"Threshold Crossed: 1 datapoint [{points}] was {relation} the threshold ({_num(threshold)})."
    transition = "OK -> ALARM" if state == "ALARM" else "ALARM -> OK"
    minimum = needed if state == "ALARM" else 1
    return (f"Threshold Crossed: {n} out of the last {evaluated} datapoints [{points}] {verb} {relation} the "
            f"threshold ({_num(threshold)}) (minimum {minimum} datapoint{'s' if minimum != 1 else ''} for "
            f"{transition} transition).")


def history_item(alarm: dict[str, Any], old: dict[str, Any], now: float) -> dict[str, Any]:
    """A ``StateUpdate`` history item for the transition from ``old`` to the alarm's current state."""
    new_state: dict[str, Any] = {"stateValue": alarm["StateValue"], "stateReason": alarm["StateReason"]}
    if alarm.get("StateReasonData"):
        new_state["stateReasonData"] = json.loads(alarm["StateReasonData"])
    data = {"version": "1.0", "oldState": {"stateValue": old["StateValue"], "stateReason": old["StateReason"]},
            "newState": new_state}
    return {"AlarmName": alarm["AlarmName"], "AlarmType": "MetricAlarm", "Timestamp": now,
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {old['StateValue']} to {alarm['StateValue']}",
            "HistoryData": json.dumps(data)}


def notification(alarm: dict[str, Any], old_state: str, account: str, region: str) -> tuple[str, str]:
    """The (subject, message) an SNS action receives for the alarm's latest state change."""
    dims = [{"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions", [])]
    common = {"EvaluationPeriods": alarm["EvaluationPeriods"],
              "ComparisonOperator": alarm["ComparisonOperator"], "Threshold": alarm["Threshold"],
              "TreatMissingData": alarm.get("TreatMissingData", ""),
              "EvaluateLowSampleCountPercentile": alarm.get("EvaluateLowSampleCountPercentile", "")}
    trigger: dict[str, Any]
    if alarm.get("Metrics"):
        # A metric math alarm's trigger names its queries instead of one metric.
        trigger = {"Period": alarm["_period"], **common, "Metrics": [_trigger_query(q) for q in alarm["Metrics"]]}
    else:
        trigger = {
            "MetricName": alarm.get("MetricName"), "Namespace": alarm.get("Namespace"),
            "StatisticType": "Statistic" if alarm.get("Statistic") else "ExtendedStatistic",
            "Statistic": alarm["Statistic"].upper() if alarm.get("Statistic") else None,
            "Unit": alarm.get("Unit"), "Dimensions": dims, "Period": alarm["Period"], **common}
    if alarm.get("ExtendedStatistic"):
        trigger["ExtendedStatistic"] = alarm["ExtendedStatistic"]
    if alarm.get("DatapointsToAlarm"):
        trigger["DatapointsToAlarm"] = alarm["DatapointsToAlarm"]
    region_name = REGION_NAMES.get(region, region)
    message = {
        "AlarmName": alarm["AlarmName"], "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": account,
        "AlarmConfigurationUpdatedTimestamp": _iso_notification(alarm["AlarmConfigurationUpdatedTimestamp"]),
        "NewStateValue": alarm["StateValue"], "NewStateReason": alarm["StateReason"],
        "StateChangeTime": _iso_notification(alarm["StateUpdatedTimestamp"]), "Region": region_name,
        "AlarmArn": alarm["AlarmArn"], "OldStateValue": old_state, "OKActions": alarm.get("OKActions", []),
        "AlarmActions": alarm.get("AlarmActions", []),
        "InsufficientDataActions": alarm.get("InsufficientDataActions", []), "Trigger": trigger,
    }
    subject = f'{alarm["StateValue"]}: "{alarm["AlarmName"]}" in {region_name}'
    return subject[:100], json.dumps(message)


def _trigger_query(q: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in q.items() if k != "MetricStat"}
    if q.get("MetricStat"):
        stat = dict(q["MetricStat"])
        metric = dict(stat["Metric"])
        metric["Dimensions"] = [{"value": d["Value"], "name": d["Name"]} for d in metric.get("Dimensions", [])]
        stat["Metric"] = metric
        out["MetricStat"] = stat
    return out


def _num(value: float) -> str:
    return repr(float(value))


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%d/%m/%y %H:%M:%S")


def _iso_millis(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}+0000"


def _iso_notification(ts: float) -> str:
    return _iso_millis(ts)

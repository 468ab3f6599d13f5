"""Metric alarms: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric, DeleteAlarms, SetAlarmState,
EnableAlarmActions and DisableAlarmActions.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
Shapes follow the cloudwatch snapshots (``test_describe_minimal_metric_alarm``, ``test_set_alarm``): a new
alarm starts in INSUFFICIENT_DATA with "Unchecked: Initial alarm creation"; an update keeps the state.
Alarms on metric math (``Metrics``) and anomaly-detection operators are refused, not half-served.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.cloudwatch import alarms
from riverbed.services.cloudwatch.errors import invalid_value, resource_not_found, validation
from riverbed.services.cloudwatch.operations.metric_queries import check_period
from riverbed.services.cloudwatch.operations.paging import page_start
from riverbed.services.cloudwatch.service import CloudWatchContext

CONFIG_MEMBERS = ("AlarmDescription", "OKActions", "AlarmActions", "InsufficientDataActions", "MetricName",
                  "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit", "EvaluationPeriods",
                  "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
                  "EvaluateLowSampleCountPercentile")


def put_metric_alarm(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("Metrics") or req.get("ThresholdMetricId"):
        raise validation("riverbed does not evaluate metric math or anomaly detection alarms yet; give "
                         "MetricName, Namespace and Statistic or ExtendedStatistic.")
    if req["ComparisonOperator"] not in alarms.COMPARISONS:
        raise validation(f"riverbed does not evaluate ComparisonOperator {req['ComparisonOperator']} yet.")
    for member in ("MetricName", "Namespace", "Period"):
        if req.get(member) is None:
            raise validation(f"{member} must be specified for an alarm on a single metric.")
    if bool(req.get("Statistic")) == bool(req.get("ExtendedStatistic")):
        raise invalid_value("Exactly one of Statistic and ExtendedStatistic must be specified.") \
            if req.get("Statistic") else validation("Statistic or ExtendedStatistic must be specified.")
    check_period(int(req["Period"]))
    if req.get("DatapointsToAlarm") and req["DatapointsToAlarm"] > req["EvaluationPeriods"]:
        raise validation("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    if req["Period"] * req["EvaluationPeriods"] > 86400 * 7:
        raise validation("The evaluation interval (Period * EvaluationPeriods) must not exceed one week.")
    svc = ctx.backend
    now = ctx.clock.now()
    name = req["AlarmName"]
    alarm = svc.get_alarm(ctx.account, ctx.region, name)
    if alarm is None:
        alarm = {"AlarmName": name, "AlarmArn": svc.alarm_arn(ctx.account, ctx.region, name),
                 "StateValue": "INSUFFICIENT_DATA", "StateReason": alarms.INITIAL_REASON,
                 "StateUpdatedTimestamp": now, "StateTransitionedTimestamp": now, "_tags": {}}
    for member in CONFIG_MEMBERS:
        alarm.pop(member, None)
    alarm.update({m: req[m] for m in CONFIG_MEMBERS if req.get(m) is not None})
    for member in ("OKActions", "AlarmActions", "InsufficientDataActions", "Dimensions"):
        alarm.setdefault(member, [])
    alarm["ActionsEnabled"] = req.get("ActionsEnabled", True)
    alarm["AlarmConfigurationUpdatedTimestamp"] = now
    alarm["_tags"].update({t["Key"]: t["Value"] for t in req.get("Tags", [])})
    svc.save_alarm(ctx.account, ctx.region, alarm)
    return {}


def describe_alarms(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("AlarmNames") and req.get("AlarmNamePrefix"):
        raise invalid_value("AlarmNames and AlarmNamePrefix are mutually exclusive.")
    types = req.get("AlarmTypes") or ["MetricAlarm"]
    found = []
    if "MetricAlarm" in types:
        for alarm in ctx.backend.list_alarms(ctx.account, ctx.region):
            if req.get("AlarmNames") and alarm["AlarmName"] not in req["AlarmNames"]:
                continue
            if req.get("AlarmNamePrefix") and not alarm["AlarmName"].startswith(req["AlarmNamePrefix"]):
                continue
            if req.get("StateValue") and alarm["StateValue"] != req["StateValue"]:
                continue
            if req.get("ActionPrefix") and not any(a.startswith(req["ActionPrefix"]) for a in
                                                   alarm["AlarmActions"] + alarm["OKActions"]
                                                   + alarm["InsufficientDataActions"]):
                continue
            found.append(public(alarm))
    page, token = _page(found, req)
    result: dict[str, Any] = {"MetricAlarms": page, "CompositeAlarms": []}
    if token:
        result["NextToken"] = token
    return result


def describe_alarms_for_metric(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    dims = sorted((d["Name"], d["Value"]) for d in req.get("Dimensions", []))
    found = []
    for alarm in ctx.backend.list_alarms(ctx.account, ctx.region):
        if alarm["Namespace"] != req["Namespace"] or alarm["MetricName"] != req["MetricName"]:
            continue
        if req.get("Dimensions") is not None and sorted((d["Name"], d["Value"]) for d in alarm["Dimensions"]) != dims:
            continue
        if any(req.get(m) is not None and alarm.get(m) != req[m]
               for m in ("Statistic", "ExtendedStatistic", "Period", "Unit")):
            continue
        found.append(public(alarm))
    return {"MetricAlarms": found}


def delete_alarms(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    names = req["AlarmNames"]
    missing = [n for n in names if svc.get_alarm(ctx.account, ctx.region, n) is None]
    if missing:
        raise resource_not_found()
    for name in names:
        svc.delete_alarm(ctx.account, ctx.region, name)
    return {}


def set_alarm_state(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    alarm = svc.get_alarm(ctx.account, ctx.region, req["AlarmName"])
    if alarm is None:
        raise resource_not_found()
    svc.change_state(ctx.account, ctx.region, alarm, req["StateValue"], req["StateReason"],
                     _reason_data(req.get("StateReasonData")))
    return {}


def enable_alarm_actions(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    _set_actions(ctx, req["AlarmNames"], True)
    return {}


def disable_alarm_actions(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    _set_actions(ctx, req["AlarmNames"], False)
    return {}


def _set_actions(ctx: CloudWatchContext, names: list[str], enabled: bool) -> None:
    svc = ctx.backend
    for name in names:
        alarm = svc.get_alarm(ctx.account, ctx.region, name)
        if alarm is not None:      # AWS ignores names it does not know
            alarm["ActionsEnabled"] = enabled
            svc.save_alarm(ctx.account, ctx.region, alarm)


def _reason_data(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    import json

    try:
        data = json.loads(text)
    except ValueError:
        raise invalid_value("Provided state reason data is invalid JSON.") from None
    if not isinstance(data, dict):
        raise invalid_value("Provided state reason data is invalid JSON.")
    return data


def public(alarm: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in alarm.items() if not k.startswith("_")}


def _page(found: list[dict[str, Any]], req: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    size = int(req.get("MaxRecords") or 50)
    start = page_start(req)
    end = start + size
    return found[start:end], (str(end) if end < len(found) else None)

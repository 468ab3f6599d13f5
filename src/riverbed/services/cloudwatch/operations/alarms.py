"""Metric alarms: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric, DeleteAlarms, SetAlarmState,
EnableAlarmActions and DisableAlarmActions.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
Shapes follow the cloudwatch snapshots (``test_describe_minimal_metric_alarm``, ``test_set_alarm``): a new
alarm starts in INSUFFICIENT_DATA with "Unchecked: Initial alarm creation"; an update keeps the state.
Alarms on metric math (``Metrics``, a MetricDataQuery list of which exactly one returns data) are
evaluated on that query's series (``queries``); anomaly-detection alarms are refused, not half-served.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.cloudwatch import alarms
from riverbed.services.cloudwatch.errors import invalid_value, resource_not_found, validation
from riverbed.services.cloudwatch.metric_math import MathError, Series
from riverbed.services.cloudwatch.operations.metric_queries import check_period, check_stat
from riverbed.services.cloudwatch.operations.paging import page_start
from riverbed.services.cloudwatch.queries import expressions, query_period
from riverbed.services.cloudwatch.service import CloudWatchContext

CONFIG_MEMBERS = ("AlarmDescription", "OKActions", "AlarmActions", "InsufficientDataActions", "MetricName",
                  "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit", "EvaluationPeriods",
                  "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
                  "EvaluateLowSampleCountPercentile", "Metrics")


def put_metric_alarm(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("ThresholdMetricId"):
        raise validation("riverbed does not evaluate anomaly detection alarms (ThresholdMetricId) yet.")
    if req["ComparisonOperator"] not in alarms.COMPARISONS:
        raise validation(f"riverbed does not evaluate ComparisonOperator {req['ComparisonOperator']} yet.")
    if req.get("Metrics"):
        period = check_metrics(req)
    else:
        for member in ("MetricName", "Namespace", "Period"):
            if req.get(member) is None:
                raise validation(f"{member} must not be null")    # AWS's text (cfn-lint#771, terraform#11105)
        if bool(req.get("Statistic")) == bool(req.get("ExtendedStatistic")):
            raise invalid_value("Exactly one of Statistic and ExtendedStatistic must be specified.") \
                if req.get("Statistic") else validation("Statistic or ExtendedStatistic must be specified.")
        period = int(req["Period"])
        check_period(period)
    if req.get("DatapointsToAlarm") and req["DatapointsToAlarm"] > req["EvaluationPeriods"]:
        raise validation("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    if period * req["EvaluationPeriods"] > 86400 * 7:
        raise validation("The evaluation interval (Period * EvaluationPeriods) must not exceed one week.")
    svc = ctx.backend
    now = ctx.clock.now()
    name = req["AlarmName"]
    alarm = svc.get_alarm(ctx.account, ctx.region, name)
    if alarm is None:
        alarm = {"AlarmName": name, "AlarmArn": svc.alarm_arn(ctx.account, ctx.region, name),
                 "StateValue": "INSUFFICIENT_DATA", "StateReason": alarms.INITIAL_REASON,
                 "StateUpdatedTimestamp": now, "StateTransitionedTimestamp": now, "_tags": {}}
    for member in (*CONFIG_MEMBERS, "_period"):
        alarm.pop(member, None)
    alarm.update({m: req[m] for m in CONFIG_MEMBERS if req.get(m) is not None})
    if req.get("Metrics"):
        alarm["_period"] = period      # the returned query's period; AWS shows no Period on such an alarm
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


# What AWS answers when Metrics comes with a member of a single-metric alarm: "<member> should not be set if
# list of Metrics is set." (recorded for Statistic and Unit: troposphere#1276, cfn-lint#1306; the same text
# for the other members).
_SINGLE_METRIC_MEMBERS = ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit")


def check_metrics(req: dict[str, Any]) -> int:
    """Check a metric math alarm's ``Metrics`` as AWS does; the period the alarm is evaluated on."""
    for member in _SINGLE_METRIC_MEMBERS:
        if req.get(member) is not None and (member != "Dimensions" or req[member]):
            raise validation(f"{member} should not be set if list of Metrics is set.")
    queries = req["Metrics"]
    ids = [q["Id"] for q in queries]
    if len(set(ids)) != len(ids):
        raise validation("The values for parameter Id in Metrics must be unique.")
    for q in queries:
        if q.get("Expression") and q.get("MetricStat"):
            # AWS's text: boto3#3856
            raise validation("The parameters MetricDataQuery Expression and MetricStat are mutually exclusive and "
                             "you have specified both.")
        if not q.get("Expression") and not q.get("MetricStat"):
            raise validation("Exactly one of the parameters MetricDataQuery Expression and MetricStat must be "
                             "specified.")
        if q.get("MetricStat"):
            check_period(int(q["MetricStat"]["Period"]))
            check_stat(q["MetricStat"]["Stat"])
    returning = [q for q in queries if q.get("ReturnData", True)]
    if len(returning) != 1:
        # AWS's text: terraform-provider-aws#29894 (an omitted ReturnData counts as true, as in GetMetricData)
        raise validation("Exactly one element of the metrics list should return data.")
    stat_periods = [int(q.get("Period") or q["MetricStat"]["Period"]) for q in queries if q.get("MetricStat")]
    period = query_period(returning[0], min(stat_periods, default=60))
    check_period(period)
    # Evaluate the expressions once over no data: unknown ids, cycles and syntax errors are refused now.
    if returning[0].get("Expression"):
        stats: dict[str, Series] = {q["Id"]: {} for q in queries if q.get("MetricStat")}
        try:
            expressions(queries, stats, 0.0, float(period), period)(returning[0]["Id"])
        except MathError as exc:
            raise validation(f"Error in expression '{returning[0]['Id']}': {exc}") from None
    return period


def describe_alarms_for_metric(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    dims = sorted((d["Name"], d["Value"]) for d in req.get("Dimensions", []))
    found = []
    for alarm in ctx.backend.list_alarms(ctx.account, ctx.region):
        if alarm.get("Namespace") != req["Namespace"] or alarm.get("MetricName") != req["MetricName"]:
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

"""DescribeAlarmHistory: the state changes of the account's alarms, newest first by default.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html
riverbed records ``StateUpdate`` items; configuration updates and actions are not recorded yet, so a
filter on those types finds nothing.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.cloudwatch.operations.paging import page_start
from riverbed.services.cloudwatch.service import CloudWatchContext


def describe_alarm_history(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    items = ctx.backend.history(ctx.account, ctx.region)
    if req.get("AlarmName"):
        items = [i for i in items if i["AlarmName"] == req["AlarmName"]]
    if req.get("AlarmTypes"):
        items = [i for i in items if i["AlarmType"] in req["AlarmTypes"]]
    if req.get("HistoryItemType"):
        items = [i for i in items if i["HistoryItemType"] == req["HistoryItemType"]]
    if req.get("StartDate") is not None:
        items = [i for i in items if i["Timestamp"] >= float(req["StartDate"])]
    if req.get("EndDate") is not None:
        items = [i for i in items if i["Timestamp"] <= float(req["EndDate"])]
    items.sort(key=lambda i: i["Timestamp"], reverse=req.get("ScanBy", "TimestampDescending") == "TimestampDescending")
    size = int(req.get("MaxRecords") or 100)
    start = page_start(req)
    result: dict[str, Any] = {"AlarmHistoryItems": items[start:start + size]}
    if start + size < len(items):
        result["NextToken"] = str(start + size)
    return result

"""Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, PutRetentionPolicy, DeleteRetentionPolicy.

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
"""

from __future__ import annotations

import re
from typing import Any

from riverbed.services.logs.errors import group_exists, invalid
from riverbed.services.logs.operations.naming import page, public
from riverbed.services.logs.service import LogsContext

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)


def create_log_group(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    name = req["logGroupName"]
    if svc.get_group(ctx.account, ctx.region, name) is not None:
        raise group_exists()
    doc = svc.new_group(ctx.account, ctx.region, name, req.get("tags"))
    if req.get("logGroupClass"):
        doc["logGroupClass"] = req["logGroupClass"]
    svc.put_group(ctx.account, ctx.region, doc)
    return {}


def delete_log_group(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.require_group(ctx.account, ctx.region, req["logGroupName"])
    ctx.backend.delete_group(ctx.account, ctx.region, req["logGroupName"])
    return {}


def describe_log_groups(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    prefix = req.get("logGroupNamePrefix")
    pattern = req.get("logGroupNamePattern")
    if prefix and pattern:
        raise invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
    svc = ctx.backend
    groups = []
    for doc in svc.list_groups(ctx.account, ctx.region):
        name = doc["logGroupName"]
        if prefix and not name.startswith(prefix):
            continue
        if pattern and not re.search(re.escape(pattern), name, re.IGNORECASE):
            continue
        out = public(doc)
        out["storedBytes"] = sum(s.get("storedBytes", 0) for s in svc.list_streams(ctx.account, ctx.region, name))
        groups.append(out)
    found, token = page(groups, req, 50)
    result: dict[str, Any] = {"logGroups": found}
    if token:
        result["nextToken"] = token
    return result


def put_retention_policy(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    days = req["retentionInDays"]
    if days not in RETENTION_DAYS:
        raise invalid(f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
                      f"constraint: Member must satisfy enum value set: [{', '.join(map(str, RETENTION_DAYS))}]")
    svc = ctx.backend
    doc = svc.require_group(ctx.account, ctx.region, req["logGroupName"])
    doc["retentionInDays"] = days
    svc.put_group(ctx.account, ctx.region, doc)
    return {}


def delete_retention_policy(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    doc = svc.require_group(ctx.account, ctx.region, req["logGroupName"])
    doc.pop("retentionInDays", None)
    svc.put_group(ctx.account, ctx.region, doc)
    return {}

"""Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams.

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogStreams.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.logs.errors import invalid, stream_exists
from riverbed.services.logs.operations.naming import group_name, page
from riverbed.services.logs.service import LogsContext


def create_log_stream(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    group = req["logGroupName"]
    svc.require_group(ctx.account, ctx.region, group)
    if svc.get_stream(ctx.account, ctx.region, group, req["logStreamName"]) is not None:
        raise stream_exists()
    svc.put_stream(ctx.account, ctx.region, group, svc.new_stream(ctx.account, ctx.region, group,
                                                                  req["logStreamName"]))
    return {}


def delete_log_stream(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    svc.require_stream(ctx.account, ctx.region, req["logGroupName"], req["logStreamName"])
    svc.delete_stream(ctx.account, ctx.region, req["logGroupName"], req["logStreamName"])
    return {}


def describe_log_streams(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    group = group_name(req)
    svc.require_group(ctx.account, ctx.region, group)
    order = req.get("orderBy", "LogStreamName")
    prefix = req.get("logStreamNamePrefix")
    if prefix and order == "LastEventTime":
        raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
    streams = [s for s in svc.list_streams(ctx.account, ctx.region, group)
               if not prefix or s["logStreamName"].startswith(prefix)]
    if order == "LastEventTime":
        streams.sort(key=lambda s: s.get("lastEventTimestamp", 0), reverse=bool(req.get("descending")))
    else:
        streams.sort(key=lambda s: s["logStreamName"], reverse=bool(req.get("descending")))
    found, token = page(streams, req, 50)
    result: dict[str, Any] = {"logStreams": found}
    if token:
        result["nextToken"] = token
    return result

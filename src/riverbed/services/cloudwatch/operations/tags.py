"""TagResource, UntagResource and ListTagsForResource for metric alarms (by alarm ARN).

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_TagResource.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.cloudwatch.errors import resource_not_found
from riverbed.services.cloudwatch.service import CloudWatchContext


def _alarm(ctx: CloudWatchContext, arn: str) -> dict[str, Any]:
    prefix = ctx.backend.alarm_arn(ctx.account, ctx.region, "")
    alarm = ctx.backend.get_alarm(ctx.account, ctx.region, arn[len(prefix):]) if arn.startswith(prefix) else None
    if alarm is None:
        raise resource_not_found()
    return alarm


def tag_resource(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    alarm = _alarm(ctx, req["ResourceARN"])
    alarm.setdefault("_tags", {}).update({t["Key"]: t["Value"] for t in req["Tags"]})
    ctx.backend.save_alarm(ctx.account, ctx.region, alarm)
    return {}


def untag_resource(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    alarm = _alarm(ctx, req["ResourceARN"])
    for key in req["TagKeys"]:
        alarm.setdefault("_tags", {}).pop(key, None)
    ctx.backend.save_alarm(ctx.account, ctx.region, alarm)
    return {}


def list_tags_for_resource(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    alarm = _alarm(ctx, req["ResourceARN"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in alarm.get("_tags", {}).items()]}

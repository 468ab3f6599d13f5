"""Log group tags: TagResource, UntagResource, ListTagsForResource (by ARN) and the older
TagLogGroup, UntagLogGroup, ListTagsLogGroup (by name).

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagResource.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.logs.errors import group_not_found
from riverbed.services.logs.service import LogsContext


def _group_of_arn(ctx: LogsContext, arn: str) -> dict[str, Any]:
    prefix = ctx.backend.group_arn(ctx.account, ctx.region, "")
    if not arn.startswith(prefix):
        raise group_not_found()
    name = arn[len(prefix):]
    return ctx.backend.require_group(ctx.account, ctx.region, name[:-2] if name.endswith(":*") else name)


def _save(ctx: LogsContext, doc: dict[str, Any]) -> None:
    ctx.backend.put_group(ctx.account, ctx.region, doc)


def tag_resource(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = _group_of_arn(ctx, req["resourceArn"])
    doc.setdefault("_tags", {}).update(req["tags"])
    _save(ctx, doc)
    return {}


def untag_resource(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = _group_of_arn(ctx, req["resourceArn"])
    for key in req["tagKeys"]:
        doc.setdefault("_tags", {}).pop(key, None)
    _save(ctx, doc)
    return {}


def list_tags_for_resource(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"tags": dict(_group_of_arn(ctx, req["resourceArn"]).get("_tags", {}))}


def tag_log_group(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.require_group(ctx.account, ctx.region, req["logGroupName"])
    doc.setdefault("_tags", {}).update(req["tags"])
    _save(ctx, doc)
    return {}


def untag_log_group(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.require_group(ctx.account, ctx.region, req["logGroupName"])
    for key in req["tags"]:
        doc.setdefault("_tags", {}).pop(key, None)
    _save(ctx, doc)
    return {}


def list_tags_log_group(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"tags": dict(ctx.backend.require_group(ctx.account, ctx.region, req["logGroupName"]).get("_tags", {}))}

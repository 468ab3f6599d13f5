"""UpdateTimeToLive / DescribeTimeToLive (the sweeper lives in ``riverbed.services.dynamodb.ttl``).

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
"""

from __future__ import annotations

import copy
from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.service import DdbContext


def update_time_to_live(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    table = dyn.table(ctx, req["TableName"])
    spec = req["TimeToLiveSpecification"]
    enabled = bool(spec["Enabled"])
    name = spec["AttributeName"]
    current = table.doc.get("_ttl") or {}
    if enabled and current.get("Enabled"):
        raise ValidationException("TimeToLive is already enabled")
    if not enabled and not current.get("Enabled"):
        raise ValidationException("TimeToLive is already disabled")
    if not enabled and current.get("AttributeName") != name:
        raise ValidationException("TimeToLive is active on a different AttributeName: current AttributeName is "
                                  f"{current.get('AttributeName')}")
    doc = copy.deepcopy(table.doc)
    doc["_ttl"] = {"Enabled": enabled, "AttributeName": name}
    with ctx.store.transaction() as txn:
        dyn.catalog.save(txn, doc)
    return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": name}}


def describe_time_to_live(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table = ctx.backend.table(ctx, req["TableName"], describe=True)
    ttl = table.doc.get("_ttl")
    if not ttl:
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    status = "ENABLED" if ttl["Enabled"] else "DISABLED"
    desc: dict[str, Any] = {"TimeToLiveStatus": status}
    if ttl["Enabled"]:
        desc["AttributeName"] = ttl["AttributeName"]
    return {"TimeToLiveDescription": desc}

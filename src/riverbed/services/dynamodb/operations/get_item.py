"""GetItem. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html"""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import items
from riverbed.services.dynamodb.requests import RequestExpressions
from riverbed.services.dynamodb.service import DdbContext


def get_item(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    exprs = RequestExpressions(req, operation="GetItem")
    projection = exprs.projection()
    exprs.finish()
    table = ctx.backend.table(ctx, req["TableName"])
    hk, rk, _ = table.key_of_key(req.get("Key"))
    item = items.load(ctx.store, table, hk, rk)
    out: dict[str, Any] = {}
    if item is not None:
        out["Item"] = ex.project(item, projection) if projection is not None else item
    out.update(items.consumed(table, lambda: items.read_units(item, bool(req.get("ConsistentRead"))), req,
                                read=True))
    return out

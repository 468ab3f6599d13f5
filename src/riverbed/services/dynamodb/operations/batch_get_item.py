"""BatchGetItem: up to 100 keys over several tables.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import items
from riverbed.services.dynamodb.requests import RequestExpressions
from riverbed.services.dynamodb.service import DdbContext


def batch_get_item(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    request_items = req["RequestItems"]
    total = sum(len(v.get("Keys", [])) for v in request_items.values())
    if total > 100:
        raise ValidationException("Too many items requested for the BatchGetItem call")
    responses: dict[str, list[dict[str, Any]]] = {}
    capacity: dict[str, float] = {}
    for table_name, spec in request_items.items():
        exprs = RequestExpressions(spec, operation="GetItem")
        projection = exprs.projection()
        exprs.finish()
        table = dyn.table(ctx, table_name)
        seen: set[tuple[bytes, bytes]] = set()
        keys = []
        for key in spec["Keys"]:
            hk, rk, _ = table.key_of_key(key)
            if (hk, rk) in seen:
                raise ValidationException("Provided list of item keys contains duplicates")
            seen.add((hk, rk))
            keys.append((hk, rk))
        found = responses.setdefault(table_name, [])
        for hk, rk in keys:
            item = items.load(ctx.store, table, hk, rk)
            capacity[table_name] = capacity.get(table_name, 0.0) + items.read_units(item,
                                                                                    bool(spec.get("ConsistentRead")))
            if item is not None:
                found.append(ex.project(item, projection) if projection is not None else item)
    out: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": {}}
    if req.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES"):
        out["ConsumedCapacity"] = [{"TableName": n, "CapacityUnits": u} for n, u in capacity.items()]
    return out

"""DeleteItem. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html"""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import items
from riverbed.services.dynamodb.requests import RequestExpressions, check_return_values
from riverbed.services.dynamodb.service import DdbContext


def delete_item(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    return_values = check_return_values(req.get("ReturnValues"), ("NONE", "ALL_OLD"), "DeleteItem")
    exprs = RequestExpressions(req, operation="DeleteItem")
    condition = exprs.condition()
    exprs.finish()
    table = dyn.table(ctx, req["TableName"])
    hk, rk, key = table.key_of_key(req.get("Key"))
    with ctx.store.transaction() as txn:
        old = items.load(txn, table, hk, rk)
        if condition is not None and not ex.evaluate_condition(condition, old or {}):
            raise items.condition_failed(old, req.get("ReturnValuesOnConditionCheckFailure"))
        items.commit(txn, dyn.streams, table, hk, rk, key, old, None, region=ctx.region,
                     indexes=dyn.indexes)
    out: dict[str, Any] = {}
    if return_values == "ALL_OLD" and old is not None:
        out["Attributes"] = old
    out.update(items.consumed(table, lambda: items.write_units(old), req))
    return out

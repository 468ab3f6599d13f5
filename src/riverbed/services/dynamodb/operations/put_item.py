"""PutItem: replace an item, conditionally, recording the change on the table's stream.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import items, types
from riverbed.services.dynamodb.requests import RequestExpressions, check_return_values
from riverbed.services.dynamodb.service import DdbContext


def put_item(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    return_values = check_return_values(req.get("ReturnValues"), ("NONE", "ALL_OLD"), "PutItem")
    exprs = RequestExpressions(req, operation="PutItem")
    condition = exprs.condition()
    exprs.finish()
    table = dyn.table(ctx, req["TableName"])
    item = types.validate_item(req["Item"])
    hk, rk, key = table.key_of_item(item)
    size = items.check_size(item)
    with ctx.store.transaction() as txn:
        old = items.load(txn, table, hk, rk)
        if condition is not None and not ex.evaluate_condition(condition, old or {}):
            raise items.condition_failed(old, req.get("ReturnValuesOnConditionCheckFailure"))
        items.commit(txn, dyn.streams, table, hk, rk, key, old, item, region=ctx.region, indexes=dyn.indexes,
                     new_size=size)
    out: dict[str, Any] = {}
    if return_values == "ALL_OLD" and old is not None:
        out["Attributes"] = old
    out.update(items.consumed(table, lambda: items.write_units(old, new_size=size), req))
    return out

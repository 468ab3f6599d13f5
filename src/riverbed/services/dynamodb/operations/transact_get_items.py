"""TransactGetItems. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import items
from riverbed.services.dynamodb.requests import RequestExpressions
from riverbed.services.dynamodb.service import DdbContext


def transact_get_items(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    actions = req["TransactItems"]
    if len(actions) > 100:
        raise ValidationException("1 validation error detected: Value at 'transactItems' failed to satisfy "
                                  "constraint: Member must have length less than or equal to 100")
    plans = []
    for action in actions:
        get = action["Get"]
        exprs = RequestExpressions(get, operation="GetItem")
        projection = exprs.projection()
        exprs.finish()
        table = dyn.table(ctx, get["TableName"])
        hk, rk, _ = table.key_of_key(get.get("Key"))
        plans.append((table, hk, rk, projection))
    responses: list[dict[str, Any]] = []
    for table, hk, rk, projection in plans:
        item = items.load(ctx.store, table, hk, rk)
        if item is None:
            responses.append({})
        else:
            responses.append({"Item": ex.project(item, projection) if projection is not None else item})
    out: dict[str, Any] = {"Responses": responses}
    if req.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES"):
        out["ConsumedCapacity"] = [{"TableName": t.name, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}
                                   for t, *_ in plans]
    return out

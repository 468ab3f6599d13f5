"""UpdateItem: apply an update expression (or legacy AttributeUpdates) to one item, upserting.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import items
from riverbed.services.dynamodb.requests import RequestExpressions, check_return_values
from riverbed.services.dynamodb.service import DdbContext

RETURN_VALUES = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


def update_item(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    return_values = check_return_values(req.get("ReturnValues"), RETURN_VALUES, "UpdateItem")
    exprs = RequestExpressions(req, operation="UpdateItem")
    plan = exprs.update()
    condition = exprs.condition()
    exprs.finish()
    table = dyn.table(ctx, req["TableName"])
    hk, rk, key = table.key_of_key(req.get("Key"))
    with ctx.store.transaction() as txn:
        old = items.load(txn, table, hk, rk)
        if condition is not None and not ex.evaluate_condition(condition, old or {}):
            raise items.condition_failed(old, req.get("ReturnValuesOnConditionCheckFailure"))
        base = dict(old) if old is not None else dict(key)
        if plan is not None:
            new, touched = ex.apply_update(plan, base)
        else:
            new, touched = base, set()
        for name in table.key_names:
            if name in touched:
                raise ValidationException(
                    "One or more parameter values were invalid: Cannot update attribute "
                    f"{name}. This attribute is part of the key")
        items.commit(txn, dyn.streams, table, hk, rk, key, old, new, region=ctx.region, indexes=dyn.indexes)
    out: dict[str, Any] = {}
    if return_values == "ALL_OLD" and old is not None:
        out["Attributes"] = old
    elif return_values == "ALL_NEW":
        out["Attributes"] = new
    elif return_values in ("UPDATED_OLD", "UPDATED_NEW") and plan is not None:
        # Only the updated paths, as AWS returns them (``SET b.c = :x`` -> ``{b: {M: {c: ...}}}``).
        attrs = ex.updated_attributes(old, new, plan, return_values)
        if attrs:
            out["Attributes"] = attrs
    out.update(items.consumed(table, lambda: items.write_units(old, new), req))
    return out

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
    # Updating a key attribute is a validation error found from the expression alone, so AWS reports it
    # before anything that depends on the item (a failed condition, an operand of the wrong type).
    for name in table.key_names:
        if plan is not None and name in plan.top_level_names():
            raise ValidationException(
                "One or more parameter values were invalid: Cannot update attribute "
                f"{name}. This attribute is part of the key")
    # Actions that only take away (REMOVE, DELETE from a set, legacy DELETE) do not create a missing
    # item: nothing is written, no stream record, and ALL_NEW has no Attributes.  REMOVE of a nested
    # path on a missing item is ignored rather than an error (issue 16, from suites run against DynamoDB).
    removes_only = plan is not None and (plan.removes or plan.deletes) and not (plan.sets or plan.adds)
    new: dict[str, Any] | None
    with ctx.store.transaction() as txn:
        old = items.load(txn, table, hk, rk)
        if condition is not None and not ex.evaluate_condition(condition, old or {}):
            raise items.condition_failed(old, req.get("ReturnValuesOnConditionCheckFailure"))
        if old is None and removes_only:
            new = None
        else:
            base = dict(old) if old is not None else dict(key)
            new = ex.apply_update(plan, base)[0] if plan is not None else base
            items.commit(txn, dyn.streams, table, hk, rk, key, old, new, region=ctx.region, indexes=dyn.indexes)
    out: dict[str, Any] = {}
    if return_values == "ALL_OLD" and old is not None:
        out["Attributes"] = old
    elif return_values == "ALL_NEW" and new is not None:
        out["Attributes"] = new
    elif return_values in ("UPDATED_OLD", "UPDATED_NEW") and plan is not None and new is not None:
        # Only the updated paths, as AWS returns them (``SET b.c = :x`` -> ``{b: {M: {c: ...}}}``).
        attrs = ex.updated_attributes(old, new, plan, return_values)
        if attrs:
            out["Attributes"] = attrs
    out.update(items.consumed(table, lambda: items.write_units(old, new), req))
    return out

"""TransactWriteItems: all-or-nothing over up to 100 actions, with ClientRequestToken idempotency.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
Every applied Put/Update/Delete appends its own stream record in the one store
transaction; ConditionCheck actions produce none (spec/streams.md §5.2).  The ClientRequestToken is
remembered in that same transaction (``idempotency``).
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import (
    TransactionCanceledException,
    ValidationException,
)
from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import idempotency, items, types
from riverbed.services.dynamodb.requests import RequestExpressions
from riverbed.services.dynamodb.service import DdbContext
from riverbed.services.dynamodb.tables import KeyTypeMismatch
from riverbed.storage import StoreConflict

# CancellationReasons entry of an item another transaction holds (the API reference lists Code and Message:
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html, errors).
CONFLICT_REASON = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}


def transact_write_items(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    actions = req["TransactItems"]
    if len(actions) > 100:
        raise ValidationException("1 validation error detected: Value at 'transactItems' failed to satisfy "
                                  "constraint: Member must have length less than or equal to 100")
    token = idempotency.ClientToken.of(ctx.account, ctx.region, "TransactWriteItems",
                                       req.get("ClientRequestToken"), actions)
    earlier = idempotency.replay(ctx.store, token, ctx.clock.now())
    if earlier is not None:
        return earlier
    plans = [_plan(ctx, action) for action in actions]
    keys = set()
    for plan in plans:
        if plan["invalid"] is not None:
            continue
        ident = (plan["table"].tid, plan["hk"], plan["rk"])
        if ident in keys:
            raise ValidationException("Transaction request cannot include multiple operations on one item")
        keys.add(ident)
    result: dict[str, Any] = {}
    if req.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES"):
        per: dict[str, float] = {}
        for plan in plans:
            per[plan["table"].name] = per.get(plan["table"].name, 0.0) + 2.0
        result["ConsumedCapacity"] = [{"TableName": n, "CapacityUnits": u, "WriteCapacityUnits": u}
                                      for n, u in per.items()]
    at = [0]   # the action being worked on, named if the store reports a conflict with another transaction
    try:
        return _write(ctx, plans, token, result, at)
    except StoreConflict:
        # Two nodes' transactions on the same items deadlocked and the store aborted this one: AWS cancels a
        # TransactWriteItems that conflicts with a concurrent one (TransactionCanceledException).
        reasons = [CONFLICT_REASON if n == at[0] else {"Code": "None"} for n in range(len(plans))]
        codes = ", ".join(r["Code"] for r in reasons)
        raise TransactionCanceledException(
            f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
            extra={"CancellationReasons": reasons}) from None


def _write(ctx: DdbContext, plans: list[dict[str, Any]], token: Any, result: dict[str, Any], at: list[int],
           ) -> dict[str, Any]:
    dyn = ctx.backend
    reasons: list[dict[str, Any]] = []
    with ctx.store.transaction() as txn:
        olds = []
        for n, p in enumerate(plans):
            at[0] = n
            olds.append(None if p["invalid"] is not None else items.load(txn, p["table"], p["hk"], p["rk"]))
        failed = False
        for plan, old in zip(plans, olds, strict=True):
            cond = plan["condition"]
            if plan["invalid"] is not None:
                failed = True
                reasons.append({"Code": "ValidationError", "Message": plan["invalid"]})
            elif cond is not None and not ex.evaluate_condition(cond, old or {}):
                failed = True
                reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
                if plan["return_on_failure"] == "ALL_OLD" and old is not None:
                    reason["Item"] = old
                reasons.append(reason)
            else:
                reasons.append({"Code": "None"})
        if failed:
            codes = ", ".join(r["Code"] for r in reasons)
            raise TransactionCanceledException(
                f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                extra={"CancellationReasons": reasons})
        for n, (plan, old) in enumerate(zip(plans, olds, strict=True)):
            at[0] = n
            kind = plan["kind"]
            if kind == "ConditionCheck":
                continue
            if kind == "Put":
                new = plan["item"]
            elif kind == "Delete":
                new = None
            else:
                update = plan["update"]
                if old is None and (update.removes or update.deletes) and not (update.sets or update.adds):
                    continue  # only removals on a missing item: nothing is created (as UpdateItem)
                base = dict(old) if old is not None else dict(plan["key"])
                new, touched = ex.apply_update(update, base)
                for name in plan["table"].key_names:
                    if name in touched:
                        raise ValidationException("One or more parameter values were invalid: Cannot update "
                                                  f"attribute {name}. This attribute is part of the key")
            items.commit(txn, dyn.streams, plan["table"], plan["hk"], plan["rk"], plan["key"], old, new,
                         region=ctx.region, indexes=dyn.indexes)
        idempotency.remember(txn, token, result, ctx.clock.now())
    return result


def _plan(ctx: DdbContext, action: dict[str, Any]) -> dict[str, Any]:
    kinds = [k for k in ("ConditionCheck", "Put", "Delete", "Update") if k in action]
    if len(kinds) != 1:
        raise ValidationException("TransactItems can only contain one of Check, Put, Update or Delete")
    kind = kinds[0]
    body = action[kind]
    table = ctx.backend.table(ctx, body["TableName"])
    exprs = RequestExpressions(body, operation={"Put": "PutItem", "Delete": "DeleteItem", "Update": "UpdateItem",
                                                "ConditionCheck": "ConditionCheck"}[kind])
    update = exprs.update() if kind == "Update" else None
    condition = exprs.condition()
    if kind == "ConditionCheck" and condition is None:
        raise ValidationException("The ConditionCheck operation requires a ConditionExpression")
    exprs.finish()
    item = None
    invalid: str | None = None
    hk = rk = b""
    key: dict[str, Any] = {}
    try:
        if kind == "Put":
            item = types.validate_item(body["Item"])
            hk, rk, key = table.key_of_item(item)
            items.check_size(item)
        else:
            hk, rk, key = table.key_of_key(body.get("Key"))
    except KeyTypeMismatch as err:
        # A key of the wrong type cancels the transaction with a ValidationError reason at this position;
        # an empty key value or a missing key stays a top-level ValidationException (captured from AWS:
        # paritysuite/dynamodb-conformance tests/tier3/error-messages/transactWriteItems.test.ts).
        invalid = err.message
    return {"kind": kind, "table": table, "hk": hk, "rk": rk, "key": key, "item": item, "update": update,
            "condition": condition, "return_on_failure": body.get("ReturnValuesOnConditionCheckFailure"),
            "invalid": invalid}

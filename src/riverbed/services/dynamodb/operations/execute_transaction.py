"""ExecuteTransaction: up to 100 PartiQL statements, all reads or all writes, all-or-nothing.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html
Writes are planned first, then checked and applied in one store transaction: any failed check (an INSERT
whose item exists, an UPDATE of a missing item, a false WHERE condition, a false EXISTS(...)) cancels the
whole transaction with CancellationReasons, as TransactWriteItems does.  Applied writes each append their
stream record through ``items.commit``.  ClientRequestToken makes a write transaction idempotent
(``idempotency``; remembered in the same store transaction as the writes).
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import (
    ConditionalCheckFailedException,
    TransactionCanceledException,
    ValidationException,
)
from riverbed.services.dynamodb import idempotency, items
from riverbed.services.dynamodb.partiql import ast, executor
from riverbed.services.dynamodb.service import DdbContext


def execute_transaction(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    entries = req["TransactStatements"]
    token = idempotency.ClientToken.of(ctx.account, ctx.region, "ExecuteTransaction",
                                       req.get("ClientRequestToken"), entries)
    earlier = idempotency.replay(ctx.store, token, ctx.clock.now())
    if earlier is not None:
        return earlier
    prepared = [executor.prepare(e["Statement"], e.get("Parameters")) for e in entries]
    reads = [executor.is_read(stmt) for stmt, _ in prepared]
    if any(reads) and not all(reads):
        # AWS's wording for a mixed transaction is not verified; the rule is documented on the API page.
        raise ValidationException("The entire transaction must consist of either read statements or write "
                                  "statements, you cannot mix both in one transaction.")
    if all(reads):
        return {"Responses": [_read(ctx, stmt, params) for stmt, params in prepared]}
    with ctx.store.transaction() as txn:     # _write's transaction joins this one
        result = _write(ctx, entries, prepared)
        idempotency.remember(txn, token, result, ctx.clock.now())
    return result


def _read(ctx: DdbContext, stmt: Any, params: list[Any]) -> dict[str, Any]:
    if stmt.index is not None:
        raise ValidationException("Reads on indices are not supported within transactions.")
    try:
        item = executor.get_one(ctx, stmt, params)
    except ValidationException as exc:
        if exc.message.startswith("Where clause does not contain"):
            raise ValidationException("Select statements within ExecuteTransaction must specify the primary key "
                                      "in the where clause.") from None
        raise
    return {"Item": item} if item is not None else {}


def _write(ctx: DdbContext, entries: list[dict[str, Any]], prepared: list[tuple[ast.Statement, list[Any]]]
           ) -> dict[str, Any]:
    plans = [executor.plan_write(ctx, stmt, params) for stmt, params in prepared]
    seen = set()
    for plan in plans:
        ident = (plan.table.tid, plan.hk, plan.rk)
        if ident in seen:
            raise ValidationException("Transaction request cannot include multiple operations on one item")
        seen.add(ident)
    with ctx.store.transaction() as txn:
        olds = [items.load(txn, p.table, p.hk, p.rk) for p in plans]
        reasons: list[dict[str, Any]] = []
        for entry, plan, old in zip(entries, plans, olds, strict=True):
            failure = executor.check_write(plan, old)
            if failure is None:
                reasons.append({"Code": "None"})
            elif isinstance(failure, ConditionalCheckFailedException):
                reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
                if entry.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
                    reason["Item"] = old
                reasons.append(reason)
            else:
                reasons.append({"Code": "DuplicateItem", "Message": failure.message})
        if any(r["Code"] != "None" for r in reasons):
            codes = ", ".join(r["Code"] for r in reasons)
            raise TransactionCanceledException(
                f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                extra={"CancellationReasons": reasons})
        for plan, old in zip(plans, olds, strict=True):
            executor.apply_write(ctx, txn, plan, old)
    return {"Responses": []}

"""PutResourcePolicy / GetResourcePolicy / DeleteResourcePolicy on a table or its stream.

A policy is kept in its table's document, so DeleteTable deletes it; DescribeTable does not show it (the
TableDescription shape has no member for it). Riverbed applies a policy at once, where AWS takes seconds.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetResourcePolicy.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteResourcePolicy.html
"""

from __future__ import annotations

import copy
from typing import Any

from riverbed.services.dynamodb import resource_policies as rp
from riverbed.services.dynamodb.service import DdbContext
from riverbed.services.dynamodb.tables import Table


def _target(ctx: DdbContext, arn: str) -> tuple[Table, rp.Target]:
    target = rp.parse_target(arn, ctx.account, ctx.region)
    table = ctx.backend.catalog.require(ctx.account, ctx.region, target.table_name, describe=True)
    rp.check_target(table, target)
    return table, target


def _save(ctx: DdbContext, table: Table, arn: str, entry: dict[str, Any] | None) -> None:
    doc = copy.deepcopy(table.doc)
    policies = doc.setdefault("_policies", {})
    if entry is None:
        policies.pop(arn, None)
    else:
        policies[arn] = entry
    with ctx.store.transaction() as txn:
        ctx.backend.catalog.save(txn, doc)


def attach(ctx: DdbContext, table: Table, arn: str, text: str, *, expected: str | None = None,
           confirm: bool = False) -> str:
    """Validate and store ``text`` as the policy of ``arn``; its revision id (unchanged for the same document)."""
    existing = rp.current(table, arn)
    submitted = rp.check_document(text, arn, ctx.principal, confirm)
    rp.check_expected(table, existing, expected, arn)
    if existing is not None and existing.get("Submitted") == submitted:
        return str(existing["RevisionId"])      # the same document again: a no-op, same revision
    revision = rp.revision_id(ctx.clock.now(), existing["RevisionId"] if existing else None)
    _save(ctx, table, arn, {"Policy": rp.canonical(submitted, ctx.account), "RevisionId": revision,
                            "Submitted": submitted})
    return revision


def put_resource_policy(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table, target = _target(ctx, req["ResourceArn"])
    revision = attach(ctx, table, target.arn, req["Policy"], expected=req.get("ExpectedRevisionId"),
                      confirm=bool(req.get("ConfirmRemoveSelfResourceAccess")))
    return {"RevisionId": revision}


def get_resource_policy(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table, target = _target(ctx, req["ResourceArn"])
    existing = rp.current(table, target.arn)
    if existing is None:
        raise rp.PolicyNotFoundException(f"{rp.NOT_FOUND}{target.arn}")
    return {"Policy": existing["Policy"], "RevisionId": existing["RevisionId"]}


def delete_resource_policy(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table, target = _target(ctx, req["ResourceArn"])
    existing = rp.current(table, target.arn)
    rp.check_expected(table, existing, req.get("ExpectedRevisionId"), target.arn)
    if existing is None:
        # A resource without a policy: an idempotent 200 with an empty body (DDB-TABLE-205/211 summary).
        return {}
    _save(ctx, table, target.arn, None)
    return {"RevisionId": existing["RevisionId"]}     # the removed revision (DDB-TABLE-213)

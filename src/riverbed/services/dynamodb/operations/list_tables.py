"""ListTables: names in order, paged by Limit / ExclusiveStartTableName.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodb.service import DdbContext


def list_tables(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    limit = req.get("Limit") or 100
    start = req.get("ExclusiveStartTableName")
    names = sorted(t.name for t in ctx.backend.catalog.list(ctx.account, ctx.region))
    if start is not None:
        names = [n for n in names if n > start]
    page = names[:limit]
    out: dict[str, Any] = {"TableNames": page}
    if len(names) > limit:
        out["LastEvaluatedTableName"] = page[-1]
    return out

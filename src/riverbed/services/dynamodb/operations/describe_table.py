"""DescribeTable. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html"""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodb import globaltables
from riverbed.services.dynamodb.service import DdbContext
from riverbed.services.dynamodb.tables import describe


def describe_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table = ctx.backend.table(ctx, req["TableName"], describe=True)
    desc = describe(table, ctx.store)
    desc["WarmThroughput"] = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    globaltables.describe_into(desc, table, ctx.store)
    _key_access_into(ctx, desc)
    return {"Table": desc}


def _key_access_into(ctx: DdbContext, desc: dict[str, Any]) -> None:
    """A customer managed key that is disabled or pending deletion makes the table
    INACCESSIBLE_ENCRYPTION_CREDENTIALS, with SSEDescription.InaccessibleEncryptionDateTime (API_SSEDescription)."""
    sse = desc.get("SSEDescription") or {}
    key = ctx.backend.table_key(desc)
    since = ctx.backend.key_inaccessible_since(key) if key else None
    if since is not None:
        desc["TableStatus"] = "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
        desc["SSEDescription"] = dict(sse, InaccessibleEncryptionDateTime=since)

"""DescribeTable. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html"""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodb import globaltables, schema
from riverbed.services.dynamodb.service import DdbContext
from riverbed.services.dynamodb.tables import describe


def describe_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table = ctx.backend.table(ctx, req["TableName"], describe=True)
    desc = describe(table, ctx.store)
    billing = str((table.doc.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"))
    desc["WarmThroughput"] = schema.warm_description(table.doc.get("_warm"), desc.get("ProvisionedThroughput"),
                                                     billing)
    gsi_warm = table.doc.get("_gsi_warm") or {}
    for index in desc.get("GlobalSecondaryIndexes") or []:
        index["WarmThroughput"] = schema.warm_description(gsi_warm.get(index["IndexName"]),
                                                          index.get("ProvisionedThroughput"), billing)
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

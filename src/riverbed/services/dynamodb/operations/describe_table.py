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
    return {"Table": desc}

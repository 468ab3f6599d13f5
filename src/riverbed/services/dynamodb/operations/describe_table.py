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
    return {"Table": desc}

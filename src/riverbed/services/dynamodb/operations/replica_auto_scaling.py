"""DescribeTableReplicaAutoScaling and UpdateTableReplicaAutoScaling (global tables version 2019.11.21).

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTableReplicaAutoScaling.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTableReplicaAutoScaling.html

riverbed has no Application Auto Scaling: no table ever has auto scaling configured, so the description lists
each replica with its status (and its global secondary indexes with theirs) and no
``Replica*CapacityAutoScalingSettings`` members -- AWS's shape for replicas without auto scaling.  An update
that asks for auto scaling is refused, never accepted and ignored: on an on-demand table as AWS refuses it
(auto scaling manages provisioned capacity only), on a provisioned table because riverbed cannot do it.

Must not: change tables or replica groups (``globaltables.py`` and UpdateTable own those).
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ResourceNotFoundException, ValidationException
from riverbed.services.dynamodb import globaltables
from riverbed.services.dynamodb.service import DdbContext
from riverbed.services.dynamodb.tables import Table

# Both operations answer only for a 2019.11.21 global table: a regional table (never replicated, or whose last
# replica was removed) and a missing table alike get ResourceNotFoundException with this text -- DynamoDB as
# observed by the ack-api-quirks lab (findings DDB-TABLE-187 and DDB-TABLE-254, verified 2026-10-09).
NOT_GLOBAL = "Global table with name: '{name}' does not exist."
# Not verified against a recording: AWS refuses auto scaling on an on-demand table (its documentation: auto
# scaling applies to provisioned capacity); the exact wording of its ValidationException was not found.
ON_DEMAND = ("One or more parameter values were invalid: Auto scaling cannot be configured for a table with "
             "billing mode PAY_PER_REQUEST")
# riverbed's own words for a feature it does not offer.
UNSUPPORTED = ("One or more parameter values were invalid: riverbed does not support auto scaling; "
               "use BillingMode PAY_PER_REQUEST or fixed ProvisionedThroughput")


def describe_table_replica_auto_scaling(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table = _global_table(ctx, req["TableName"])
    return {"TableAutoScalingDescription": _describe(ctx, table)}


def update_table_replica_auto_scaling(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table = _global_table(ctx, req["TableName"])
    wants = (req.get("ProvisionedWriteCapacityAutoScalingUpdate") is not None
             or bool(req.get("GlobalSecondaryIndexUpdates")) or bool(req.get("ReplicaUpdates")))
    if wants:
        billing = table.doc.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
        raise ValidationException(ON_DEMAND if billing == "PAY_PER_REQUEST" else UNSUPPORTED)
    # Nothing asked for: nothing to ignore; the answer is the (unchanged) description.
    return {"TableAutoScalingDescription": _describe(ctx, table)}


def _global_table(ctx: DdbContext, name: str) -> Table:
    try:
        table = ctx.backend.table(ctx, name, describe=True)
    except ResourceNotFoundException:
        raise ResourceNotFoundException(NOT_GLOBAL.format(name=name.rsplit("/", 1)[-1])) from None
    if not table.doc.get("_global"):
        raise ResourceNotFoundException(NOT_GLOBAL.format(name=table.name))
    return table


def _describe(ctx: DdbContext, table: Table) -> dict[str, Any]:
    """TableName, TableStatus and every replica of the global table, the requesting region's one included.

    Not verified against a recording: whether AWS lists the requesting region among ``Replicas`` (the
    operation describes "auto scaling settings across replicas of the global table at once", so riverbed
    lists every member).
    """
    dyn = ctx.backend
    group = globaltables.load_group(ctx.store, table.account, table.name) if table.doc.get("_global") else None
    replicas = []
    for region, member in sorted((group or {}).get("replicas", {}).items()):
        entry: dict[str, Any] = {"RegionName": region, "ReplicaStatus": member["status"]}
        replica = table if region == table.region else dyn.catalog.get(table.account, region, table.name)
        indexes = (replica.doc if replica is not None else table.doc).get("GlobalSecondaryIndexes") or []
        if indexes:
            entry["GlobalSecondaryIndexes"] = [{"IndexName": i["IndexName"], "IndexStatus": i.get("IndexStatus",
                                                                                                  "ACTIVE")}
                                               for i in indexes]
        replicas.append(entry)
    return {"TableName": table.name, "TableStatus": table.doc.get("TableStatus", "ACTIVE"), "Replicas": replicas}

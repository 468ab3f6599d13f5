"""DeleteTable: drop the items; the table's stream stays readable until retention ends.

Deleting a global table's replica takes it out of its replica group (AWS: "you can delete a replica
table the same way as a regular table"); deletion protection applies first.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import backups, pitr
from riverbed.services.dynamodb.replication import drop_table
from riverbed.services.dynamodb.service import DdbContext
from riverbed.services.dynamodb.tables import describe


def delete_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    table = dyn.table(ctx, req["TableName"], describe=True)
    if table.doc.get("DeletionProtectionEnabled"):
        raise ValidationException("Resource cannot be deleted as it is currently protected against deletion. "
                                  "Disable deletion protection first.")
    desc = describe(table, ctx.store, status="DELETING")
    for key in ("AttributeDefinitions", "CreationDateTime", "KeySchema", "GlobalSecondaryIndexes",
                "LocalSecondaryIndexes", "LatestStreamArn", "LatestStreamLabel", "TableClassSummary"):
        desc.pop(key, None)
    with ctx.store.transaction() as txn:
        if pitr.window(table.doc, ctx.clock.now()) is not None:
            # With PITR enabled, AWS keeps a system backup of the deleted table for 35 days, named
            # ``<table>$DeletedTableBackup`` (developer guide, "Point-in-time recovery: how it works").
            backups.create(txn, table, f"{table.name}$DeletedTableBackup", ctx.clock.now(), backup_type="SYSTEM")
        drop_table(dyn, txn, table)
    return {"TableDescription": desc}

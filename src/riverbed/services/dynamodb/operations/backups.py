"""CreateBackup, DescribeBackup, ListBackups, DeleteBackup: on-demand backups of a table.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateBackup.html (and the three others).
The copy is taken inside one transaction, so a backup is a consistent image of the table at its creation time.
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ResourceNotFoundException
from riverbed.services.dynamodb import backups
from riverbed.services.dynamodb.service import DdbContext

# ListBackups' BackupType: USER is "the default setting if no other backup types are specified"; ALL means
# USER and SYSTEM (API_ListBackups.html).
_TYPES = {"USER": {"USER"}, "SYSTEM": {"SYSTEM"}, "AWS_BACKUP": {"AWS_BACKUP"}, "ALL": {"USER", "SYSTEM"}}


def create_backup(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    try:
        table = dyn.table(ctx, req["TableName"])
    except ResourceNotFoundException:
        raise backups.TableNotFoundException(f"Table not found: {req['TableName']}") from None
    with ctx.store.transaction() as txn:
        doc = backups.create(txn, table, req["BackupName"], ctx.clock.now())
    # CreateBackup answers while the backup is still being made (API reference example: CREATING).
    return {"BackupDetails": {**backups.details(doc), "BackupStatus": "CREATING"}}


def describe_backup(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"BackupDescription": backups.description(backups.find(ctx.store, req["BackupArn"]))}


def delete_backup(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = backups.find(ctx.store, req["BackupArn"])
    with ctx.store.transaction() as txn:
        backups.delete(txn, doc)
    answer = backups.description(doc)
    answer["BackupDetails"]["BackupStatus"] = "DELETED"
    return {"BackupDescription": answer}


def list_backups(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    kinds = _TYPES[req.get("BackupType") or "USER"]
    low, high = req.get("TimeRangeLowerBound"), req.get("TimeRangeUpperBound")
    name = req.get("TableName")
    if name and name.startswith("arn:"):
        name = name.rsplit("table/", 1)[-1]
    found = []
    for doc in backups.listing(ctx.store, ctx.account, ctx.region):
        created = doc["BackupCreationDateTime"]
        if doc["BackupType"] not in kinds or (name and doc["_table"]["TableName"] != name):
            continue
        # The lower bound is inclusive, the upper bound exclusive (API_ListBackups.html).
        if (low is not None and created < float(low)) or (high is not None and created >= float(high)):
            continue
        found.append(doc)
    start = req.get("ExclusiveStartBackupArn")
    if start:
        # Backup ids begin with their creation time in milliseconds: resume strictly after the given one
        # (also when that backup has been deleted since).
        after = start.rsplit("/backup/", 1)[-1]
        found = [d for d in found if d["BackupArn"].rsplit("/backup/", 1)[1] > after]
    limit = req.get("Limit")
    out: dict[str, Any] = {}
    if limit is not None and len(found) > limit:
        found = found[:limit]
        out["LastEvaluatedBackupArn"] = found[-1]["BackupArn"]
    out["BackupSummaries"] = [backups.summary(d) for d in found]
    return out

"""Backups and restores: on-demand backups as frozen copies of a table, and new tables built from a past state.

Owns: the backup document (kind ``ddb-backup``, key ``<account>/<region>/<backup id>``; the backup id, as in
AWS's ARNs, is the creation time in milliseconds and eight hex digits, so keys sort by creation time), the copy
of the table's items a backup holds (stored as items under an id of their own, so a backup outlives its table),
the description shapes (``BackupDetails``, ``BackupSummary``, ``BackupDescription``), and building a restored
table from a table snapshot and a stream of items (used by RestoreTableFromBackup and
RestoreTableToPointInTime).

What a restore keeps: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableFromBackup.html
-- key schema, indexes (or the overrides given), billing mode and throughput (or the overrides), encryption; the
caller must set up again tags, stream settings, TTL, PITR (and deletion protection starts off).  The answer is
the new table in ``CREATING`` with a ``RestoreSummary`` whose ``RestoreInProgress`` is true and zero counts
(AWS CLI reference examples of both restore commands); riverbed copies at once, so the table reads ACTIVE
afterwards with ``RestoreInProgress`` false.

Must not: parse requests (operations do) or keep the PITR history (``pitr.py``).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from typing import Any

import orjson

from riverbed.errors import ServiceError
from riverbed.services.dynamodb import items, schema, types
from riverbed.services.dynamodb.tables import Table, describe

BACKUP = "ddb-backup"
SYSTEM_BACKUP_DAYS = 35


# Error codes of the backup operations (API reference, "Errors" of each action); the texts follow the
# reference's description of each error, as no recording of them was found.
class BackupNotFoundException(ServiceError):
    code = "BackupNotFoundException"


class TableNotFoundException(ServiceError):
    code = "TableNotFoundException"


class TableAlreadyExistsException(ServiceError):
    code = "TableAlreadyExistsException"


class SourceTableNotFoundException(ServiceError):
    code = "SourceTableNotFoundException"


class PointInTimeRecoveryUnavailableException(ServiceError):
    code = "PointInTimeRecoveryUnavailableException"


class InvalidRestoreTimeException(ServiceError):
    code = "InvalidRestoreTimeException"


def backup_key(account: str, region: str, backup_id: str) -> str:
    return f"{account}/{region}/{backup_id}"


def find(store: Any, arn: str) -> dict[str, Any]:
    """The backup named by ``arn`` (``arn:aws:dynamodb:<region>:<account>:table/<name>/backup/<id>``)."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and "/backup/" in parts[5]:
        doc = store.get_doc(BACKUP, backup_key(parts[4], parts[3], parts[5].rsplit("/backup/", 1)[1]))
        if doc is not None and doc["BackupArn"] == arn:
            return dict(doc)
    raise BackupNotFoundException(f"Backup not found: {arn}")


def listing(store: Any, account: str, region: str) -> list[dict[str, Any]]:
    return [doc for _, doc in store.list_docs(BACKUP, f"{account}/{region}/")]


def snapshot(table_doc: dict[str, Any]) -> dict[str, Any]:
    """The table settings a backup records (the public description fields and the TTL setting)."""
    snap = {k: copy.deepcopy(v) for k, v in table_doc.items() if not k.startswith("_")}
    snap["_ttl"] = copy.deepcopy(table_doc.get("_ttl"))
    return snap


def create(txn: Any, table: Table, name: str, now: float, *, backup_type: str = "USER") -> dict[str, Any]:
    """Copy the table's items under a new id and store the backup document, in the caller's transaction."""
    backup_id = f"{int(now * 1000):014d}-{uuid.uuid4().hex[:8]}"
    target = txn.next_counter("table-id")   # the same id space as tables: a backup's items never mix with one
    count = size = 0
    for hk, rk, data in txn.scan_items(table.tid):
        item_size = types.item_size(orjson.loads(data))
        txn.put_item(target, hk, rk, data, item_size)
        count += 1
        size += item_size
    doc: dict[str, Any] = {
        "BackupArn": f"{table.arn}/backup/{backup_id}", "BackupName": name, "BackupSizeBytes": size,
        "BackupStatus": "AVAILABLE", "BackupType": backup_type, "BackupCreationDateTime": round(now, 3),
        "_tid": target, "_count": count, "_table": snapshot(table.doc),
        "_account": table.account, "_region": table.region,
    }
    if backup_type == "SYSTEM":
        # A deleted table's PITR backup is kept for 35 days (developer guide, "Deleting a table with PITR").
        doc["BackupExpiryDateTime"] = round(now + SYSTEM_BACKUP_DAYS * 86400, 3)
    txn.put_doc(BACKUP, backup_key(table.account, table.region, backup_id), doc)
    return doc


def delete(txn: Any, doc: dict[str, Any]) -> None:
    txn.drop_items(int(doc["_tid"]))
    backup_id = doc["BackupArn"].rsplit("/backup/", 1)[1]
    txn.delete_doc(BACKUP, backup_key(doc["_account"], doc["_region"], backup_id))


# --- descriptions ------------------------------------------------------------------------------------
def details(doc: dict[str, Any]) -> dict[str, Any]:
    keys = ("BackupArn", "BackupName", "BackupSizeBytes", "BackupStatus", "BackupType",
            "BackupCreationDateTime", "BackupExpiryDateTime")
    return {k: doc[k] for k in keys if k in doc}


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    table = doc["_table"]
    out = {"TableName": table["TableName"], "TableId": table["TableId"], "TableArn": table["TableArn"]}
    out.update(details(doc))
    return out


def description(doc: dict[str, Any]) -> dict[str, Any]:
    table = doc["_table"]
    pt = table.get("ProvisionedThroughput") or {}
    source: dict[str, Any] = {
        "TableName": table["TableName"], "TableId": table["TableId"], "TableArn": table["TableArn"],
        "TableSizeBytes": doc["BackupSizeBytes"], "KeySchema": table["KeySchema"],
        "TableCreationDateTime": table["CreationDateTime"],
        "ProvisionedThroughput": {"ReadCapacityUnits": pt.get("ReadCapacityUnits", 0),
                                  "WriteCapacityUnits": pt.get("WriteCapacityUnits", 0)},
        "ItemCount": doc["_count"], "BillingMode": billing_mode(table),
    }
    if table.get("OnDemandThroughput"):
        source["OnDemandThroughput"] = table["OnDemandThroughput"]
    features: dict[str, Any] = {}
    if table.get("LocalSecondaryIndexes"):
        features["LocalSecondaryIndexes"] = [
            {k: i[k] for k in ("IndexName", "KeySchema", "Projection")} for i in table["LocalSecondaryIndexes"]]
    if table.get("GlobalSecondaryIndexes"):
        features["GlobalSecondaryIndexes"] = [_gsi_info(i) for i in table["GlobalSecondaryIndexes"]]
    stream = table.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        features["StreamDescription"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    ttl = table.get("_ttl") or {}
    if ttl.get("Enabled"):
        features["TimeToLiveDescription"] = {"TimeToLiveStatus": "ENABLED", "AttributeName": ttl["AttributeName"]}
    if table.get("SSEDescription"):
        features["SSEDescription"] = table["SSEDescription"]
    out: dict[str, Any] = {"BackupDetails": details(doc), "SourceTableDetails": source}
    if features:
        out["SourceTableFeatureDetails"] = features
    return out


def _gsi_info(index: dict[str, Any]) -> dict[str, Any]:
    pt = index.get("ProvisionedThroughput") or {}
    out = {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
    out["ProvisionedThroughput"] = {"ReadCapacityUnits": pt.get("ReadCapacityUnits", 0),
                                    "WriteCapacityUnits": pt.get("WriteCapacityUnits", 0)}
    if index.get("OnDemandThroughput"):
        out["OnDemandThroughput"] = index["OnDemandThroughput"]
    return out


def billing_mode(table_doc: dict[str, Any]) -> str:
    return str((table_doc.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"))


# --- restore ------------------------------------------------------------------------------------------
def restore(ctx: Any, source: dict[str, Any], rows: Iterable[tuple[bytes, bytes, bytes]], target: str,
            req: dict[str, Any], restore_summary: dict[str, Any]) -> dict[str, Any]:
    """Create table ``target`` from the settings ``source`` (a snapshot) and its items ``rows``.

    ``rows`` is consumed inside the new table's transaction.  Returns the CreateTable-like answer.
    """
    dyn = ctx.backend
    doc = _restored_settings(ctx, source, target, req)
    doc["RestoreSummary"] = {**restore_summary, "RestoreInProgress": False}
    with ctx.store.transaction() as txn:
        if dyn.catalog.get(ctx.account, ctx.region, target) is not None:
            raise TableAlreadyExistsException(f"Table already exists: {target}")
        doc["_tid"] = txn.next_counter("table-id")
        table = dyn.catalog.save(txn, doc)
        if dyn.indexes is not None:
            dyn.indexes.created(txn, table)
        for hk, rk, data in rows:
            item = orjson.loads(data)
            items.commit(txn, dyn.streams, table, hk, rk, table.key_from_bytes(item), None, item,
                         region=ctx.region, indexes=dyn.indexes)
    desc = describe(table, ctx.store, status="CREATING")
    desc["ItemCount"] = desc["TableSizeBytes"] = 0
    desc["BillingModeSummary"] = {"BillingMode": desc["BillingModeSummary"]["BillingMode"]}
    desc["RestoreSummary"] = {**restore_summary, "RestoreInProgress": True}
    for index_list in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for index in desc.get(index_list, []):
            index["ItemCount"] = index["IndexSizeBytes"] = 0
            if index_list == "GlobalSecondaryIndexes":
                index["IndexStatus"] = "CREATING"
    return {"TableDescription": desc}


def _restored_settings(ctx: Any, source: dict[str, Any], target: str, req: dict[str, Any]) -> dict[str, Any]:
    billing = req.get("BillingModeOverride") or billing_mode(source)
    source_pt = source.get("ProvisionedThroughput") or {}
    if req.get("ProvisionedThroughputOverride"):
        throughput = req["ProvisionedThroughputOverride"]
    elif billing == "PROVISIONED" and source_pt.get("ReadCapacityUnits"):
        throughput = {"ReadCapacityUnits": source_pt["ReadCapacityUnits"],
                      "WriteCapacityUnits": source_pt["WriteCapacityUnits"]}
    else:
        throughput = None
    throughput_desc = schema.check_billing(billing, throughput)
    key_schema = source["KeySchema"]
    lsis = req["LocalSecondaryIndexOverride"] if "LocalSecondaryIndexOverride" in req else [
        {k: i[k] for k in ("IndexName", "KeySchema", "Projection")} for i in source.get("LocalSecondaryIndexes") or []]
    if "GlobalSecondaryIndexOverride" in req:
        gsis = req["GlobalSecondaryIndexOverride"]
    else:
        gsis = [_gsi_request(i, billing, throughput) for i in source.get("GlobalSecondaryIndexes") or []]
    lsis = schema.check_lsis(lsis or None, key_schema)
    gsis = schema.check_gsis(gsis or None, billing, source["AttributeDefinitions"],
                             taken={i["IndexName"] for i in lsis})
    used = {k["AttributeName"] for k in key_schema}
    for index in [*gsis, *lsis]:
        used.update(k["AttributeName"] for k in index["KeySchema"])
    attr_defs = [a for a in source["AttributeDefinitions"] if a["AttributeName"] in used]
    schema.check_attribute_definitions(attr_defs, key_schema, gsis, lsis)

    now = ctx.clock.now()
    arn = f"arn:aws:dynamodb:{ctx.region}:{ctx.account}:table/{target}"
    doc: dict[str, Any] = {
        "AttributeDefinitions": attr_defs, "TableName": target, "KeySchema": key_schema, "TableStatus": "ACTIVE",
        "CreationDateTime": round(now, 3), "ProvisionedThroughput": throughput_desc, "TableArn": arn,
        "TableId": str(uuid.uuid4()), "DeletionProtectionEnabled": False,
        # Restored tables name their billing mode even when provisioned (CLI reference examples).
        "BillingModeSummary": {"BillingMode": billing},
    }
    if billing == "PAY_PER_REQUEST":
        doc["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"] = round(now, 3)
    if gsis:
        doc["GlobalSecondaryIndexes"] = [schema.describe_gsi(g, arn, billing) for g in gsis]
    if lsis:
        doc["LocalSecondaryIndexes"] = [schema.describe_lsi(i, arn) for i in lsis]
    if "SSESpecificationOverride" in req:
        sse = schema.sse_description(req["SSESpecificationOverride"], ctx)
    else:
        sse = source.get("SSEDescription")
    if sse:
        doc["SSEDescription"] = sse
    on_demand = req.get("OnDemandThroughputOverride") or source.get("OnDemandThroughput")
    if on_demand:
        doc["OnDemandThroughput"] = on_demand
    if source.get("TableClassSummary"):
        doc["TableClassSummary"] = source["TableClassSummary"]
    doc["_account"], doc["_region"] = ctx.account, ctx.region
    doc["_tags"] = {}
    return doc


def _gsi_request(index: dict[str, Any], billing: str, table_throughput: dict[str, Any] | None) -> dict[str, Any]:
    """A source GSI as a CreateTable-style index for the restored table's billing mode."""
    out = {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
    if index.get("OnDemandThroughput"):
        out["OnDemandThroughput"] = index["OnDemandThroughput"]
    if billing == "PROVISIONED":
        pt = index.get("ProvisionedThroughput") or {}
        if pt.get("ReadCapacityUnits"):
            out["ProvisionedThroughput"] = {"ReadCapacityUnits": pt["ReadCapacityUnits"],
                                            "WriteCapacityUnits": pt["WriteCapacityUnits"]}
        elif table_throughput:
            # Not verified against AWS: an on-demand source restored as provisioned gives its indexes the
            # table's throughput override.
            out["ProvisionedThroughput"] = dict(table_throughput)
    return out


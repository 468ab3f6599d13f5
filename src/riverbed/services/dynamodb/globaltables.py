"""Global tables, version 2019.11.21: replica groups, UpdateTable ``ReplicaUpdates`` and their description.

Owns: the replica-group document (kind ``global-table``, key ``<account>/<table name>``: each member
region with its status and settings), the rules UpdateTable applies to ``ReplicaUpdates``
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html), creating a
replica's table in its region, the ``_global`` mark on every member's table document (the write path
reads it), the ``GlobalTableVersion`` / ``Replicas`` members of ``TableDescription``, and what a local
write on a replica adds in its own transaction (:func:`record_local_write`): the item's write version
(kind ``global-table-version``: timestamp and origin region, kept for deletes too) and a message in the
replica's outbound log for the replicator.

Facts followed (spec/global-tables.md): adding a replica turns a stream on (NEW_AND_OLD_IMAGES) when the
table has none and keeps an existing stream's view type; the stream cannot be disabled while the table
has replicas; a replica in the table's own region is refused; deleting the last other replica leaves the
table with its stream and without ``GlobalTableVersion`` / ``Replicas``.  ``Replicas`` lists the *other*
regions, as in AWS's own DescribeTable example (V2globaltables_versions.html) and as ScyllaDB's suite
observed on DynamoDB most of the time.

Must not: move items between regions (``replication.py`` does, asynchronously) or parse other
UpdateTable parameters (``operations/update_table.py``).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import orjson

from riverbed import ids
from riverbed.errors import ValidationException
from riverbed.services.dynamodb.tables import Table

GROUP = "global-table"
VERSIONS = "global-table-version"
SEQ = "global-table-out-seq"
TICK = 1e-6     # a local write is stamped at least this much after the version it replaces
VERSION = "2019.11.21"

# ScyllaDB test_global_tables.py::test_add_region_already_exists, run against DynamoDB.
LOCAL_REGION = ("Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or "
                "UpdateTable as required.")
# The texts below are in ack-api-quirks' ValidationException catalogue (DDB-TABLE-442, live runs against
# DynamoDB, 2026-10): typo "a the" and typographic quotes included.
ALREADY_EXISTS = ("Failed to create a the new replica of table with name: \u2018{name}\u2019 because one or more "
                  "replicas already existed as tables.")
# AWS requires on-demand or auto-scaled write capacity for a global table; riverbed has no auto scaling,
# so a provisioned table cannot get replicas.
CAPACITY = "Table write capacity should either be Pay-Per-Request or AutoScaled."
NO_REPLICA = ("Update global table operation failed because one or more replicas were not part of the global table. "
              "Please retry the request without these replicas: [{region}].")
# Also matches ScyllaDB test_global_table_streaming_cannot_be_changed ("not allowed.*Global Table").
STREAM_LOCKED = "One or more parameter values were invalid: Disabling Stream is not allowed for a Global Table replica."
NO_ACTIONS = "There are no actions specified in the Replica Update Action of the request."
MANY_CREATES = "Update table operation with more than one create or delete replica actions not allowed"
PROTECTED = ("Resource cannot be deleted as it is currently protected against deletion. "
             "Disable deletion protection first.")


def group_key(account: str, name: str) -> str:
    return f"{account}/{name}"


def load_group(store: Any, account: str, name: str) -> dict[str, Any] | None:
    group: dict[str, Any] | None = store.get_doc(GROUP, group_key(account, name))
    return group


def all_groups(store: Any) -> list[tuple[str, dict[str, Any]]]:
    groups: list[tuple[str, dict[str, Any]]] = store.list_docs(GROUP)
    return groups


def describe_into(desc: dict[str, Any], table: Table, store: Any) -> dict[str, Any]:
    """Add ``GlobalTableVersion`` and ``Replicas`` (the other regions) to a table's description."""
    if not table.doc.get("_global"):
        return desc
    group = load_group(store, table.account, table.name)
    if not group:
        return desc
    replicas = []
    for region in sorted(group["replicas"]):
        if region == table.region:
            continue
        member = group["replicas"][region]
        entry: dict[str, Any] = {"RegionName": region, "ReplicaStatus": member["status"]}
        if member["status"] == "CREATING":
            entry["ReplicaStatusPercentProgress"] = "0"
        if member.get("kms"):
            entry["KMSMasterKeyId"] = member["kms"]
        if member.get("throughput"):
            entry["ProvisionedThroughputOverride"] = member["throughput"]
        if member.get("class"):
            entry["ReplicaTableClassSummary"] = {"TableClass": member["class"]}
        replicas.append(entry)
    desc["GlobalTableVersion"] = VERSION
    desc["Replicas"] = replicas
    return desc


def check_stream_change(table: Table, spec: dict[str, Any]) -> None:
    if table.doc.get("_global") and not spec.get("StreamEnabled"):
        raise ValidationException(STREAM_LOCKED)


def check_updates(ctx: Any, table: Table, updates: list[dict[str, Any]]) -> None:
    """Every precondition of ``ReplicaUpdates``, checked before anything changes."""
    dyn = ctx.backend
    kinds = [[a for a in ("Create", "Update", "Delete") if u.get(a) is not None] for u in updates]
    if any(not k for k in kinds):
        raise ValidationException(NO_ACTIONS)
    if sum(1 for k in kinds for a in k if a in ("Create", "Delete")) > 1:
        raise ValidationException(MANY_CREATES)
    if len(updates) != 1:
        # riverbed's own words: it applies one replica change per UpdateTable (AWS also takes several Updates).
        raise ValidationException("One or more parameter values were invalid: riverbed applies only one replica "
                                  "update per request")
    update = updates[0]
    actions = kinds[0]
    if len(actions) != 1:
        raise ValidationException("One or more parameter values were invalid: Exactly one of Create, Update or "
                                  "Delete must be specified in a ReplicationGroupUpdate")
    action = actions[0]
    region = update[action]["RegionName"]
    group = load_group(ctx.store, table.account, table.name)
    members = group["replicas"] if group else {table.region: {}}
    if action in ("Create", "Delete") and region == table.region:
        raise ValidationException(LOCAL_REGION)
    if action == "Create":
        billing = table.doc.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
        if billing != "PAY_PER_REQUEST":
            raise ValidationException(CAPACITY)
        if region in members or dyn.catalog.get(table.account, region, table.name) is not None:
            raise ValidationException(ALREADY_EXISTS.format(name=table.name))
        return
    if region not in members:
        raise ValidationException(NO_REPLICA.format(region=region))
    if action == "Delete":
        target = dyn.catalog.get(table.account, region, table.name)
        if target is not None and target.doc.get("DeletionProtectionEnabled"):
            raise ValidationException(PROTECTED)


def apply_updates(ctx: Any, txn: Any, doc: dict[str, Any], updates: list[dict[str, Any]]) -> None:
    """Carry out one checked replica update; ``doc`` is the (copied) table document being saved."""
    update = updates[0]
    now = ctx.clock.now()
    group = load_group(txn, doc["_account"], doc["TableName"]) or {
        "version": VERSION, "replicas": {doc["_region"]: {"status": "ACTIVE", "since": now}}}
    if "Create" in update and update["Create"] is not None:
        spec = update["Create"]
        region = spec["RegionName"]
        _ensure_stream(ctx, txn, doc)
        group["replicas"][region] = {"status": "CREATING", "since": now, "source": doc["_region"],
                                     "kms": spec.get("KMSMasterKeyId"), "class": spec.get("TableClassOverride"),
                                     "throughput": spec.get("ProvisionedThroughputOverride")}
        _create_replica_table(ctx, txn, doc, region, spec)
    elif "Update" in update and update["Update"] is not None:
        spec = update["Update"]
        member = group["replicas"][spec["RegionName"]]
        for key, member_key in (("KMSMasterKeyId", "kms"), ("TableClassOverride", "class"),
                                ("ProvisionedThroughputOverride", "throughput")):
            if spec.get(key) is not None:
                member[member_key] = spec[key]
    else:
        region = update["Delete"]["RegionName"]
        group["replicas"][region]["status"] = "DELETING"
        group["replicas"][region]["since"] = now
    doc["_global"] = True
    doc["TableStatus"] = "UPDATING"
    txn.put_doc(GROUP, group_key(doc["_account"], doc["TableName"]), group)


def _ensure_stream(ctx: Any, txn: Any, doc: dict[str, Any]) -> None:
    spec = doc.get("StreamSpecification")
    if spec and spec.get("StreamEnabled"):
        return
    stream = ctx.backend.streams.create(txn, account=doc["_account"], region=doc["_region"],
                                        table_name=doc["TableName"], view_type="NEW_AND_OLD_IMAGES",
                                        key_schema=doc["KeySchema"])
    doc["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    doc["LatestStreamArn"] = stream.arn
    doc["LatestStreamLabel"] = stream.label


def _create_replica_table(ctx: Any, txn: Any, source: dict[str, Any], region: str, spec: dict[str, Any]) -> None:
    """The replica's table: the source's schema, indexes and billing, its own ARN, id and stream."""
    dyn = ctx.backend
    account, name = source["_account"], source["TableName"]
    now = ctx.clock.now()
    arn = ids.table_arn(region, account, name)
    doc: dict[str, Any] = {k: copy.deepcopy(v) for k, v in source.items()
                           if k in ("AttributeDefinitions", "KeySchema", "ProvisionedThroughput", "BillingModeSummary",
                                    "DeletionProtectionEnabled", "TableClassSummary", "OnDemandThroughput")}
    doc.update({"TableName": name, "TableStatus": "CREATING", "CreationDateTime": round(now, 3), "TableArn": arn,
                "TableId": str(uuid.uuid4()), "_account": account, "_region": region, "_global": True,
                "_tags": {}})
    doc["DeletionProtectionEnabled"] = False
    for index_list in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if source.get(index_list):
            doc[index_list] = [dict(copy.deepcopy(i), IndexArn=f"{arn}/index/{i['IndexName']}")
                               for i in source[index_list]]
    if spec.get("TableClassOverride"):
        doc["TableClassSummary"] = {"TableClass": spec["TableClassOverride"]}
    if spec.get("KMSMasterKeyId"):
        key = spec["KMSMasterKeyId"]
        if not key.startswith("arn:"):
            key = f"arn:aws:kms:{region}:{account}:key/{key}"
        doc["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}
    elif source.get("SSEDescription"):
        doc["SSEDescription"] = copy.deepcopy(source["SSEDescription"])
    doc["_tid"] = txn.next_counter("table-id")
    view = (source.get("StreamSpecification") or {}).get("StreamViewType", "NEW_AND_OLD_IMAGES")
    stream = dyn.streams.create(txn, account=account, region=region, table_name=name, view_type=view,
                                key_schema=doc["KeySchema"])
    doc["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
    doc["LatestStreamArn"] = stream.arn
    doc["LatestStreamLabel"] = stream.label
    table = dyn.catalog.save(txn, doc)
    if dyn.indexes is not None:
        dyn.indexes.created(txn, table)


def leave(dyn: Any, txn: Any, table: Table) -> None:
    """A member's table is going (DeleteTable, or a replica Delete finishing): take it out of its group.

    When one member remains, the group dissolves: the last table loses ``_global`` (its description its
    ``GlobalTableVersion`` and ``Replicas``) and keeps its stream, as AWS does.
    """
    key = group_key(table.account, table.name)
    group = txn.get_doc(GROUP, key)
    if not group:
        return
    group["replicas"].pop(table.region, None)
    txn.log_purge(outbound_log(table.account, table.region, table.name))
    if len(group["replicas"]) > 1:
        txn.put_doc(GROUP, key, group)
        return
    txn.delete_doc(GROUP, key)
    for region in group["replicas"]:
        last = dyn.catalog.get(table.account, region, table.name)
        if last is not None:
            doc = copy.deepcopy(last.doc)
            doc.pop("_global", None)
            doc["TableStatus"] = "ACTIVE"
            dyn.catalog.save(txn, doc)


def outbound_log(account: str, region: str, name: str) -> str:
    """The message log of a replica's local writes still to be carried to the other replicas."""
    return f"global-table-out/{account}/{region}/{name}"


def version_key(account: str, region: str, name: str, hk: bytes, rk: bytes) -> str:
    return f"{account}/{region}/{name}/{hk.hex()}/{rk.hex()}"


def record_local_write(txn: Any, table: Table, hk: bytes, rk: bytes, key: dict[str, Any],
                       new: dict[str, Any] | None, now: float) -> None:
    """Stamp a local write on a replica and queue it for the other replicas (the write's transaction)."""
    vkey = version_key(table.account, table.region, table.name, hk, rk)
    held = txn.get_doc(VERSIONS, vkey)
    ts = now if held is None or now > held["ts"] else held["ts"] + TICK
    txn.put_doc(VERSIONS, vkey, {"ts": ts, "o": table.region})
    data = {"hk": hk.hex(), "rk": rk.hex(), "key": key, "new": new, "ts": ts, "o": table.region}
    seq = txn.next_counter(SEQ)
    txn.log_append(outbound_log(table.account, table.region, table.name), seq, "",
                   f"{hk.hex()}/{rk.hex()}", now, now, orjson.dumps(data))

"""Items: the one write path every DynamoDB write goes through, and item reads.

Owns: loading an item inside a transaction, deciding whether a write changes
anything, persisting it, keeping secondary indexes in step, and appending the
stream record **in the same transaction** (DESIGN.md, "the path of one
write").  PutItem, UpdateItem, DeleteItem, BatchWriteItem,
TransactWriteItems, PartiQL and the TTL sweeper all call :func:`commit`.

Must not: parse requests or expressions (operations and ``expressions/`` do).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import orjson

from riverbed.errors import ConditionalCheckFailedException, ValidationException
from riverbed.services.dynamodb import globaltables, pitr, types
from riverbed.services.dynamodb.tables import MAX_ITEM_BYTES, Table
from riverbed.streams.records import NEW_IMAGE_VIEWS, OLD_IMAGE_VIEWS


def load(txn: Any, table: Table, hk: bytes, rk: bytes) -> dict[str, Any] | None:
    data = txn.get_item(table.tid, hk, rk)
    return orjson.loads(data) if data is not None else None


def check_size(item: dict[str, Any]) -> int:
    size = types.item_size(item)
    if size > MAX_ITEM_BYTES:
        raise ValidationException("Item size has exceeded the maximum allowed size")
    return size


def commit(txn: Any, streams: Any, table: Table, hk: bytes, rk: bytes, key: dict[str, Any],
           old: dict[str, Any] | None, new: dict[str, Any] | None, *, region: str,
           service_identity: bool = False, indexes: Any = None, replicated: bool = False) -> str | None:
    """Make ``new`` (None: delete) the item at ``(hk, rk)``, given ``old`` read in this transaction.

    Returns the stream event name, or None when nothing changed (identical
    put, delete of a missing item) -- then no record is written, as AWS does.
    A local write on a global table's replica is also queued for the other
    replicas; ``replicated`` marks a write the replicator carries in (not queued again).
    """
    size = None
    if new is None:
        if old is None:
            return None
        txn.delete_item(table.tid, hk, rk)
        event = "REMOVE"
    else:
        if old is not None and types.item_equal(old, new):
            return None
        size = check_size(new)
        txn.put_item(table.tid, hk, rk, orjson.dumps(new), size)
        event = "MODIFY" if old is not None else "INSERT"
    if indexes is not None:
        indexes.maintain(txn, table, hk, rk, old, new)
    pitr.record_change(txn, table, hk, rk, old, streams.clock.now())   # only while PITR is enabled
    arn = table.stream_arn
    if arn is not None:
        streams.append(txn, arn, event_name=event, hk=hk, keys=key, old=old, new=new, region=region,
                       service_identity=service_identity,
                       size_bytes=record_size(table.view_type, key, old, new, size))
    if table.doc.get("_global") and not replicated:
        globaltables.record_local_write(txn, table, hk, rk, key, new, streams.clock.now())
    return event


def record_size(view_type: str | None, key: dict[str, Any], old: dict[str, Any] | None,
                new: dict[str, Any] | None, new_size: int | None) -> int:
    """A stream record's SizeBytes: the item sizes of its keys and of the images its view type carries."""
    size = types.item_size(key)
    if new is not None and view_type in NEW_IMAGE_VIEWS:
        size += new_size if new_size is not None else types.item_size(new)
    if old is not None and view_type in OLD_IMAGE_VIEWS:
        size += types.item_size(old)
    return size


def condition_failed(old: dict[str, Any] | None, return_on_failure: str | None) -> ConditionalCheckFailedException:
    if return_on_failure == "ALL_OLD" and old is not None:
        return ConditionalCheckFailedException(item=old)
    return ConditionalCheckFailedException()


def consumed(table: Table, units: float | Callable[[], float], request: dict[str, Any], *,
             read: bool = False) -> dict[str, Any]:
    """``ConsumedCapacity`` members when the request asked for them (``units`` may be computed lazily)."""
    mode = request.get("ReturnConsumedCapacity")
    if mode not in ("TOTAL", "INDEXES"):
        return {}
    if callable(units):
        units = units()
    cap: dict[str, Any] = {"TableName": table.name, "CapacityUnits": units}
    if mode == "INDEXES":
        cap["Table"] = {"CapacityUnits": units}
    if read:
        cap["ReadCapacityUnits"] = units
    else:
        cap["WriteCapacityUnits"] = units
    return {"ConsumedCapacity": cap}


def _short_json(item: dict[str, Any], limit: int) -> bool:
    """Whether the item's JSON form is at most ``limit`` bytes: then its DynamoDB size is too (every
    name, value and nesting costs at least as many JSON bytes as size bytes), so the unit count is 1
    without summing sizes attribute by attribute."""
    return len(orjson.dumps(item)) <= limit


def write_units(*items: dict[str, Any] | None) -> float:
    for item in items:
        if item and not _short_json(item, 1024):
            break
    else:
        return 1.0
    size = max((types.item_size(i) for i in items if i), default=0)
    return float(max(1, math.ceil(size / 1024)))


def read_units(item: dict[str, Any] | None, consistent: bool) -> float:
    if not item or _short_json(item, 4096):
        return 1.0 if consistent else 0.5
    size = types.item_size(item)
    units = max(1, math.ceil(size / 4096))
    return float(units if consistent else units / 2)

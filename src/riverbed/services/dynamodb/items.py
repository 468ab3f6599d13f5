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
           service_identity: bool = False, indexes: Any = None, replicated: bool = False,
           new_size: int | None = None) -> str | None:
    """Make ``new`` (None: delete) the item at ``(hk, rk)``, given ``old`` read in this transaction.

    Returns the stream event name, or None when nothing changed (identical
    put, delete of a missing item) -- then no record is written, as AWS does.
    A local write on a global table's replica is also queued for the other
    replicas; ``replicated`` marks a write the replicator carries in (not queued again).  ``new_size``:
    ``new``'s size when the caller has already checked it (:func:`check_size`).
    """
    size = new_size
    if new is None:
        if old is None:
            return None
        txn.delete_item(table.tid, hk, rk)
        event = "REMOVE"
    else:
        if old is not None and types.item_equal(old, new):
            return None
        if size is None:
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
    units = write_units(old)
    if return_on_failure == "ALL_OLD" and old is not None:
        return ConditionalCheckFailedException(item=old, capacity_units=units)
    return ConditionalCheckFailedException(capacity_units=units)


_NOT_ASKED: dict[str, Any] = {}    # returned (never changed) when the request did not ask


class UnitsNote:
    """Put as a request's ``ReturnConsumedCapacity`` by the request metrics (never by a caller: the request
    was validated before): :func:`consumed` notes the units in it and leaves the answer without them."""

    __slots__ = ("units",)

    def __init__(self) -> None:
        self.units: float | None = None


def consumed(table: Table, units: float | Callable[[], float], request: dict[str, Any], *,
             read: bool = False) -> dict[str, Any]:
    """``ConsumedCapacity`` members when the request asked for them (``units`` may be computed lazily)."""
    mode = request.get("ReturnConsumedCapacity")
    if mode != "TOTAL" and mode != "INDEXES":
        if mode.__class__ is UnitsNote:
            mode.units = units() if callable(units) else units
        return _NOT_ASKED
    if callable(units):
        units = units()
    cap: dict[str, Any] = {"TableName": table.doc["TableName"], "CapacityUnits": units}
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


def write_units(*items: dict[str, Any] | None, new_size: int | None = None) -> float:
    """Write capacity units: one per KB of the larger of the items (``new_size``: one more item's size,
    already known)."""
    size = new_size or 0
    for item in items:
        if item and not _short_json(item, 1024):
            size = max(size, types.item_size(item))
    return 1.0 if size <= 1024 else float(math.ceil(size / 1024))


def read_units(item: dict[str, Any] | None, consistent: bool) -> float:
    if not item or _short_json(item, 4096):
        return 1.0 if consistent else 0.5
    size = types.item_size(item)
    units = max(1, math.ceil(size / 4096))
    return float(units if consistent else units / 2)

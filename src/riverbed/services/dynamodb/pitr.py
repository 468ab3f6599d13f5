"""Point-in-time recovery: the change history of a table, kept only while PITR is enabled.

Owns: the table's PITR state (``_pitr`` in the table document: enabled, since, recovery period, and the number
of the record log its history lives in), appending one history entry per item change (``items.commit`` calls
:func:`record_change` inside the write's transaction), trimming entries older than the recovery period, and
reconstructing the items of a table as of a past time.

How a past state is rebuilt: each entry holds the item's image *before* the change and the change's time.
The items at time T are today's items, except that every key changed after T takes the image before its
earliest change after T (absent when that image is None).  So only the changes inside the recovery window
are needed, never a base snapshot: AWS's window is "any point in time during the last 1-35 days", starting
when PITR was (last) enabled (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
PointInTimeRecovery_Howitworks.html: disabling and enabling again resets the start time).

The history is a record log of the store (``append_record``/``read_records``/``trim_records``) whose number
is drawn from the stream-shard counter, so it never shares a number with a stream shard.

Must not: parse requests or describe tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from riverbed.streams.log import SHARD_COUNTER

DEFAULT_PERIOD_DAYS = 35
SEQ_COUNTER = "pitr-seq"
PAGE = 1000


def state(doc: dict[str, Any]) -> dict[str, Any]:
    """The PITR state of a table document (older documents stored a bare flag)."""
    value = doc.get("_pitr")
    if isinstance(value, dict):
        return value
    return {"enabled": bool(value), "since": doc.get("CreationDateTime", 0.0), "days": DEFAULT_PERIOD_DAYS}


def enable(txn: Any, doc: dict[str, Any], now: float, days: int | None) -> None:
    """Turn PITR on in ``doc`` (a copy the caller saves); an enabled table keeps its start and history."""
    current = state(doc)
    if current.get("enabled") and current.get("log") is not None:
        doc["_pitr"] = {**current, "days": days or current.get("days") or DEFAULT_PERIOD_DAYS}
        return
    doc["_pitr"] = {"enabled": True, "since": round(now, 3), "days": days or DEFAULT_PERIOD_DAYS,
                    "log": txn.next_counter(SHARD_COUNTER)}


def disable(txn: Any, doc: dict[str, Any]) -> None:
    """Turn PITR off: the history goes with it (enabling again starts a new window)."""
    drop(txn, doc)
    doc["_pitr"] = {"enabled": False}


def drop(txn: Any, doc: dict[str, Any]) -> None:
    log = state(doc).get("log")
    if log is not None:
        txn.drop_records(int(log))


def window(doc: dict[str, Any], now: float) -> tuple[float, float] | None:
    """``(EarliestRestorableDateTime, LatestRestorableDateTime)`` when PITR is enabled, else None."""
    current = state(doc)
    if not current.get("enabled"):
        return None
    days = current.get("days") or DEFAULT_PERIOD_DAYS
    return max(float(current.get("since", now)), round(now - days * 86400, 3)), round(now, 3)


def record_change(txn: Any, table: Any, hk: bytes, rk: bytes, old: dict[str, Any] | None, now: float) -> None:
    """Append the image before a change of item ``(hk, rk)``; nothing when PITR is off."""
    current = table.doc.get("_pitr")
    if not isinstance(current, dict) or current.get("log") is None:
        return
    seq = txn.next_counter(SEQ_COUNTER)
    txn.append_record(int(current["log"]), seq, now, orjson.dumps({"h": hk.hex(), "r": rk.hex(), "o": old}))


def trim_once(store: Any, doc: dict[str, Any], now: float) -> int:
    """Remove the entries older than the recovery window (never needed again); how many were removed."""
    current = state(doc)
    earliest = window(doc, now)
    if earliest is None or current.get("log") is None:
        return 0
    with store.transaction() as txn:
        return int(txn.trim_records(int(current["log"]), earliest[0]))


def items_at(txn: Any, table: Any, when: float) -> Iterator[tuple[bytes, bytes, bytes]]:
    """``(hk, rk, data)`` of every item the table held at time ``when`` (changes at ``when`` included)."""
    before: dict[tuple[bytes, bytes], bytes | None] = {}
    log = state(table.doc).get("log")
    if log is not None:
        position = 0
        while True:
            page = txn.read_records(int(log), position, PAGE)
            for seq, created, data in page:
                position = seq + 1
                if created <= when:
                    continue
                entry = orjson.loads(data)
                key = (bytes.fromhex(entry["h"]), bytes.fromhex(entry["r"]))
                if key not in before:   # the earliest change after ``when`` holds the image at ``when``
                    before[key] = orjson.dumps(entry["o"]) if entry["o"] is not None else None
            if len(page) < PAGE:
                break
    for hk, rk, data in txn.scan_items(table.tid):
        if (hk, rk) in before:
            continue
        yield hk, rk, data
    for (hk, rk), image in before.items():
        if image is not None:
            yield hk, rk, image


def changes_between(txn: Any, table: Any, start: float, end: float
                     ) -> Iterator[tuple[dict[str, Any] | None, dict[str, Any] | None, float, dict[str, Any]]]:
    """``(old, new, last_write, seen)`` of every item changed in ``[start, end)``, one entry per item (compacted).

    ``old`` is the image just before ``start`` (None when the item did not exist), ``new`` the image just before
    ``end`` (None when it was deleted), ``last_write`` the time of the item's last change inside the period,
    ``seen`` an image the item had in the period (its key attributes, even when it was put and deleted).
    What an incremental export holds: the period includes ``start`` and excludes ``end``
    (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_IncrementalExportSpecification.html).
    An entry holds the image *before* its change, so the image at ``end`` is the one held by the first change
    at or after ``end``, or the item as it is now when there is none.
    """
    log = state(table.doc).get("log")
    if log is None:
        return
    inside: dict[tuple[str, str], list[Any]] = {}   # key -> [old, last write, image at end, resolved, seen]
    position = 0
    while True:
        page = txn.read_records(int(log), position, PAGE)
        for seq, created, data in page:
            position = seq + 1
            if created < start:
                continue
            entry = orjson.loads(data)
            key = (entry["h"], entry["r"])
            if created < end:
                if key not in inside:
                    inside[key] = [entry["o"], created, None, False, entry["o"]]
                else:
                    inside[key][1] = created
                    inside[key][4] = inside[key][4] or entry["o"]
            elif key in inside and not inside[key][3]:
                inside[key][2], inside[key][3] = entry["o"], True   # the first change at or after ``end``
        if len(page) < PAGE:
            break
    for (hk, rk), (old, written, new, resolved, seen) in inside.items():
        if not resolved:
            data = txn.get_item(table.tid, bytes.fromhex(hk), bytes.fromhex(rk))
            new = orjson.loads(data) if data is not None else None
        yield old, new, written, new or old or seen or {}

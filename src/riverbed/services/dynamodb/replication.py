"""The replicator of global tables: carries every replica's local writes to the other replicas.

Owns: the :class:`Replicator`, which applies the messages of each replica's outbound log
(``global-table-out/<account>/<region>/<table>``, appended with the item's write version by
``globaltables.record_local_write`` in the local write's own transaction) to the other replicas,
backfills a new replica, finishes replica deletes and settles statuses; and ``drop_table``.

Why a log of its own and not the user-visible stream: the stream may be KEYS_ONLY (AWS accepts a
replica on such a table and still replicates; ScyllaDB test_global_tables.py, run against DynamoDB), it
does not carry the write's exact timestamp, and it must show replicated writes exactly as AWS does —
plain records in the receiving region, with ``awsRegion`` of that region and no marker.  The message is
deleted in the same transaction that applies it to every target, so a restart or kill -9 neither loses
nor repeats a write; applying twice would be harmless anyway (the version check below).

Conflicts follow multi-Region eventual consistency: last writer wins on the write's timestamp, the
whole item (never a merge), ties broken by the higher region name.  A local write is stamped strictly
after the version the item holds, so a write made after a replicated one always wins over it.

Must not: parse requests, or write items other than through ``items.commit``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from riverbed.core.interfaces import MetricsSink
from riverbed.services.dynamodb import globaltables, items, pitr
from riverbed.services.dynamodb.tables import Table

log = logging.getLogger("riverbed.replication")

BATCH = 500
_MARGIN = 1e-4   # past the due instant, so that ``now - delay`` is past the write's time despite rounding
_TICK = 0.01     # at most this often (clock time) while writes are held back by the delay


class Replicator:
    """One step (:meth:`replicate_once`) moves every due message; :meth:`run` repeats it."""

    def __init__(self, dynamodb: Any, metrics: MetricsSink, *, delay: float = 0.0, idle_wait: float = 0.25) -> None:
        self.dynamodb = dynamodb
        self.store = dynamodb.store
        self.clock = dynamodb.clock
        self.metrics = metrics
        self.delay = delay              # replication delay: a write is carried once it is this old (clock time)
        self.idle_wait = idle_wait      # real seconds between idle checks (commits wake the loop sooner)
        self.applied = 0
        self._pending_sent: dict[tuple[str, str, str], int] = {}   # last PendingReplicationCount per series
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._groups = 0                # replica groups seen by the last step

    def wake(self) -> None:
        """A replica change was requested: run a step soon (callable from any thread)."""
        loop, event = self._loop, self._event
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    async def run(self) -> None:
        streams = self.dynamodb.streams
        self._loop, self._event = asyncio.get_running_loop(), asyncio.Event()
        while True:
            if self.replicate_once():
                continue
            if not self._groups:
                # No global table: a commit has nothing to carry, so only a replica change (or the idle
                # check, for one made on another node) wakes the loop -- not every write on every table.
                try:
                    await asyncio.wait_for(self._event.wait(), self.idle_wait)
                except TimeoutError:
                    pass
                self._event.clear()
                continue
            due_at = self._next_due() if self.delay else None
            if due_at is not None:
                # The oldest write held back by the delay: wait until it is due (drain() jumps this wait
                # on a manual clock).  Later writes are due later, so commits need not wake the loop; under
                # a steady stream of writes the loop wakes at most once per tick and carries what is due.
                tick = min(self.delay / 5, _TICK)
                await self.clock.wait_until(max(due_at + _MARGIN, self.clock.now() + tick), pipeline=True)
                continue
            # Idle: a commit on any stream (every replica has one) or a replica change wakes the loop.
            waits = [asyncio.ensure_future(streams.wait(None, self.idle_wait)),
                     asyncio.ensure_future(self._event.wait())]
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in waits:
                    task.cancel()
                self._event.clear()

    # --- the step -----------------------------------------------------------------------------------
    def replicate_once(self) -> int:
        """Settle replica changes and apply every due write; returns how many things were done."""
        done = 0
        groups = globaltables.all_groups(self.store)
        self._groups = len(groups)
        for key, group in groups:
            account, name = key.split("/", 1)
            done += self._settle(account, name, group)
            settled = globaltables.load_group(self.store, account, name)
            if not settled:
                continue
            self._record_pending(account, name, settled)
            for origin in sorted(settled["replicas"]):
                done += self._carry(account, name, origin)
        return done

    def _carry(self, account: str, name: str, origin: str) -> int:
        outbound = globaltables.outbound_log(account, origin, name)
        due = self.clock.now() - self.delay
        rows = self.store.log_find_visible(outbound, due, BATCH, group_ordered=True)
        for row in rows:
            message = orjson.loads(row.data)
            with self.store.transaction() as txn:
                group = globaltables.load_group(txn, account, name)
                targets = [r for r, m in sorted((group or {}).get("replicas", {}).items())
                           if r != origin and m["status"] != "DELETING"]
                for region in targets:
                    self._apply(txn, account, region, name, message)
                txn.log_delete(outbound, row.seq)
            now = self.clock.now()
            for region in targets:
                self.metrics.put("AWS/DynamoDB", "ReplicationLatency",
                                 {"TableName": name, "ReceivingRegion": region}, (now - message["ts"]) * 1000,
                                 "Milliseconds")
            self.applied += 1
        return len(rows)

    def _record_pending(self, account: str, name: str, group: dict[str, Any]) -> None:
        """PendingReplicationCount per ReceivingRegion: writes made in another replica not yet applied here.

        AWS: "The number of item updates that are written to one replica table, but that have not yet been
        written to another replica in the global table", dimensions TableName and ReceivingRegion
        (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html).
        A message leaves its origin's log once applied to every other replica, so the count for a region is
        the sum of the other replicas' queued messages.  Recorded while non-zero and once more when it
        falls to zero, so an idle replicator records nothing.
        """
        now = self.clock.now()
        queued: dict[str, int] = {}
        for region in group["replicas"]:
            counts = self.store.log_counts(globaltables.outbound_log(account, region, name), now)
            queued[region] = counts.visible + counts.in_flight + counts.delayed
        total = sum(queued.values())
        for region in sorted(group["replicas"]):
            pending = total - queued[region]
            series = (account, name, region)
            if pending or self._pending_sent.get(series):
                self.metrics.put("AWS/DynamoDB", "PendingReplicationCount",
                                 {"TableName": name, "ReceivingRegion": region}, pending, "Count")
            self._pending_sent[series] = pending

    def _apply(self, txn: Any, account: str, region: str, name: str, message: dict[str, Any]) -> bool:
        """Last writer wins: apply ``message`` to the replica in ``region`` unless it holds a later version."""
        dyn = self.dynamodb
        table = dyn.catalog.get(account, region, name)
        if table is None:
            return False
        hk, rk = bytes.fromhex(message["hk"]), bytes.fromhex(message["rk"])
        vkey = globaltables.version_key(account, region, name, hk, rk)
        held = txn.get_doc(globaltables.VERSIONS, vkey)
        if held is not None and (held["ts"], held["o"]) >= (message["ts"], message["o"]):
            return False
        old = items.load(txn, table, hk, rk)
        items.commit(txn, dyn.streams, table, hk, rk, message["key"], old, message["new"], region=region,
                     indexes=dyn.indexes, replicated=True)
        txn.put_doc(globaltables.VERSIONS, vkey, {"ts": message["ts"], "o": message["o"]})
        return True

    # --- replica lifecycle ------------------------------------------------------------------------
    def _settle(self, account: str, name: str, group: dict[str, Any]) -> int:
        done = 0
        for region, member in sorted(group["replicas"].items()):
            if member["status"] == "CREATING":
                self._backfill(account, name, region, member.get("source"))
                done += 1
            elif member["status"] == "DELETING":
                self._delete_replica(account, name, region)
                done += 1
        if done:
            self._mark_active(account, name)
        return done

    def _backfill(self, account: str, name: str, region: str, source_region: str | None) -> None:
        """Copy the source's items into a new replica (last writer wins against writes already carried)."""
        dyn = self.dynamodb
        source = dyn.catalog.get(account, source_region or "", name)
        with self.store.transaction() as txn:
            if source is not None:
                for hk, rk, data in self.store.scan_items(source.tid):
                    item = orjson.loads(data)
                    vkey = globaltables.version_key(account, source.region, name, hk, rk)
                    held = txn.get_doc(globaltables.VERSIONS, vkey) or {"ts": 0.0, "o": source.region}
                    message = {"hk": hk.hex(), "rk": rk.hex(), "key": source.key_from_bytes(item), "new": item,
                               "ts": held["ts"], "o": held["o"]}
                    self._apply(txn, account, region, name, message)
            group = globaltables.load_group(txn, account, name)
            if group and region in group["replicas"]:
                group["replicas"][region]["status"] = "ACTIVE"
                group["replicas"][region].pop("source", None)
                txn.put_doc(globaltables.GROUP, globaltables.group_key(account, name), group)

    def _delete_replica(self, account: str, name: str, region: str) -> None:
        dyn = self.dynamodb
        table = dyn.catalog.get(account, region, name)
        with self.store.transaction() as txn:
            if table is None:
                group = globaltables.load_group(txn, account, name)
                if group:
                    group["replicas"].pop(region, None)
                    txn.put_doc(globaltables.GROUP, globaltables.group_key(account, name), group)
                return
            drop_table(dyn, txn, table)

    def _mark_active(self, account: str, name: str) -> None:
        """Once no member is CREATING or DELETING, every member's table is ACTIVE again."""
        group = globaltables.load_group(self.store, account, name)
        if group and any(m["status"] != "ACTIVE" for m in group["replicas"].values()):
            return
        regions = list(group["replicas"]) if group else []
        with self.store.transaction() as txn:
            for region in regions:
                table = self.dynamodb.catalog.get(account, region, name)
                if table is not None and table.doc.get("TableStatus") != "ACTIVE":
                    self.dynamodb.catalog.save(txn, dict(table.doc, TableStatus="ACTIVE"))

    def _next_due(self) -> float | None:
        """When the oldest write still held back by the delay becomes due; None when none is held back."""
        held = self.clock.now() - self.delay
        earliest: float | None = None
        for key, group in globaltables.all_groups(self.store):
            account, name = key.split("/", 1)
            for region in group["replicas"]:
                at = self.store.log_next_visible_at(globaltables.outbound_log(account, region, name), held)
                if at is not None and (earliest is None or at < earliest):
                    earliest = at
        return None if earliest is None else earliest + self.delay

    # --- drain ----------------------------------------------------------------------------------------
    def _queued(self) -> int:
        total = 0
        now = self.clock.now()
        for key, group in globaltables.all_groups(self.store):
            account, name = key.split("/", 1)
            for region in group["replicas"]:
                counts = self.store.log_counts(globaltables.outbound_log(account, region, name), now)
                total += counts.visible + counts.in_flight + counts.delayed
        return total

    def pending(self) -> list[str]:
        """What drain() still waits for: queued writes and replicas being created or deleted."""
        out = []
        for key, group in globaltables.all_groups(self.store):
            for region, member in sorted(group["replicas"].items()):
                if member["status"] != "ACTIVE":
                    out.append(f"global table {key}: replica {region} {member['status']}")
        queued = self._queued()
        if queued:
            out.append(f"global tables: {queued} replicated write(s) pending")
        return out


def drop_table(dyn: Any, txn: Any, table: Table) -> None:
    """Delete a table with its items, indexes and stream; a member also leaves its replica group."""
    if table.stream_arn:
        dyn.streams.disable(txn, table.stream_arn)
    txn.drop_items(table.tid)
    pitr.drop(txn, table.doc)   # the PITR history goes with the table (a system backup keeps its items)
    if dyn.indexes is not None:
        dyn.indexes.dropped(txn, table)
    if table.doc.get("_global"):
        globaltables.leave(dyn, txn, table)
    for key, _ in txn.list_docs(globaltables.VERSIONS, f"{table.account}/{table.region}/{table.name}/"):
        txn.delete_doc(globaltables.VERSIONS, key)
    dyn.catalog.remove(txn, table)

"""The stream log: streams, their shards and lineage, appends, reads, trimming and wake-ups.

Owns: stream documents (kind ``stream``, key = stream ARN) with their shards,
the sequence counter, appending a record in the *caller's* transaction (the
item write's), reading a shard from a position, retention trimming, shard
rollover, and waking in-process readers when a commit adds records.

A stream has ``shards_per_stream`` lineages; an item goes to the lineage
``crc32(partition key) % n``, so its records stay in one shard lineage in
write order.  Each shard has an integer ``no`` (the store's record key) and
the AWS-shaped ``ShardId``.

Must not: know about tables beyond the few fields it is handed, or about
Lambda; the DynamoDB Streams API (``services/dynamodbstreams``) and the
trigger pollers read through this class.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from typing import Any

from riverbed import ids
from riverbed.clock import Clock
from riverbed.streams.records import encode_record, event_source_member, lambda_event_json, record_json

STREAM = "stream"
SEQ_COUNTER = "stream-seq"
SHARD_COUNTER = "shard-no"
STREAMS_CHANNEL = "streams"   # store notifications: a stream document changed (payload: its ARN)
RECORDS_CHANNEL = "records"   # store notifications: records were appended (payload: the shard number)


@dataclass
class Shard:
    no: int
    shard_id: str
    parent: str | None
    start: int                 # counter value (not the wire string)
    end: int | None            # set when closed
    created: float
    lineage: int
    trimmed_below: int = 0     # records with seq < this were trimmed

    def to_doc(self) -> dict[str, Any]:
        return {"no": self.no, "id": self.shard_id, "parent": self.parent, "start": self.start, "end": self.end,
                "created": self.created, "lineage": self.lineage, "trimmed_below": self.trimmed_below}

    @classmethod
    def from_doc(cls, d: dict[str, Any]) -> Shard:
        return cls(d["no"], d["id"], d.get("parent"), d["start"], d.get("end"), d["created"], d.get("lineage", 0),
                   d.get("trimmed_below", 0))

    def describe(self) -> dict[str, Any]:
        rng = {"StartingSequenceNumber": ids.sequence_number(self.start)}
        if self.end is not None:
            rng["EndingSequenceNumber"] = ids.sequence_number(self.end)
        out: dict[str, Any] = {"ShardId": self.shard_id, "SequenceNumberRange": rng}
        if self.parent:
            out["ParentShardId"] = self.parent
        return out


@dataclass
class Stream:
    arn: str
    label: str
    table_name: str
    account: str
    region: str
    view_type: str
    status: str                # ENABLED | DISABLED
    created: float
    key_schema: list[dict[str, str]]
    shards: list[Shard]
    disabled_at: float | None = None

    def to_doc(self) -> dict[str, Any]:
        return {"arn": self.arn, "label": self.label, "table": self.table_name, "account": self.account,
                "region": self.region, "view_type": self.view_type, "status": self.status, "created": self.created,
                "key_schema": self.key_schema, "shards": [s.to_doc() for s in self.shards],
                "disabled_at": self.disabled_at}

    @classmethod
    def from_doc(cls, d: dict[str, Any]) -> Stream:
        return cls(d["arn"], d["label"], d["table"], d["account"], d["region"], d["view_type"], d["status"],
                   d["created"], d["key_schema"], [Shard.from_doc(s) for s in d["shards"]], d.get("disabled_at"))

    def open_shard(self, lineage: int) -> Shard | None:
        for shard in reversed(self.shards):
            if shard.lineage == lineage and shard.end is None:
                return shard
        return None

    def shard(self, shard_id: str) -> Shard | None:
        for shard in self.shards:
            if shard.shard_id == shard_id:
                return shard
        return None

    def describe(self) -> dict[str, Any]:
        return {"StreamArn": self.arn, "StreamLabel": self.label, "StreamStatus": self.status,
                "StreamViewType": self.view_type, "CreationRequestDateTime": self.created,
                "TableName": self.table_name, "KeySchema": self.key_schema}


class StreamLog:
    def __init__(self, store: Any, clock: Clock, *, lineages: int = 1, rollover_seconds: float = 14400.0,
                 retention_seconds: float = 86400.0, event_version: str = "1.1") -> None:
        self.store = store
        self.clock = clock
        self.lineages = max(1, lineages)
        self.rollover_seconds = rollover_seconds
        self.retention_seconds = retention_seconds
        self.event_version = event_version
        self._cache: dict[str, Stream] = {}
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._any_waiters: list[asyncio.Future[None]] = []
        self.appended = 0  # records appended by this process (for drain/metrics)
        self.on_shards_changed: list[Any] = []   # callbacks after a shard opens or closes (trigger supervisor)
        self._next_seq: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None   # where waiters live (set by ``wait``)
        store.subscribe(STREAMS_CHANNEL, lambda arn: self._on_loop(self._refresh, arn))
        store.subscribe(RECORDS_CHANNEL, lambda no: self._on_loop(self._notify_remote, no))

    def _take_seq(self, txn: Any) -> int:
        """The next sequence counter value, unique across every stream of this store, taken in ``txn``.

        A store shared by several nodes (``store.shared``) draws it from the store's counter inside the
        write's transaction: the counter row stays locked until that transaction ends, so numbers commit
        in the order they were drawn and a reader never sees number n+1 before n, whichever node wrote
        them.  A store owned by this process keeps the counter in memory (a counter row written on every
        append cost ~5% of a PutItem), recovered at start-up as one past anything ever made durable: every
        shard's newest record, start, end and trim point (trimmed numbers are remembered there).  A number
        taken by a transaction that rolls back is simply skipped; sequence numbers may have gaps, as on AWS.
        """
        if self.store.shared:
            return int(txn.next_counter(SEQ_COUNTER))
        if self._next_seq is None:
            highest = 0
            for _, doc in self.store.list_docs(STREAM):
                for shard in doc["shards"]:
                    last = self.store.last_record_seq(shard["no"]) or 0
                    highest = max(highest, last, shard["start"], shard.get("end") or 0,
                                  shard.get("trimmed_below", 0))
            self._next_seq = highest + 1
        seq = self._next_seq
        self._next_seq += 1
        return seq

    # --- stream documents ----------------------------------------------------------------
    def get(self, arn: str) -> Stream | None:
        stream = self._cache.get(arn)
        if stream is None:
            doc = self.store.get_doc(STREAM, arn)
            if doc is None:
                return None
            stream = self._cache[arn] = Stream.from_doc(doc)
        return stream

    def all(self) -> list[Stream]:
        return [self.get(key) or Stream.from_doc(doc) for key, doc in self.store.list_docs(STREAM)]

    def _save(self, txn: Any, stream: Stream) -> None:
        txn.put_doc(STREAM, stream.arn, stream.to_doc())
        txn.notify(STREAMS_CHANNEL, stream.arn)
        self._cache[stream.arn] = stream

    def _stored(self, txn: Any, arn: str) -> Stream | None:
        """The stream as stored now (read in ``txn``); this node's cached copy is brought up to it in place."""
        doc = txn.get_doc(STREAM, arn)
        if doc is None:
            return None
        cached = self._cache.get(arn)
        if cached is None:
            cached = self._cache[arn] = Stream.from_doc(doc)
        else:
            self._merge(cached, doc)
        return cached

    def _lock_shards(self, txn: Any, arn: str) -> Stream | None:
        """Before closing shards on a shared store: wait out every append in flight, on any node, and keep
        new ones waiting until ``txn`` ends; the stream as stored then.

        An append holds the sequence counter's row from drawing its number to its commit (``_take_seq``)
        and reads the stored stream only once it holds it, so a shard's end computed here is final: no
        record lands in it afterwards, from a node whose cached copy still showed it open.  (The number
        drawn here is skipped: a gap, as AWS's sequence numbers have.)
        """
        self._take_seq(txn)
        return self._stored(txn, arn)

    # --- other nodes' changes (store notifications) ------------------------------------------
    def _on_loop(self, callback: Any, payload: str) -> None:
        """Run a notification's handling on the event loop of the waiters (notifications of other nodes
        arrive on a store thread), or at once before any waiter exists."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(callback, payload)
        else:
            callback(payload)

    def _refresh(self, arn: str) -> None:
        """A stream document changed (maybe on another node): update the cached ``Stream`` in place, so
        that pollers holding its shards see a shard close, and wake them and the trigger supervisor."""
        if not arn:
            self._cache.clear()
            self._notify_remote("")
            self._shards_changed()
            return
        cached = self._cache.get(arn)
        doc = self.store.get_doc(STREAM, arn)
        if doc is None:
            self._cache.pop(arn, None)
        elif cached is not None:
            self._merge(cached, doc)
        self._shards_changed()

    def _merge(self, cached: Stream, doc: dict[str, Any]) -> None:
        """Bring a cached ``Stream`` up to its stored document in place (pollers hold its shards) and wake
        the readers of closed shards."""
        fresh = Stream.from_doc(doc)
        known = {s.shard_id: s for s in cached.shards}
        shards = []
        for shard in fresh.shards:
            mine = known.get(shard.shard_id)
            if mine is not None:
                mine.end, mine.trimmed_below = shard.end, shard.trimmed_below
                shard = mine
            shards.append(shard)
        cached.shards[:] = shards
        cached.status, cached.disabled_at = fresh.status, fresh.disabled_at
        self._notify([s.no for s in shards if s.end is not None])

    def _notify_remote(self, shard_no: str) -> None:
        if shard_no:
            self._notify([int(shard_no)])
        else:
            self._notify(list(self._waiters))

    def create(self, txn: Any, *, account: str, region: str, table_name: str, view_type: str,
               key_schema: list[dict[str, str]]) -> Stream:
        now = self.clock.now()
        label = ids.stream_label(now)
        arn = ids.stream_arn(region, account, table_name, label)
        while self.get(arn) is not None:  # re-enabled within the same millisecond: keep ARNs unique
            now += 0.001
            label = ids.stream_label(now)
            arn = ids.stream_arn(region, account, table_name, label)
        stream = Stream(arn, label, table_name, account, region, view_type, "ENABLED", round(now, 3),
                        key_schema, [])
        for lineage in range(self.lineages):
            stream.shards.append(self._new_shard(txn, None, lineage, now))
        self._save(txn, stream)
        txn.after_commit(self._shards_changed)
        return stream

    def _new_shard(self, txn: Any, parent: str | None, lineage: int, now: float) -> Shard:
        no = txn.next_counter(SHARD_COUNTER)
        start = self._take_seq(txn)
        return Shard(no, ids.shard_id(int(now * 1000)), parent, start, None, now, lineage)

    def disable(self, txn: Any, arn: str) -> None:
        """Close every open shard and mark the stream DISABLED; its records stay readable until trimmed."""
        stream = self._lock_shards(txn, arn) if self.store.shared else self.get(arn)
        if stream is None or stream.status == "DISABLED":
            return
        for shard in stream.shards:
            if shard.end is None:
                self._close(txn, shard)
        stream.status = "DISABLED"
        stream.disabled_at = self.clock.now()
        self._save(txn, stream)
        txn.after_commit(lambda: self._notify([s.no for s in stream.shards]))
        txn.after_commit(self._shards_changed)

    def _close(self, txn: Any, shard: Shard) -> None:
        last = txn.last_record_seq(shard.no)
        shard.end = last if last is not None else shard.start

    # --- the write path ------------------------------------------------------------------------
    def append(self, txn: Any, arn: str, *, event_name: str, hk: bytes, keys: dict[str, Any],
               old: dict[str, Any] | None, new: dict[str, Any] | None, region: str,
               service_identity: bool = False, size_bytes: int | None = None) -> None:
        """Append one record in the caller's transaction (the item write's).

        ``size_bytes`` is the record's ``SizeBytes`` as the writer measures it (DynamoDB: the item sizes
        of the keys and of the images this stream's view type carries, ``records.NEW_IMAGE_VIEWS`` and
        ``records.OLD_IMAGE_VIEWS``).
        """
        stream = self.get(arn)
        if stream is None or stream.status != "ENABLED":
            return   # a stream never becomes ENABLED again: a cached "not enabled" is never stale
        seq = None
        if self.store.shared:
            # Another node may have closed this shard (rollover, DISABLE) and its notification not have
            # arrived yet.  Holding the sequence counter (``_lock_shards``), read the stored document.
            seq = self._take_seq(txn)
            stream = self._stored(txn, arn)
            if stream is None or stream.status != "ENABLED":
                return
        lineage = zlib.crc32(hk) % self.lineages if self.lineages > 1 else 0
        shard = stream.open_shard(lineage)
        if shard is None:
            return
        now = self.clock.now()
        if seq is None:
            seq = self._take_seq(txn)
        stored = encode_record(event_name=event_name, keys=keys, old=old, new=new, view_type=stream.view_type,
                               region=region, event_version=self.event_version, service_identity=service_identity,
                               size_bytes=size_bytes)
        txn.append_record(shard.no, seq, now, stored)
        no = shard.no
        if self.store.shared:   # wake the pollers of other nodes too (this one's: ``_on_append``)
            txn.notify(RECORDS_CHANNEL, str(no))
        txn.after_commit(lambda: self._on_append(no))

    def _shards_changed(self) -> None:
        for callback in self.on_shards_changed:
            callback()

    def _on_append(self, shard_no: int) -> None:
        self.appended += 1
        self._notify([shard_no])

    # --- reads ------------------------------------------------------------------------------------
    def read(self, shard: Shard, from_seq: int, limit: int, max_bytes: int | None = None
             ) -> tuple[list[tuple[int, float, bytes]], int]:
        """Records of ``shard`` from ``from_seq``: ``(rows, next position)``; honours a byte budget.

        Each row is ``(seq, created, the record's JSON)`` (the store keeps a compact form, ``records.encode_record``).
        """
        rows = [(seq, created, record_json(data, ids.sequence_number(seq), created))
                for seq, created, data in self.store.read_records(shard.no, from_seq, limit)]
        if max_bytes is not None and rows:
            total = 0
            for i, (_, _, data) in enumerate(rows):
                total += len(data)
                if total > max_bytes and i > 0:
                    rows = rows[:i]
                    break
        nxt = rows[-1][0] + 1 if rows else from_seq
        return rows, nxt

    def read_events(self, shard: Shard, from_seq: int, limit: int, stream_arn: str, max_bytes: int
                    ) -> tuple[list[tuple[int, float, bytes]], bool]:
        """Records of ``shard`` from ``from_seq`` in the Lambda event form: ``([(seq, created, event JSON)], all)``.

        The JSON is ``records.lambda_event_json``'s, built from the stored form without decoding it.  At most
        ``limit`` records, and none past the one that brings their JSON over ``max_bytes`` (the first is
        always given); ``all`` tells that every record committed so far was given.
        """
        source = event_source_member(stream_arn)
        stored = self.store.read_records(shard.no, from_seq, limit)
        out: list[tuple[int, float, bytes]] = []
        total = 0
        for seq, created, data in stored:
            event = lambda_event_json(data, ids.sequence_number(seq), created, source)
            out.append((seq, created, event))
            total += len(event)
            if total > max_bytes:
                return out, False
        return out, len(stored) < limit

    def first_position(self, shard: Shard) -> int:
        """TRIM_HORIZON: the oldest retained record (or the shard's start when empty)."""
        first = self.store.first_record(shard.no)
        if first is not None:
            return int(first[0])
        return max(shard.start, shard.trimmed_below)

    def latest_position(self, shard: Shard) -> int:
        """LATEST: just after the newest record."""
        last = self.store.last_record_seq(shard.no)
        if shard.end is not None:
            return shard.end + 1
        return max(last + 1 if last is not None else shard.start, shard.start)

    def position_at_time(self, shard: Shard, when: float) -> int:
        """AT_TIMESTAMP: the first retained record whose ApproximateCreationDateTime (whole seconds) is at or
        after ``when``; the position after the newest record when there is none."""
        position = self.first_position(shard)
        while True:
            rows = self.store.read_records(shard.no, position, 1000)
            for seq, created, _data in rows:
                if int(created) >= when:
                    return int(seq)
            if len(rows) < 1000:
                return self.latest_position(shard)
            position = rows[-1][0] + 1

    def finished(self, shard: Shard, position: int) -> bool:
        """A closed shard read past its end: readers move on to the children."""
        return shard.end is not None and position > shard.end

    def children(self, stream: Stream, shard: Shard) -> list[Shard]:
        return [s for s in stream.shards if s.parent == shard.shard_id]

    # --- wake-ups ------------------------------------------------------------------------------------
    async def wait(self, shard_nos: list[int] | None, timeout: float | None) -> bool:
        """Wait until a commit appends to one of ``shard_nos`` (None: any shard).  Real-time timeout."""
        loop = self._loop = asyncio.get_running_loop()
        fut = loop.create_future()
        if shard_nos is None:
            self._any_waiters.append(fut)
        else:
            for no in shard_nos:
                self._waiters.setdefault(no, []).append(fut)
        try:
            if timeout is None:
                await fut
                return True
            await asyncio.wait_for(asyncio.shield(fut), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            if not fut.done():
                fut.cancel()

    def _notify(self, shard_nos: list[int]) -> None:
        for no in shard_nos:
            waiters = self._waiters.pop(no, None)
            if waiters:
                for fut in waiters:
                    if not fut.done():
                        fut.set_result(None)
        if self._any_waiters:
            waiters, self._any_waiters = self._any_waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)

    # --- maintenance: retention and rollover --------------------------------------------------------
    def maintain_once(self) -> dict[str, int]:
        """Trim records past retention, roll over shards past their age, forget fully expired shards/streams."""
        now = self.clock.now()
        horizon = now - self.retention_seconds
        trimmed = rolled = dropped = 0
        for stream in self.all():
            changed = False
            try:
                with self.store.transaction() as txn:
                    if self.store.shared and any(
                            shard.end is None and stream.status == "ENABLED" and self.rollover_seconds > 0
                            and now - shard.created >= self.rollover_seconds for shard in stream.shards):
                        fresh = self._lock_shards(txn, stream.arn)   # a rollover closes a shard
                        if fresh is None:
                            continue
                        stream = fresh
                    for shard in list(stream.shards):
                        first = txn.first_record(shard.no)
                        if first is not None and first[1] < horizon:
                            last = txn.last_record_seq(shard.no)
                            n = txn.trim_records(shard.no, horizon)
                            if n:
                                trimmed += n
                                nxt = txn.first_record(shard.no)
                                shard.trimmed_below = nxt[0] if nxt else (last or shard.start) + 1
                                changed = True
                        if (shard.end is None and stream.status == "ENABLED" and self.rollover_seconds > 0
                                and now - shard.created >= self.rollover_seconds):
                            self._close(txn, shard)
                            stream.shards.append(self._new_shard(txn, shard.shard_id, shard.lineage, now))
                            rolled += 1
                            changed = True
                            closed_no = shard.no
                            txn.after_commit(lambda no=closed_no: self._notify([no]))
                            txn.after_commit(self._shards_changed)
                    # A closed shard older than retention with no records left disappears from DescribeStream.
                    for shard in list(stream.shards):
                        if (shard.end is not None and now - shard.created >= self.retention_seconds
                                and txn.first_record(shard.no) is None):
                            stream.shards.remove(shard)
                            dropped += 1
                            changed = True
                    if stream.status == "DISABLED" and (stream.disabled_at or 0) <= horizon and not stream.shards:
                        txn.delete_doc(STREAM, stream.arn)
                        txn.notify(STREAMS_CHANNEL, stream.arn)
                        arn = stream.arn
                        txn.after_commit(lambda arn=arn: self._cache.pop(arn, None))
                        continue
                    if changed:
                        self._save(txn, stream)
            except Exception:
                self._cache.pop(stream.arn, None)
                raise
        return {"trimmed": trimmed, "rolled": rolled, "dropped": dropped}

    def reset(self) -> None:
        self._cache.clear()
        self._next_seq = None
        for waiters in self._waiters.values():
            for fut in waiters:
                if not fut.done():
                    fut.cancel()
        self._waiters.clear()

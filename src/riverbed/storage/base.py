"""The store interface: the only way services reach persistent state.

Owns: the contract every engine (SQLite today, PostgreSQL later) fulfils, and the two small value
types it returns (:class:`LogEntry`, :class:`LogCounts`).  ``tests/contract/storage/`` holds every
engine to it; a method added here without a contract test fails that suite.

Services never write SQL; they call these methods inside a transaction:

    with store.transaction() as txn:
        old = txn.get_item(tid, hk, rk)
        txn.put_item(tid, hk, rk, data)
        txn.append_record(shard_no, seq, created, record)   # same transaction
        txn.after_commit(notify)                            # runs only if the commit succeeds

Reads outside a transaction see the latest committed state.  All methods are
synchronous and fast; an engine that must do network I/O would run them on a
thread of its own.

Data shapes, each in neutral terms (the store knows no AWS service):

* documents: JSON-able dicts addressed by ``(kind, key)`` (metadata: tables, streams, functions, ...);
* items: opaque bytes under order-preserving byte keys ``(tid, hk, rk)`` (``types.encode_key_value``);
* index entries: opaque bytes under ``(iid, hk, rk)`` that point back at an item ``(thk, trk)``;
* records: append-only opaque bytes per shard number, in sequence order, trimmed by age;
* message logs: named logs of opaque messages with a visibility time, an optional group key and a
  receive history (queues are built on them);
* expiring keys: ``(namespace, key) -> bytes`` that lapse at a given time (deduplication windows,
  idempotency tokens);
* time series: opaque bytes per ``(series, at)`` slot, read by time range, trimmed by age (aggregated
  data points);
* counters: named integers that only grow;
* blobs: byte strings under a text id, stored as chunks at byte positions (object bytes on a shared store).

Times are plain floats (seconds) passed in by the caller; no engine reads a clock, except that
``store_time`` answers the database's own time (what leases between processes are measured in).

Must not: know what a table, stream, queue or function means beyond these shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, NamedTuple, Protocol


class StoreConflict(Exception):
    """The engine aborted a transaction because it conflicted with a concurrent one (two nodes' multi-item
    transactions waiting on each other: a deadlock).  Nothing of the transaction was committed; the
    request may be retried.  Raised by the store method at which the engine detected it; an engine
    owned by one process (SQLite) runs one transaction at a time and never raises it."""


class LogEntry(NamedTuple):
    """One message of a message log, as stored."""

    seq: int                       # position in its log: unique there, defines the log's order
    msg_id: str                    # the caller's identifier, carried unchanged (also across a move)
    group: str                     # group key ('' is a group like any other)
    visible_at: float              # the message can be found by ``log_find_visible`` from this time on
    sent_at: float                 # when it was first appended (kept across a move); ``log_expire`` reads it
    receive_count: int             # how many times ``log_mark_received`` was applied (kept across a move)
    first_received: float | None   # ``now`` of the first ``log_mark_received``, None before it
    receipt: str | None            # token of the latest receive; None if not received since append or move
    data: bytes                    # opaque payload


class LogCounts(NamedTuple):
    """How the messages of one log stand at a given time."""

    visible: int     # ``visible_at <= now``
    in_flight: int   # ``visible_at > now`` and received (has a receipt)
    delayed: int     # ``visible_at > now`` and not received since append or move


class Txn(Protocol):
    """The operations available inside a transaction (and, for reads, on the store itself)."""

    # --- documents (metadata) -------------------------------------------------
    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        """The document stored under ``(kind, key)``, or None."""
        ...

    def put_doc(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        """Store ``doc`` under ``(kind, key)``, replacing any document there."""
        ...

    def delete_doc(self, kind: str, key: str) -> None:
        """Remove the document under ``(kind, key)``; nothing happens if there is none."""
        ...

    def list_docs(self, kind: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        """``(key, doc)`` of documents of ``kind`` whose key starts with ``prefix``, ordered by key."""
        ...

    # --- items -----------------------------------------------------------------
    def get_item(self, tid: int, hk: bytes, rk: bytes) -> bytes | None:
        """The item of table ``tid`` at ``(hk, rk)``, or None.  ``rk`` is ``b""`` for hash-only tables."""
        ...

    def put_item(self, tid: int, hk: bytes, rk: bytes, data: bytes, size: int) -> None:
        """Store (insert or replace) an item; ``size`` is what ``item_stats`` adds up for it."""
        ...

    def delete_item(self, tid: int, hk: bytes, rk: bytes) -> None:
        """Remove an item; nothing happens if it does not exist."""
        ...

    def query_items(self, tid: int, hk: bytes, *, low: bytes | None = None, low_inclusive: bool = True,
                    high: bytes | None = None, high_inclusive: bool = True, forward: bool = True,
                    ) -> Iterator[tuple[bytes, bytes]]:
        """``(rk, data)`` of one partition in range-key byte order (reverse when not ``forward``).

        ``low``/``high`` bound ``rk`` (None: unbounded), inclusively unless told otherwise.
        """
        ...

    def scan_items(self, tid: int, after: tuple[bytes, bytes] | None = None) -> Iterator[tuple[bytes, bytes, bytes]]:
        """``(hk, rk, data)`` of every item, ordered by ``(hk, rk)``, strictly after ``after``."""
        ...

    def drop_items(self, tid: int) -> None:
        """Remove every item of table ``tid`` (other tables are untouched)."""
        ...

    def item_stats(self, tid: int) -> tuple[int, int]:
        """``(count, total size in bytes)`` of table ``tid``; ``(0, 0)`` when it has no items."""
        ...

    # --- secondary-index entries (one row per item that has the index's key attributes) ---------
    def index_put(self, iid: int, hk: bytes, rk: bytes, thk: bytes, trk: bytes, data: bytes, size: int) -> None:
        """Insert or replace the entry of table item ``(thk, trk)`` in index ``iid``.

        An item has at most one entry per index: a previous entry of ``(thk, trk)`` is removed even when
        its index key ``(hk, rk)`` differs.
        """
        ...

    def index_delete(self, iid: int, thk: bytes, trk: bytes) -> None:
        """Remove the entry of table item ``(thk, trk)`` from index ``iid``, if there is one."""
        ...

    def index_query(self, iid: int, hk: bytes, *, low: bytes | None = None, low_inclusive: bool = True,
                    high: bytes | None = None, high_inclusive: bool = True, forward: bool = True,
                    after: tuple[bytes, bytes, bytes] | None = None,
                    ) -> Iterator[tuple[bytes, bytes, bytes, bytes]]:
        """``(rk, thk, trk, data)`` of one index partition ordered by ``(rk, thk, trk)``.

        Bounds on ``rk`` as in ``query_items``; ``after`` (an ``(rk, thk, trk)``) resumes strictly past
        that entry in the direction of reading (reverse when not ``forward``).
        """
        ...

    def index_scan(self, iid: int, after: tuple[bytes, bytes, bytes, bytes] | None = None
                   ) -> Iterator[tuple[bytes, bytes, bytes, bytes, bytes]]:
        """``(hk, rk, thk, trk, data)`` of every entry ordered by ``(hk, rk, thk, trk)``, strictly after ``after``."""
        ...

    def index_drop(self, iid: int) -> None:
        """Remove every entry of index ``iid``."""
        ...

    def index_stats(self, iid: int) -> tuple[int, int]:
        """``(count, total size in bytes)`` of index ``iid``; ``(0, 0)`` when empty."""
        ...

    # --- stream records ----------------------------------------------------------
    def append_record(self, shard_no: int, seq: int, created: float, data: bytes) -> None:
        """Append a record to a shard.  ``seq`` must be new in that shard (callers draw it from a counter)."""
        ...

    def read_records(self, shard_no: int, from_seq: int, limit: int) -> list[tuple[int, float, bytes]]:
        """Up to ``limit`` records with ``seq >= from_seq`` in sequence order: ``(seq, created, data)``."""
        ...

    def first_record(self, shard_no: int) -> tuple[int, float] | None:
        """``(seq, created)`` of the oldest retained record, if any."""
        ...

    def last_record_seq(self, shard_no: int) -> int | None:
        """The highest ``seq`` retained in the shard, or None when it holds no records."""
        ...

    def trim_records(self, shard_no: int, created_before: float) -> int:
        """Remove the shard's records created strictly before ``created_before``; how many were removed."""
        ...

    def drop_records(self, shard_no: int) -> None:
        """Remove every record of the shard."""
        ...

    # --- message logs ------------------------------------------------------------
    # A message log is an ordered set of messages under a name.  A message is visible at ``now`` when
    # its ``visible_at <= now``; receiving it moves ``visible_at`` forward (its visibility deadline).
    def log_append(self, log: str, seq: int, msg_id: str, group: str, visible_at: float, sent_at: float,
                   data: bytes) -> None:
        """Append a message, not yet received.  ``seq`` must be new in ``log`` (callers draw it from a counter)."""
        ...

    def log_get(self, log: str, seq: int) -> LogEntry | None:
        """The message at ``seq`` in ``log``, or None."""
        ...

    def log_find_visible(self, log: str, now: float, limit: int, *, group_ordered: bool = False
                         ) -> list[LogEntry]:
        """Up to ``limit`` messages visible at ``now``, in ``seq`` order.

        With ``group_ordered`` a message is left out while an earlier message (lower ``seq``) of the
        same group is not visible at ``now``: each group is consumed strictly in order.  Reading
        changes nothing; ``log_mark_received`` does.
        """
        ...

    def log_mark_received(self, log: str, seq: int, now: float, visible_at: float, receipt: str) -> bool:
        """Record a receive: ``receive_count + 1``, ``first_received`` set if unset, new ``visible_at``
        and ``receipt``.  False (and nothing changed) when the message does not exist."""
        ...

    def log_set_visible_at(self, log: str, seq: int, visible_at: float) -> bool:
        """Change a message's ``visible_at`` only (receipt and counts stay); False when it does not exist."""
        ...

    def log_delete(self, log: str, seq: int) -> bool:
        """Remove a message; True if it existed."""
        ...

    def log_move(self, log: str, seq: int, target: str, target_seq: int, visible_at: float, data: bytes) -> bool:
        """Move a message to ``target`` at ``target_seq`` with new ``visible_at`` and ``data``.

        ``msg_id``, ``group``, ``sent_at``, ``receive_count`` and ``first_received`` are kept; the receipt
        is cleared.  ``target_seq`` must be new in ``target``.  False (nothing changed) when the message
        does not exist.
        """
        ...

    def log_purge(self, log: str) -> int:
        """Remove every message of ``log``; how many were removed.  Other logs are untouched."""
        ...

    def log_counts(self, log: str, now: float) -> LogCounts:
        """Visible, in-flight and delayed messages of ``log`` at ``now`` (they add up to its size)."""
        ...

    def log_next_visible_at(self, log: str, now: float) -> float | None:
        """The earliest ``visible_at`` strictly after ``now`` in ``log``, or None when nothing is pending."""
        ...

    def log_expire(self, log: str, sent_before: float) -> int:
        """Remove the messages of ``log`` with ``sent_at`` strictly before ``sent_before``; how many."""
        ...

    # --- expiring keys -------------------------------------------------------------
    # ``(namespace, key) -> value`` pairs that lapse at ``expires_at``: a key is live at ``now`` while
    # ``now < expires_at``.  A lapsed key reads as absent even before ``prune_keys`` removes it.
    def put_key_if_absent(self, namespace: str, key: str, value: bytes, expires_at: float, now: float
                          ) -> bytes | None:
        """Claim a key: when it is live at ``now``, return its value and change nothing; otherwise
        store ``value`` (replacing a lapsed one) until ``expires_at`` and return None."""
        ...

    def get_key(self, namespace: str, key: str, now: float) -> bytes | None:
        """The value of a key live at ``now``, or None."""
        ...

    def prune_keys(self, namespace: str, now: float) -> int:
        """Remove the keys of ``namespace`` that have lapsed at ``now``; how many were removed."""
        ...

    def drop_keys(self, namespace: str) -> int:
        """Remove every key of ``namespace``, live or not; how many were removed."""
        ...

    # --- time series -----------------------------------------------------------------
    # Opaque bytes per slot ``(series, at)``: ``series`` a text name (any characters), ``at`` a time in
    # seconds (the slot's start; the caller chooses the slot width).  Callers merge a slot's bytes
    # themselves: read it with ``series_get`` and write it back with ``series_put`` in one transaction.
    def series_get(self, series: str, at: float) -> bytes | None:
        """The bytes of slot ``(series, at)``, or None.  Inside a transaction of a shared store the slot
        stays locked until the transaction ends, so a read-merge-write by another process waits for it
        and none of the merges is lost."""
        ...

    def series_put(self, series: str, at: float, data: bytes) -> None:
        """Store ``data`` as slot ``(series, at)``, replacing what it held."""
        ...

    def series_range(self, series: str, start: float, end: float) -> list[tuple[float, bytes]]:
        """``(at, data)`` of the slots of ``series`` with ``start <= at < end``, oldest first."""
        ...

    def series_names(self, prefix: str = "") -> list[tuple[str, float]]:
        """``(series, latest at)`` of every series whose name starts with ``prefix``, ordered by name."""
        ...

    def series_trim(self, before: float) -> int:
        """Remove the slots of every series with ``at`` strictly before ``before``; how many."""
        ...

    # --- blobs -----------------------------------------------------------------------
    # A blob is a byte string under a text id, stored as chunks: each chunk starts at a byte position
    # ``pos`` and holds the bytes from there.  One writer writes a blob's chunks back to back (chunk n+1
    # starts where chunk n ends; an empty blob is one empty chunk at 0); readers ask for the chunks
    # covering a byte range, so a range read touches only those.  Each chunk carries the time it was
    # written (callers pass ``store_time()``), which ``blob_list`` reads to find abandoned blobs.
    def blob_put(self, blob_id: str, pos: int, data: bytes, written: float) -> None:
        """Store ``data`` as the chunk of ``blob_id`` starting at byte ``pos`` (replacing one that started there)."""
        ...

    def blob_read(self, blob_id: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        """``(pos, data)`` of the chunks of ``blob_id`` in position order, from the last one starting at or before
        byte ``start`` through the last one starting at or before byte ``end`` (None: through the last chunk):
        those that hold bytes ``start`` to ``end`` when the blob has them.  Nothing when the blob has no chunk.

        Read a few chunks at a time (a long blob is never held whole); a blob deleted while it is being read
        may end early, so a caller that must know checks that the blob still exists afterwards.
        """
        ...

    def blob_delete(self, blob_id: str) -> int:
        """Remove every chunk of ``blob_id`` at once; how many there were (0 when it did not exist)."""
        ...

    def blob_list(self, written_before: float) -> list[str]:
        """Ids of the blobs all of whose chunks were written strictly before ``written_before``, ordered by id
        (a blob still being written, its last chunk recent, is left out)."""
        ...

    # --- counters ----------------------------------------------------------------
    def next_counter(self, name: str, step: int = 1) -> int:
        """Add ``step`` to the named counter and return the new value (first call returns ``step``)."""
        ...

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after this transaction commits (never if it rolls back).

        Callbacks run in registration order, after the commit is durable; outside a transaction the
        callback runs at once, or, while a group is pending (``group_commits``), after that group commits.
        """
        ...


    # --- leases --------------------------------------------------------------------
    # A lease names a piece of work that one holder (a riverbed node) does at a time.  It is live at
    # ``now`` while ``now < expires_at``; once lapsed anyone may take it.  Times come from the caller's clock.
    def acquire_lease(self, name: str, holder: str, now: float, ttl: float) -> bool:
        """Hold ``name`` for ``holder`` until ``now + ttl``.  Granted (True) when no one holds it, when its
        lease has lapsed at ``now``, or when ``holder`` holds it already (then it is extended); False, and
        nothing changed, while another holder's lease is live.  Of racing callers exactly one wins."""
        ...

    def renew_lease(self, name: str, holder: str, now: float, ttl: float) -> bool:
        """Extend ``holder``'s lease to ``now + ttl`` if it still holds it and it is live at ``now``;
        False otherwise (the holder must assume another has taken over)."""
        ...

    def release_lease(self, name: str, holder: str) -> bool:
        """Give up ``holder``'s lease on ``name`` (others may take it at once); True if it held it."""
        ...

    def list_leases(self, prefix: str = "") -> list[tuple[str, str, float]]:
        """``(name, holder, expires_at)`` of every lease whose name starts with ``prefix`` (lapsed ones
        too), ordered by name."""
        ...

    # --- notifications ---------------------------------------------------------------
    def notify(self, channel: str, payload: str) -> None:
        """Tell every subscriber of ``channel`` (``Store.subscribe``), in this process and in every other
        process sharing the store, ``payload`` once this transaction commits; never if it rolls back.

        Outside a transaction the notification is sent at once.  The same ``(channel, payload)`` sent twice
        in one transaction may be delivered once.  ``channel`` and ``payload`` are short plain text (at
        most 1000 characters together); ``payload`` is not empty.
        """
        ...


class Store(Txn, Protocol):
    """A store answers reads directly and hands out write transactions."""

    @property
    def shared(self) -> bool:
        """True when several processes (riverbed nodes) may use this store at the same time.

        An engine owned by one process (SQLite) answers False: callers may then keep state derived from
        the store in memory (a sequence counter, caches) without asking the store again.  A shared engine
        (PostgreSQL) answers True: such state must be drawn from the store inside the transaction that
        uses it (``next_counter``), and caches must listen for other nodes' changes (``subscribe``).
        """
        ...

    def store_time(self) -> float:
        """The database's own time, in epoch seconds: one time for every process sharing the store.

        Leases (which node does which background work) are measured in it, not in the application's clock:
        they decide whether another *process* is still alive, which only real time can tell, and the
        application's clock may be a manual one that never moves by itself (``--clock manual``) or, across
        machines, disagree with its peers.  Successive calls in one process never go backwards by more than
        the database's own clock does (it is the database server's wall clock).
        """
        ...

    def transaction(self) -> AbstractContextManager[Txn]:
        """A write transaction: everything done on the yielded ``Txn`` commits together or not at all.

        An exception leaving the block rolls back and drops the after-commit callbacks.  A transaction
        opened inside another joins it: its work commits or rolls back with the outermost one, and an
        exception raised inside it rolls back the whole, even if an outer block catches it.
        """
        ...

    def subscribe(self, channel: str, callback: Callable[[str], None]) -> None:
        """Call ``callback(payload)`` for every notification on ``channel`` committed from now on.

        Notifications sent by this process are delivered in the committing thread right after the commit,
        in order with the transaction's ``after_commit`` callbacks.  Those of other processes (a shared
        store) arrive on a thread of the engine: a callback must be quick and thread-safe (hand real work
        to its own event loop).  Delivery across processes is at most once; when the engine may have
        missed some (its listening connection was lost and restored) it calls every callback with ``""``,
        meaning "anything on this channel may have changed".
        """
        ...

    def group_commits(self, schedule: Callable[[Callable[[], None]], None] | None) -> None:
        """Let transactions that end close together share one commit (group commit); None turns it off.

        While on, a transaction that ends without error leaves its work *pending* in the engine's open
        group instead of committing it; its after-commit callbacks wait for the group's commit.  The first
        transaction of a new group calls ``schedule(flush)``; the owner of the event loop calls ``flush``
        (``flush_commits``) soon after, typically once the requests that arrived together have run, and
        acknowledges those requests only then.  A transaction that fails still rolls back only its own work
        (earlier transactions of the group are kept).  Reads on the store see pending work, so whoever
        answers a request that ran while ``pending_commits()`` is True answers after the flush.  An engine
        may commit every transaction on its own anyway (PostgreSQL does), in which case nothing is ever
        pending.  Turning it off flushes what is pending.
        """
        ...

    def pending_commits(self) -> bool:
        """True while a group of transactions has ended but is not committed yet."""
        ...

    def flush_commits(self) -> None:
        """Commit the pending group now, then run its after-commit callbacks in order; nothing if none.

        If the commit fails, every transaction of the group is rolled back, their callbacks are dropped and
        the error is raised to the caller (who must fail the requests waiting for that group).
        """
        ...

    def close(self) -> None:
        """Release the engine's connections (flushing a pending group); the store must not be used afterwards."""
        ...

    def reset(self) -> None:
        """Drop all state of every kind (testing API); counters start again from zero."""
        ...

"""PostgreSQL engine of the store: several riverbed nodes can share one database.

Owns: the PostgreSQL schema and its version (table ``riverbed_schema``), the SQL, the connection pool,
transactions and their after-commit hooks.  Each method implements the contract documented on
``base.Txn``/``base.Store`` (see there for ordering and edge cases).

Concurrency between nodes.  Transactions run at READ COMMITTED, and inside a transaction every point
read or write of an item or a document, and every read or change of a message log (appends excepted),
first takes a transaction-scoped advisory lock on that key (``pg_advisory_xact_lock``).  A conditional
write (read, check, write, append its stream record) therefore cannot interleave with another node's
write of the same item: the second node waits, then reads the committed result, so exactly one of two
racing conditional writes wins and no update is lost; blocking replaces the abort-and-retry that
SERIALIZABLE would demand of callers, which this interface has no way to express.  Counters are single
``UPSERT`` statements whose row lock is held to commit, so values drawn from one counter inside
transactions commit in increasing order.  Two multi-item transactions locking the same items in
opposite orders deadlock; PostgreSQL detects it (after ``deadlock_timeout``, 1 s by default) and aborts one
of them, which the store method waiting at that moment raises as ``base.StoreConflict``.

Ordering matches SQLite: byte keys are ``bytea`` (compared like ``memcmp``, shorter first on a tie) and
text keys are ``COLLATE "C"`` (code-point order).  Range reads are paged by key, so an iterator holds no
connection between pages.  Reads on a thread inside a transaction go through that transaction's
connection and see its writes; other reads take a pooled connection in autocommit mode.

Must not: interpret items or records (they are opaque bytes), call the clock, or run SQL outside this
module.  Leases (which node does which background work) are rows with an expiry the caller sets, in the
database's time (``store_time``); notifications between nodes are LISTEN/NOTIFY on one channel per schema.
"""

from __future__ import annotations

import hashlib
import logging
import re
import struct
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
from psycopg import pq, sql
from psycopg_pool import ConnectionPool

from riverbed.storage.base import LogCounts, LogEntry, StoreConflict

SCHEMA_VERSION = 4

# One entry per schema version: the statements that bring version n-1 to n.  Never edit a released one.
MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE docs (
    kind text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, doc bytea NOT NULL,
    PRIMARY KEY (kind, key));
CREATE TABLE items (
    tid bigint NOT NULL, hk bytea NOT NULL, rk bytea NOT NULL, data bytea NOT NULL, size bigint NOT NULL,
    PRIMARY KEY (tid, hk, rk));
CREATE TABLE records (
    shard bigint NOT NULL, seq bigint NOT NULL, created double precision NOT NULL, data bytea NOT NULL,
    PRIMARY KEY (shard, seq));
CREATE INDEX records_created ON records (shard, created);
CREATE TABLE index_items (
    iid bigint NOT NULL, hk bytea NOT NULL, rk bytea NOT NULL, thk bytea NOT NULL, trk bytea NOT NULL,
    data bytea NOT NULL, size bigint NOT NULL,
    PRIMARY KEY (iid, hk, rk, thk, trk));
CREATE UNIQUE INDEX index_items_by_table_key ON index_items (iid, thk, trk);
CREATE TABLE counters (name text COLLATE "C" PRIMARY KEY, value bigint NOT NULL);
CREATE TABLE log_messages (
    log text COLLATE "C" NOT NULL, seq bigint NOT NULL, msg_id text NOT NULL, grp text COLLATE "C" NOT NULL,
    visible_at double precision NOT NULL, sent_at double precision NOT NULL,
    receive_count integer NOT NULL DEFAULT 0, first_received double precision, receipt text, data bytea NOT NULL,
    PRIMARY KEY (log, seq));
CREATE INDEX log_messages_visible ON log_messages (log, visible_at);
CREATE INDEX log_messages_group ON log_messages (log, grp, seq);
CREATE INDEX log_messages_sent ON log_messages (log, sent_at);
CREATE TABLE expiring_keys (
    namespace text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, value bytea NOT NULL,
    expires_at double precision NOT NULL,
    PRIMARY KEY (namespace, key));
CREATE INDEX expiring_keys_expiry ON expiring_keys (namespace, expires_at);
""",
    2: """
CREATE TABLE leases (name text COLLATE "C" PRIMARY KEY, holder text NOT NULL, expires_at double precision NOT NULL);
""",
    3: """
CREATE TABLE series_slots (
    series text COLLATE "C" NOT NULL, at double precision NOT NULL, data bytea NOT NULL,
    PRIMARY KEY (series, at));
CREATE INDEX series_slots_at ON series_slots (at);
""",
    # Blob chunks (~1 MB each): stored out of line and uncompressed (object bytes are often compressed already).
    4: """
CREATE TABLE blob_chunks (
    blob text COLLATE "C" NOT NULL, pos bigint NOT NULL, written double precision NOT NULL, data bytea NOT NULL,
    PRIMARY KEY (blob, pos));
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
""",
}

_TABLES = ("docs", "items", "records", "counters", "index_items", "log_messages", "expiring_keys", "leases",
           "series_slots", "blob_chunks")
_BLOB_PAGE = 4                            # chunks per page of a blob read
_LOG_COLUMNS = "seq, msg_id, grp, visible_at, sent_at, receive_count, first_received, receipt, data"
_SCHEMA_LOCK = 0x72697665_72626564 >> 1   # "riverbed": serializes schema creation between starting nodes
_PAGE = 500                               # rows per page of a range read
_SEP = "\x1f"                              # between sender, channel and payload of a notification

log = logging.getLogger("riverbed.storage")

Conn = psycopg.Connection[tuple[Any, ...]]
# PostgreSQL's answers to transactions that got in each other's way (SQLSTATE 40P01, 40001).
_CONFLICTS = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)


class IncompatibleSchemaError(RuntimeError):
    """The database holds a riverbed schema newer than this riverbed understands."""


class _TxnState(threading.local):
    """The transaction of one thread: its connection, nesting depth, hooks and the keys it has locked."""

    def __init__(self) -> None:
        self.conn: Conn | None = None
        self.depth = 0
        self.failed = False
        self.hooks: list[Callable[[], None]] = []
        self.locked: set[int] = set()
        self.notified: set[tuple[str, str]] = set()


class PostgresStore:
    """The store on a pool of PostgreSQL connections (psycopg 3); one transaction per thread at a time."""

    def __init__(self, url: str, *, min_connections: int = 1, max_connections: int = 8) -> None:
        self._pool: ConnectionPool[Conn] = ConnectionPool(
            url, min_size=min_connections, max_size=max_connections, kwargs={"autocommit": True},
            open=True, name="riverbed")
        self._local = _TxnState()
        self._url = url
        self._sender = uuid.uuid4().hex[:16]   # marks this store's own notifications (delivered locally)
        self._subscribers: dict[str, list[Callable[[str], None]]] = {}
        self._listener: threading.Thread | None = None
        self._closing = threading.Event()
        try:
            self._pool.wait(timeout=30.0)
            with self._pool.connection() as conn:
                _migrate(conn)
                row = conn.execute("SELECT current_schema()").fetchone()
        except BaseException:
            self._pool.close()
            raise
        # NOTIFY reaches the whole database: one channel per schema keeps databases shared by schema apart.
        self._channel = f"riverbed.{row[0] if row else 'public'}"[:63]

    @property
    def shared(self) -> bool:
        """Any number of nodes may open the same database (see ``base.Store.shared``)."""
        return True

    def store_time(self) -> float:
        # clock_timestamp(), not now(): now() is frozen at the start of the surrounding transaction.
        row = self._one("SELECT extract(epoch from clock_timestamp())::double precision", ())
        assert row is not None
        return float(row[0])

    # --- transactions --------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[PostgresStore]:
        """A write transaction on one pooled connection.  Nested calls join the outer transaction."""
        st = self._local
        if st.depth:
            st.depth += 1
            try:
                yield self
            except BaseException:
                st.failed = True
                raise
            finally:
                st.depth -= 1
            return
        committed = False
        with self._pool.connection() as conn:
            conn.execute("BEGIN")
            st.conn, st.depth, st.failed, st.hooks, st.locked, st.notified = conn, 1, False, [], set(), set()
            try:
                yield self
                if not st.failed:
                    if conn.info.transaction_status == pq.TransactionStatus.INERROR:
                        # COMMIT would quietly roll back: a statement failed and the caller carried on.
                        raise RuntimeError("a statement of this transaction failed; it was rolled back")
                    conn.execute("COMMIT")
                    committed = True
            finally:
                hooks = st.hooks
                st.conn, st.depth, st.hooks, st.locked = None, 0, [], set()
                if not committed and not conn.closed:
                    conn.execute("ROLLBACK")
        if committed:
            for hook in hooks:
                hook()

    def after_commit(self, callback: Callable[[], None]) -> None:
        if self._local.depth:
            self._local.hooks.append(callback)
        else:
            callback()

    # --- notifications (LISTEN/NOTIFY; see base.Txn.notify and base.Store.subscribe) -------------
    def notify(self, channel: str, payload: str) -> None:
        st = self._local
        if st.depth:
            if (channel, payload) in st.notified:
                return
            st.notified.add((channel, payload))
        # Inside a transaction PostgreSQL sends it at COMMIT and drops it on ROLLBACK.
        self._exec("SELECT pg_notify(%s, %s)", (self._channel, _SEP.join((self._sender, channel, payload))))
        self.after_commit(lambda: self._deliver(channel, payload))

    def subscribe(self, channel: str, callback: Callable[[str], None]) -> None:
        self._subscribers.setdefault(channel, []).append(callback)
        if self._listener is None:
            self._listener = threading.Thread(target=self._listen, name="riverbed-listen", daemon=True)
            self._listener.start()

    def _deliver(self, channel: str, payload: str) -> None:
        for callback in list(self._subscribers.get(channel, ())):
            try:
                callback(payload)
            except Exception:
                log.exception("subscriber of %r failed", channel)

    def _listen(self) -> None:
        """The listener thread: one connection LISTENing on this schema's channel, reconnecting when lost."""
        missed = False
        while not self._closing.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                    if missed:   # notifications sent while no connection listened are lost
                        for channel in list(self._subscribers):
                            self._deliver(channel, "")
                    missed = True
                    while not self._closing.is_set():
                        for note in conn.notifies(timeout=0.5):
                            sender, channel, payload = note.payload.split(_SEP, 2)
                            if sender != self._sender:
                                self._deliver(channel, payload)
            except psycopg.Error:
                if not self._closing.wait(0.5):
                    log.warning("lost the LISTEN connection to PostgreSQL; reconnecting", exc_info=True)

    # Group commit: each transaction already commits on its own pooled connection (threads and
    # connections make grouping the server's job there), so nothing is ever left pending.
    def group_commits(self, schedule: Callable[[Callable[[], None]], None] | None) -> None:
        return None

    def pending_commits(self) -> bool:
        return False

    def flush_commits(self) -> None:
        return None

    def close(self) -> None:
        self._closing.set()
        if self._listener is not None:
            self._listener.join(timeout=2.0)
        self._pool.close()

    def reset(self) -> None:
        self._exec(f"TRUNCATE {', '.join(_TABLES)}", ())

    # --- plumbing ----------------------------------------------------------------------
    @contextmanager
    def _connection(self) -> Iterator[Conn]:
        conn = self._local.conn
        try:
            if conn is not None:
                yield conn
            else:
                with self._pool.connection() as pooled:
                    yield pooled
        except _CONFLICTS as exc:
            raise StoreConflict(str(exc).strip()) from exc

    # Text values pass through ``_text_in``/``_text_out`` (PostgreSQL text cannot hold NUL; see there).
    def _one(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._connection() as conn:
            row = conn.execute(sql, _args_in(args)).fetchone()
        return _row_out(row) if row is not None else None

    def _all(self, sql: str, args: tuple[Any, ...] | list[Any]) -> list[tuple[Any, ...]]:
        with self._connection() as conn:
            return [_row_out(row) for row in conn.execute(sql, _args_in(args)).fetchall()]

    def _exec(self, sql: str, args: tuple[Any, ...]) -> int:
        with self._connection() as conn:
            return conn.execute(sql, _args_in(args)).rowcount

    def _lock(self, *parts: bytes) -> None:
        """Inside a transaction: hold the advisory lock of a logical key until it ends (see module docstring)."""
        st = self._local
        if st.conn is None:
            return
        digest = hashlib.blake2b(digest_size=8)
        for part in parts:
            digest.update(len(part).to_bytes(4, "big"))
            digest.update(part)
        key = int.from_bytes(digest.digest(), "big", signed=True)
        if key not in st.locked:
            try:
                st.conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            except _CONFLICTS as exc:
                raise StoreConflict(str(exc).strip()) from exc
            st.locked.add(key)

    def _lock_item(self, tid: int, hk: bytes, rk: bytes) -> None:
        self._lock(b"item", tid.to_bytes(8, "big", signed=True), hk, rk)

    def _lock_doc(self, kind: str, key: str) -> None:
        self._lock(b"doc", kind.encode(), key.encode())

    def _lock_log(self, log: str) -> None:
        self._lock(b"log", log.encode())

    # --- documents -------------------------------------------------------------------
    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        self._lock_doc(kind, key)
        row = self._one("SELECT doc FROM docs WHERE kind=%s AND key=%s", (kind, key))
        return orjson.loads(row[0]) if row else None

    def put_doc(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        self._lock_doc(kind, key)
        self._exec("INSERT INTO docs (kind, key, doc) VALUES (%s, %s, %s) ON CONFLICT (kind, key) DO UPDATE"
                   " SET doc=excluded.doc", (kind, key, orjson.dumps(doc)))

    def delete_doc(self, kind: str, key: str) -> None:
        self._lock_doc(kind, key)
        self._exec("DELETE FROM docs WHERE kind=%s AND key=%s", (kind, key))

    def list_docs(self, kind: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        rows = self._all("SELECT key, doc FROM docs WHERE kind=%s AND key>=%s AND starts_with(key, %s) ORDER BY key",
                         (kind, prefix, prefix))
        return [(k, orjson.loads(d)) for k, d in rows]

    # --- items -----------------------------------------------------------------------
    def get_item(self, tid: int, hk: bytes, rk: bytes) -> bytes | None:
        self._lock_item(tid, hk, rk)
        row = self._one("SELECT data FROM items WHERE tid=%s AND hk=%s AND rk=%s", (tid, hk, rk))
        return row[0] if row else None

    def put_item(self, tid: int, hk: bytes, rk: bytes, data: bytes, size: int) -> None:
        self._lock_item(tid, hk, rk)
        self._exec("INSERT INTO items (tid, hk, rk, data, size) VALUES (%s, %s, %s, %s, %s)"
                   " ON CONFLICT (tid, hk, rk) DO UPDATE SET data=excluded.data, size=excluded.size",
                   (tid, hk, rk, data, size))

    def delete_item(self, tid: int, hk: bytes, rk: bytes) -> None:
        self._lock_item(tid, hk, rk)
        self._exec("DELETE FROM items WHERE tid=%s AND hk=%s AND rk=%s", (tid, hk, rk))

    def query_items(self, tid: int, hk: bytes, *, low: bytes | None = None, low_inclusive: bool = True,
                    high: bytes | None = None, high_inclusive: bool = True, forward: bool = True,
                    ) -> Iterator[tuple[bytes, bytes]]:
        sql = ["SELECT rk, data FROM items WHERE tid=%s AND hk=%s"]
        args: list[Any] = [tid, hk]
        _range_clause(sql, args, low, low_inclusive, high, high_inclusive)
        for row in self._pages(" ".join(sql), args, "rk", ("rk",), forward, None):
            yield row[0], row[1]

    def scan_items(self, tid: int, after: tuple[bytes, bytes] | None = None) -> Iterator[tuple[bytes, bytes, bytes]]:
        for row in self._pages("SELECT hk, rk, data FROM items WHERE tid=%s", [tid], "hk, rk", ("hk", "rk"),
                               True, after):
            yield row[0], row[1], row[2]

    def drop_items(self, tid: int) -> None:
        self._exec("DELETE FROM items WHERE tid=%s", (tid,))

    def item_stats(self, tid: int) -> tuple[int, int]:
        row = self._one("SELECT count(*), coalesce(sum(size), 0) FROM items WHERE tid=%s", (tid,))
        assert row is not None
        return int(row[0]), int(row[1])

    def _pages(self, select: str, args: list[Any], columns: str, key: tuple[str, ...], forward: bool,
               after: tuple[bytes, ...] | None) -> Iterator[tuple[Any, ...]]:
        """Rows of ``select`` ordered by ``key`` (a prefix of each row), fetched a page at a time, after ``after``."""
        op, order = (">", "ASC") if forward else ("<", "DESC")
        order_by = ", ".join(f"{c} {order}" for c in key)
        cursor = after
        while True:
            sql, page_args = select, list(args)
            if cursor is not None:
                sql += f" AND ({columns}) {op} ({', '.join(['%s'] * len(key))})"
                page_args.extend(cursor)
            rows = self._all(f"{sql} ORDER BY {order_by} LIMIT {_PAGE}", page_args)
            yield from rows
            if len(rows) < _PAGE:
                return
            cursor = tuple(rows[-1][: len(key)])

    # --- secondary-index entries ----------------------------------------------------------
    def index_put(self, iid: int, hk: bytes, rk: bytes, thk: bytes, trk: bytes, data: bytes, size: int) -> None:
        with self._connection() as conn:
            conn.execute("DELETE FROM index_items WHERE iid=%s AND thk=%s AND trk=%s", (iid, thk, trk))
            conn.execute("INSERT INTO index_items (iid, hk, rk, thk, trk, data, size)"
                         " VALUES (%s, %s, %s, %s, %s, %s, %s)", (iid, hk, rk, thk, trk, data, size))

    def index_delete(self, iid: int, thk: bytes, trk: bytes) -> None:
        self._exec("DELETE FROM index_items WHERE iid=%s AND thk=%s AND trk=%s", (iid, thk, trk))

    def index_query(self, iid: int, hk: bytes, *, low: bytes | None = None, low_inclusive: bool = True,
                    high: bytes | None = None, high_inclusive: bool = True, forward: bool = True,
                    after: tuple[bytes, bytes, bytes] | None = None,
                    ) -> Iterator[tuple[bytes, bytes, bytes, bytes]]:
        sql = ["SELECT rk, thk, trk, data FROM index_items WHERE iid=%s AND hk=%s"]
        args: list[Any] = [iid, hk]
        _range_clause(sql, args, low, low_inclusive, high, high_inclusive)
        for row in self._pages(" ".join(sql), args, "rk, thk, trk", ("rk", "thk", "trk"), forward, after):
            yield row[0], row[1], row[2], row[3]

    def index_scan(self, iid: int, after: tuple[bytes, bytes, bytes, bytes] | None = None
                   ) -> Iterator[tuple[bytes, bytes, bytes, bytes, bytes]]:
        for row in self._pages("SELECT hk, rk, thk, trk, data FROM index_items WHERE iid=%s", [iid],
                               "hk, rk, thk, trk", ("hk", "rk", "thk", "trk"), True, after):
            yield row[0], row[1], row[2], row[3], row[4]

    def index_drop(self, iid: int) -> None:
        self._exec("DELETE FROM index_items WHERE iid=%s", (iid,))

    def index_stats(self, iid: int) -> tuple[int, int]:
        row = self._one("SELECT count(*), coalesce(sum(size), 0) FROM index_items WHERE iid=%s", (iid,))
        assert row is not None
        return int(row[0]), int(row[1])

    # --- stream records ------------------------------------------------------------------
    def append_record(self, shard_no: int, seq: int, created: float, data: bytes) -> None:
        self._exec("INSERT INTO records (shard, seq, created, data) VALUES (%s, %s, %s, %s)",
                   (shard_no, seq, created, data))

    def read_records(self, shard_no: int, from_seq: int, limit: int) -> list[tuple[int, float, bytes]]:
        rows = self._all("SELECT seq, created, data FROM records WHERE shard=%s AND seq>=%s ORDER BY seq LIMIT %s",
                         (shard_no, from_seq, limit))
        return [(r[0], r[1], r[2]) for r in rows]

    def first_record(self, shard_no: int) -> tuple[int, float] | None:
        row = self._one("SELECT seq, created FROM records WHERE shard=%s ORDER BY seq LIMIT 1", (shard_no,))
        return (row[0], row[1]) if row else None

    def last_record_seq(self, shard_no: int) -> int | None:
        row = self._one("SELECT max(seq) FROM records WHERE shard=%s", (shard_no,))
        return row[0] if row else None

    def trim_records(self, shard_no: int, created_before: float) -> int:
        return self._exec("DELETE FROM records WHERE shard=%s AND created < %s", (shard_no, created_before))

    def drop_records(self, shard_no: int) -> None:
        self._exec("DELETE FROM records WHERE shard=%s", (shard_no,))

    # --- message logs --------------------------------------------------------------------
    def log_append(self, log: str, seq: int, msg_id: str, group: str, visible_at: float, sent_at: float,
                   data: bytes) -> None:
        self._exec("INSERT INTO log_messages (log, seq, msg_id, grp, visible_at, sent_at, data)"
                   " VALUES (%s, %s, %s, %s, %s, %s, %s)", (log, seq, msg_id, group, visible_at, sent_at, data))

    def log_get(self, log: str, seq: int) -> LogEntry | None:
        self._lock_log(log)
        row = self._one(f"SELECT {_LOG_COLUMNS} FROM log_messages WHERE log=%s AND seq=%s", (log, seq))
        return LogEntry(*row) if row else None

    def log_find_visible(self, log: str, now: float, limit: int, *, group_ordered: bool = False
                         ) -> list[LogEntry]:
        self._lock_log(log)
        if group_ordered:
            rows = self._all(
                f"SELECT {_LOG_COLUMNS} FROM log_messages m WHERE log=%s AND visible_at<=%s AND NOT EXISTS ("
                " SELECT 1 FROM log_messages b WHERE b.log=m.log AND b.grp=m.grp AND b.seq<m.seq"
                " AND b.visible_at>%s) ORDER BY seq LIMIT %s", (log, now, now, limit))
        else:
            rows = self._all(f"SELECT {_LOG_COLUMNS} FROM log_messages WHERE log=%s AND visible_at<=%s"
                             " ORDER BY seq LIMIT %s", (log, now, limit))
        return [LogEntry(*row) for row in rows]

    def log_mark_received(self, log: str, seq: int, now: float, visible_at: float, receipt: str) -> bool:
        self._lock_log(log)
        return self._exec(
            "UPDATE log_messages SET receive_count=receive_count+1, first_received=coalesce(first_received, %s),"
            " visible_at=%s, receipt=%s WHERE log=%s AND seq=%s", (now, visible_at, receipt, log, seq)) > 0

    def log_set_visible_at(self, log: str, seq: int, visible_at: float) -> bool:
        self._lock_log(log)
        return self._exec("UPDATE log_messages SET visible_at=%s WHERE log=%s AND seq=%s",
                          (visible_at, log, seq)) > 0

    def log_delete(self, log: str, seq: int) -> bool:
        self._lock_log(log)
        return self._exec("DELETE FROM log_messages WHERE log=%s AND seq=%s", (log, seq)) > 0

    def log_move(self, log: str, seq: int, target: str, target_seq: int, visible_at: float, data: bytes) -> bool:
        self._lock_log(log)
        # One statement: the row leaves ``log`` and arrives in ``target`` together, also outside a transaction.
        return self._exec(
            "WITH moved AS (DELETE FROM log_messages WHERE log=%s AND seq=%s RETURNING *)"
            " INSERT INTO log_messages (log, seq, msg_id, grp, visible_at, sent_at, receive_count, first_received,"
            " receipt, data) SELECT %s, %s, msg_id, grp, %s, sent_at, receive_count, first_received, NULL, %s"
            " FROM moved", (log, seq, target, target_seq, visible_at, data)) > 0

    def log_purge(self, log: str) -> int:
        self._lock_log(log)
        return self._exec("DELETE FROM log_messages WHERE log=%s", (log,))

    def log_counts(self, log: str, now: float) -> LogCounts:
        row = self._one(
            "SELECT count(*) FILTER (WHERE visible_at<=%s),"
            " count(*) FILTER (WHERE visible_at>%s AND receipt IS NOT NULL),"
            " count(*) FILTER (WHERE visible_at>%s AND receipt IS NULL) FROM log_messages WHERE log=%s",
            (now, now, now, log))
        assert row is not None
        return LogCounts(int(row[0]), int(row[1]), int(row[2]))

    def log_next_visible_at(self, log: str, now: float) -> float | None:
        row = self._one("SELECT min(visible_at) FROM log_messages WHERE log=%s AND visible_at>%s", (log, now))
        return float(row[0]) if row and row[0] is not None else None

    def log_expire(self, log: str, sent_before: float) -> int:
        self._lock_log(log)
        return self._exec("DELETE FROM log_messages WHERE log=%s AND sent_at<%s", (log, sent_before))

    # --- expiring keys ---------------------------------------------------------------------
    def put_key_if_absent(self, namespace: str, key: str, value: bytes, expires_at: float, now: float
                          ) -> bytes | None:
        # The upsert claims an absent or lapsed key; on a live key it changes nothing but locks the row,
        # so the value read next is the one that stays.
        claimed = self._exec(
            "INSERT INTO expiring_keys (namespace, key, value, expires_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (namespace, key) DO UPDATE SET value=excluded.value, expires_at=excluded.expires_at"
            " WHERE expiring_keys.expires_at<=%s", (namespace, key, value, expires_at, now))
        if claimed > 0:
            return None
        return self.get_key(namespace, key, now)

    def get_key(self, namespace: str, key: str, now: float) -> bytes | None:
        row = self._one("SELECT value FROM expiring_keys WHERE namespace=%s AND key=%s AND expires_at>%s",
                        (namespace, key, now))
        return bytes(row[0]) if row else None

    def prune_keys(self, namespace: str, now: float) -> int:
        return self._exec("DELETE FROM expiring_keys WHERE namespace=%s AND expires_at<=%s", (namespace, now))

    def drop_keys(self, namespace: str) -> int:
        return self._exec("DELETE FROM expiring_keys WHERE namespace=%s", (namespace,))

    # --- time series ------------------------------------------------------------------------
    def _lock_slot(self, series: str, at: float) -> None:
        self._lock(b"slot", series.encode(), struct.pack(">d", at))

    def series_get(self, series: str, at: float) -> bytes | None:
        self._lock_slot(series, at)
        row = self._one("SELECT data FROM series_slots WHERE series=%s AND at=%s", (series, at))
        return bytes(row[0]) if row else None

    def series_put(self, series: str, at: float, data: bytes) -> None:
        self._lock_slot(series, at)
        self._exec("INSERT INTO series_slots (series, at, data) VALUES (%s, %s, %s) ON CONFLICT (series, at)"
                   " DO UPDATE SET data=excluded.data", (series, at, data))

    def series_range(self, series: str, start: float, end: float) -> list[tuple[float, bytes]]:
        rows = self._all("SELECT at, data FROM series_slots WHERE series=%s AND at>=%s AND at<%s ORDER BY at",
                         (series, start, end))
        return [(float(r[0]), bytes(r[1])) for r in rows]

    def series_names(self, prefix: str = "") -> list[tuple[str, float]]:
        rows = self._all("SELECT series, max(at) FROM series_slots WHERE series>=%s AND starts_with(series, %s)"
                         " GROUP BY series ORDER BY series", (prefix, prefix))
        return [(r[0], float(r[1])) for r in rows]

    def series_trim(self, before: float) -> int:
        return self._exec("DELETE FROM series_slots WHERE at<%s", (before,))

    # --- leases --------------------------------------------------------------------------
    def acquire_lease(self, name: str, holder: str, now: float, ttl: float) -> bool:
        # ON CONFLICT re-checks the WHERE on the row's latest version under its row lock: one racer wins.
        return self._exec(
            "INSERT INTO leases (name, holder, expires_at) VALUES (%s, %s, %s) ON CONFLICT (name) DO UPDATE SET"
            " holder=excluded.holder, expires_at=excluded.expires_at"
            " WHERE leases.holder=excluded.holder OR leases.expires_at<=%s", (name, holder, now + ttl, now)) > 0

    def renew_lease(self, name: str, holder: str, now: float, ttl: float) -> bool:
        return self._exec("UPDATE leases SET expires_at=%s WHERE name=%s AND holder=%s AND expires_at>%s",
                          (now + ttl, name, holder, now)) > 0

    def release_lease(self, name: str, holder: str) -> bool:
        return self._exec("DELETE FROM leases WHERE name=%s AND holder=%s", (name, holder)) > 0

    def list_leases(self, prefix: str = "") -> list[tuple[str, str, float]]:
        rows = self._all("SELECT name, holder, expires_at FROM leases WHERE name>=%s AND starts_with(name, %s)"
                         " ORDER BY name", (prefix, prefix))
        return [(r[0], r[1], float(r[2])) for r in rows]

    # --- blobs ---------------------------------------------------------------------------
    def blob_put(self, blob_id: str, pos: int, data: bytes, written: float) -> None:
        self._exec("INSERT INTO blob_chunks (blob, pos, written, data) VALUES (%s, %s, %s, %s)"
                   " ON CONFLICT (blob, pos) DO UPDATE SET written=excluded.written, data=excluded.data",
                   (blob_id, pos, written, data))

    def blob_read(self, blob_id: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        # A page at a time on a pooled connection: no connection is held while the caller uses the chunks.
        last = end if end is not None else -1
        rows = self._all(
            "SELECT pos, data FROM blob_chunks WHERE blob=%s AND pos>=coalesce((SELECT max(pos) FROM blob_chunks"
            " WHERE blob=%s AND pos<=%s), 0) AND (%s<0 OR pos<=%s) ORDER BY pos LIMIT %s",
            (blob_id, blob_id, start, last, last, _BLOB_PAGE))
        while rows:
            for pos, data in rows:
                yield int(pos), bytes(data)
            if len(rows) < _BLOB_PAGE:
                return
            rows = self._all("SELECT pos, data FROM blob_chunks WHERE blob=%s AND pos>%s AND (%s<0 OR pos<=%s)"
                             " ORDER BY pos LIMIT %s", (blob_id, rows[-1][0], last, last, _BLOB_PAGE))

    def blob_delete(self, blob_id: str) -> int:
        return self._exec("DELETE FROM blob_chunks WHERE blob=%s", (blob_id,))

    def blob_list(self, written_before: float) -> list[str]:
        rows = self._all("SELECT blob FROM blob_chunks GROUP BY blob HAVING max(written)<%s ORDER BY blob",
                         (written_before,))
        return [r[0] for r in rows]

    # --- counters ------------------------------------------------------------------------
    def next_counter(self, name: str, step: int = 1) -> int:
        row = self._one("INSERT INTO counters (name, value) VALUES (%s, %s)"
                        " ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value",
                        (name, step))
        assert row is not None
        return int(row[0])


def _migrate(conn: Conn) -> None:
    """Create or upgrade the schema to ``SCHEMA_VERSION``; refuse a newer one.  One starting node at a time."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS riverbed_schema ("
                     " id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)")
        row = conn.execute("SELECT version FROM riverbed_schema").fetchone()
        current = int(row[0]) if row else 0
        if current > SCHEMA_VERSION:
            schema = conn.execute("SELECT current_schema()").fetchone()
            raise IncompatibleSchemaError(
                f"database {conn.info.dbname!r} (schema {schema[0] if schema else '?'!r}) holds riverbed schema"
                f" version {current}, newer than version {SCHEMA_VERSION} that this riverbed understands:"
                " upgrade riverbed on this node, or point it at another database")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            conn.execute(MIGRATIONS[version])
        if current < SCHEMA_VERSION:
            conn.execute("INSERT INTO riverbed_schema (id, version) VALUES (1, %s)"
                         " ON CONFLICT (id) DO UPDATE SET version=excluded.version", (SCHEMA_VERSION,))


def _args_in(args: tuple[Any, ...] | list[Any]) -> list[Any]:
    return [_text_in(a) if type(a) is str else a for a in args]


def _row_out(row: tuple[Any, ...]) -> tuple[Any, ...]:
    if any(type(v) is str and "\x01" in v for v in row):
        return tuple(_text_out(v) if type(v) is str else v for v in row)
    return row


def _text_in(text: str) -> str:
    """Text as PostgreSQL stores it: text cannot hold NUL, so U+0000 becomes U+0001 U+0001 and U+0001
    becomes U+0001 U+0002.  The mapping keeps code-point order and prefixes (``list_docs``, ``list_leases``)."""
    if "\x00" not in text and "\x01" not in text:
        return text
    return text.replace("\x01", "\x01\x02").replace("\x00", "\x01\x01")


_ESCAPED = re.compile("\x01([\x01\x02])")


def _text_out(text: str) -> str:
    if "\x01" not in text:
        return text
    return _ESCAPED.sub(lambda m: "\x00" if m.group(1) == "\x01" else "\x01", text)


def _range_clause(sql: list[str], args: list[Any], low: bytes | None, low_inclusive: bool, high: bytes | None,
                  high_inclusive: bool) -> None:
    """Range-key bounds of a Query, on the table or on an index."""
    if low is not None:
        sql.append("AND rk >= %s" if low_inclusive else "AND rk > %s")
        args.append(low)
    if high is not None:
        sql.append("AND rk <= %s" if high_inclusive else "AND rk < %s")
        args.append(high)

"""SQLite engine of the store: one file (WAL) under the data dir, or ``:memory:``.

Owns: the schema, the SQL, transactions and their after-commit hooks.  Each method implements the
contract documented on ``base.Txn``/``base.Store`` (see there for ordering and edge cases).

Durability: WAL with ``synchronous=NORMAL``.  A committed transaction is in
the WAL before ``COMMIT`` returns, so it survives the riverbed process being
killed (kill -9); only an operating-system crash or power loss can drop the
last transactions.  That is the trade every local database makes for speed.

Checkpoints (copying the WAL into the database file, with its ``fsync``) run on
a thread of their own with its own connection (:class:`_Checkpointer`), never
inside a commit: SQLite's automatic checkpoint would run in whichever COMMIT
crossed 1,000 pages, stalling every request waiting on the event loop.

Must not: interpret items or records (they are opaque bytes) or call the clock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from riverbed.storage.base import LogCounts, LogEntry

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL, key TEXT NOT NULL, doc BLOB NOT NULL,
    PRIMARY KEY (kind, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS items (
    tid INTEGER NOT NULL, hk BLOB NOT NULL, rk BLOB NOT NULL, data BLOB NOT NULL, size INTEGER NOT NULL,
    PRIMARY KEY (tid, hk, rk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
    shard INTEGER NOT NULL, seq INTEGER NOT NULL, created REAL NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (shard, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS index_items (
    iid INTEGER NOT NULL, hk BLOB NOT NULL, rk BLOB NOT NULL, thk BLOB NOT NULL, trk BLOB NOT NULL,
    data BLOB NOT NULL, size INTEGER NOT NULL,
    PRIMARY KEY (iid, hk, rk, thk, trk)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS index_items_by_table_key ON index_items (iid, thk, trk);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_messages (
    log TEXT NOT NULL, seq INTEGER NOT NULL, msg_id TEXT NOT NULL, grp TEXT NOT NULL,
    visible_at REAL NOT NULL, sent_at REAL NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0,
    first_received REAL, receipt TEXT, data BLOB NOT NULL,
    PRIMARY KEY (log, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS log_messages_visible ON log_messages (log, visible_at);
CREATE INDEX IF NOT EXISTS log_messages_group ON log_messages (log, grp, seq);
CREATE INDEX IF NOT EXISTS log_messages_sent ON log_messages (log, sent_at);
CREATE TABLE IF NOT EXISTS expiring_keys (
    namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (namespace, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS expiring_keys_expiry ON expiring_keys (namespace, expires_at);
CREATE TABLE IF NOT EXISTS series_slots (
    series TEXT NOT NULL, at REAL NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (series, at)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS series_slots_at ON series_slots (at);
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blob_chunks (
    blob TEXT NOT NULL, pos INTEGER NOT NULL, written REAL NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (blob, pos));
"""

_TABLES = ("docs", "items", "records", "counters", "index_items", "log_messages", "expiring_keys", "leases",
           "series_slots", "blob_chunks")
_BLOB_PAGE = 4   # chunks per page of a blob read
_LOG_COLUMNS = "seq, msg_id, grp, visible_at, sent_at, receive_count, first_received, receipt, data"

DB_FILE = "riverbed.sqlite3"


class SqliteStore:
    """The store on one SQLite connection; a transaction and direct reads share that connection."""

    def __init__(self, data_dir: str | None) -> None:
        if data_dir is None:
            path = ":memory:"
        else:
            os.makedirs(data_dir, exist_ok=True)
            path = os.path.join(data_dir, DB_FILE)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                   cached_statements=256)
        # Incremental auto-vacuum (takes effect on a new file): trimmed stream records give their pages back
        # to the file (``trim_records``) instead of leaving it at its high-water mark.  The WAL file is cut
        # back to 8 MB after each checkpoint.
        self._db.execute("PRAGMA auto_vacuum=INCREMENTAL")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA journal_size_limit=8388608")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=OFF")
        self._db.execute("PRAGMA temp_store=MEMORY")
        self._db.execute("PRAGMA cache_size=-16384")
        self._db.executescript(SCHEMA)
        self._checkpointer: _Checkpointer | None = None
        if data_dir is not None:
            self._db.execute("PRAGMA wal_autocheckpoint=0")   # checkpoints are the checkpointer thread's
            self._checkpointer = _Checkpointer(path)
        self._depth = 0
        self._hooks: list[Callable[[], None]] = []
        self._failed = False
        # Group commit (see ``group_commits``): the open group's after-commit hooks and the scheduler.
        self._schedule: Callable[[Callable[[], None]], None] | None = None
        self._group_open = False
        self._group_hooks: list[Callable[[], None]] = []
        self._lock = threading.RLock()   # one transaction (or group commit) at a time on the connection
        self._subscribers: dict[str, list[Callable[[str], None]]] = {}

    @property
    def shared(self) -> bool:
        """One process owns the file (see ``base.Store.shared``)."""
        return False

    def store_time(self) -> float:
        # SQLite's own 'now' (the machine's wall clock, millisecond resolution), as a Unix time.
        row = self._db.execute("SELECT (julianday('now') - 2440587.5) * 86400.0").fetchone()
        return float(row[0])

    # --- transactions --------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[SqliteStore]:
        """A write transaction.  Nested calls join the outer transaction.

        One transaction at a time on the connection: threads other than the server loop's (the in-process
        testing API, worker-pool callbacks) wait for the lock instead of joining another thread's transaction
        or slipping a savepoint into a group while the loop commits it.
        """
        with self._lock:
            yield from self._transaction()

    def _transaction(self) -> Iterator[SqliteStore]:
        if self._depth:
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._failed = True
                raise
            finally:
                self._depth -= 1
            return
        grouped = self._schedule is not None
        begin: tuple[str, ...]
        undo: tuple[str, ...]
        done: tuple[str, ...]
        if grouped:
            # One transaction of a group: a savepoint inside the group's open SQLite transaction.
            if not self._group_open:
                self._db.execute("BEGIN IMMEDIATE")
                self._group_open = True
                assert self._schedule is not None
                self._schedule(self.flush_commits)
            begin, undo, done = ("SAVEPOINT txn",), ("ROLLBACK TO txn", "RELEASE txn"), ("RELEASE txn",)
        else:
            begin, undo, done = ("BEGIN IMMEDIATE",), ("ROLLBACK",), ("COMMIT",)
        for statement in begin:
            self._db.execute(statement)
        self._depth = 1
        self._failed = False
        try:
            yield self
        except BaseException:
            self._depth = 0
            self._undo(undo)
            raise
        self._depth = 0
        if self._failed:
            self._undo(undo)
            return
        for statement in done:
            self._db.execute(statement)
        hooks, self._hooks = self._hooks, []
        if grouped:
            self._group_hooks.extend(hooks)      # they run after the group's commit
        else:
            for hook in hooks:
                hook()

    def _undo(self, statements: tuple[str, ...]) -> None:
        self._hooks.clear()
        for statement in statements:
            self._db.execute(statement)

    def group_commits(self, schedule: Callable[[Callable[[], None]], None] | None) -> None:
        if schedule is None:
            self.flush_commits()
        self._schedule = schedule

    def pending_commits(self) -> bool:
        return self._group_open

    def flush_commits(self) -> None:
        with self._lock:
            self._flush_commits()

    def _flush_commits(self) -> None:
        if not self._group_open:
            return
        self._group_open = False
        hooks, self._group_hooks = self._group_hooks, []
        try:
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        for hook in hooks:
            hook()

    def after_commit(self, callback: Callable[[], None]) -> None:
        if self._depth:
            self._hooks.append(callback)
        elif self._group_open:
            self._group_hooks.append(callback)
        else:
            callback()

    # --- notifications: one process owns the file, so they stay in it ------------------------
    def notify(self, channel: str, payload: str) -> None:
        self.after_commit(lambda: self._deliver(channel, payload))

    def subscribe(self, channel: str, callback: Callable[[str], None]) -> None:
        self._subscribers.setdefault(channel, []).append(callback)

    def _deliver(self, channel: str, payload: str) -> None:
        for callback in list(self._subscribers.get(channel, ())):
            callback(payload)

    def close(self) -> None:
        try:
            self.flush_commits()
        except sqlite3.Error:
            pass
        if self._checkpointer is not None:
            self._checkpointer.stop()
        try:
            self._db.close()
        except sqlite3.Error:
            pass

    def reset(self) -> None:
        for table in _TABLES:
            self._db.execute(f"DELETE FROM {table}")

    # --- documents -------------------------------------------------------------------
    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT doc FROM docs WHERE kind=? AND key=?", (kind, key)).fetchone()
        return orjson.loads(row[0]) if row else None

    def put_doc(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        self._db.execute("INSERT OR REPLACE INTO docs (kind, key, doc) VALUES (?, ?, ?)",
                         (kind, key, orjson.dumps(doc)))

    def delete_doc(self, kind: str, key: str) -> None:
        self._db.execute("DELETE FROM docs WHERE kind=? AND key=?", (kind, key))

    def list_docs(self, kind: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        if prefix:
            rows = self._db.execute(
                "SELECT key, doc FROM docs WHERE kind=? AND key>=? AND key<? ORDER BY key",
                (kind, prefix, prefix + "\U0010ffff")).fetchall()
        else:
            rows = self._db.execute("SELECT key, doc FROM docs WHERE kind=? ORDER BY key", (kind,)).fetchall()
        return [(k, orjson.loads(d)) for k, d in rows]

    # --- items -----------------------------------------------------------------------
    def get_item(self, tid: int, hk: bytes, rk: bytes) -> bytes | None:
        row = self._db.execute("SELECT data FROM items WHERE tid=? AND hk=? AND rk=?", (tid, hk, rk)).fetchone()
        return row[0] if row else None

    def put_item(self, tid: int, hk: bytes, rk: bytes, data: bytes, size: int) -> None:
        self._db.execute("INSERT OR REPLACE INTO items (tid, hk, rk, data, size) VALUES (?, ?, ?, ?, ?)",
                         (tid, hk, rk, data, size))

    def delete_item(self, tid: int, hk: bytes, rk: bytes) -> None:
        self._db.execute("DELETE FROM items WHERE tid=? AND hk=? AND rk=?", (tid, hk, rk))

    def query_items(self, tid: int, hk: bytes, *, low: bytes | None = None, low_inclusive: bool = True,
                    high: bytes | None = None, high_inclusive: bool = True, forward: bool = True,
                    ) -> Iterator[tuple[bytes, bytes]]:
        sql = ["SELECT rk, data FROM items WHERE tid=? AND hk=?"]
        args: list[Any] = [tid, hk]
        _range_clause(sql, args, low, low_inclusive, high, high_inclusive)
        sql.append("ORDER BY rk" if forward else "ORDER BY rk DESC")
        yield from self._db.execute(" ".join(sql), args)

    def scan_items(self, tid: int, after: tuple[bytes, bytes] | None = None) -> Iterator[tuple[bytes, bytes, bytes]]:
        if after is None:
            cur = self._db.execute("SELECT hk, rk, data FROM items WHERE tid=? ORDER BY hk, rk", (tid,))
        else:
            cur = self._db.execute(
                "SELECT hk, rk, data FROM items WHERE tid=? AND (hk > ? OR (hk = ? AND rk > ?)) ORDER BY hk, rk",
                (tid, after[0], after[0], after[1]))
        yield from cur

    def drop_items(self, tid: int) -> None:
        self._db.execute("DELETE FROM items WHERE tid=?", (tid,))

    def item_stats(self, tid: int) -> tuple[int, int]:
        count, size = self._db.execute("SELECT count(*), coalesce(sum(size), 0) FROM items WHERE tid=?",
                                       (tid,)).fetchone()
        return int(count), int(size)

    # --- secondary-index entries ----------------------------------------------------------
    def index_put(self, iid: int, hk: bytes, rk: bytes, thk: bytes, trk: bytes, data: bytes, size: int) -> None:
        self._db.execute("DELETE FROM index_items WHERE iid=? AND thk=? AND trk=?", (iid, thk, trk))
        self._db.execute("INSERT INTO index_items (iid, hk, rk, thk, trk, data, size) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (iid, hk, rk, thk, trk, data, size))

    def index_delete(self, iid: int, thk: bytes, trk: bytes) -> None:
        self._db.execute("DELETE FROM index_items WHERE iid=? AND thk=? AND trk=?", (iid, thk, trk))

    def index_query(self, iid: int, hk: bytes, *, low: bytes | None = None, low_inclusive: bool = True,
                    high: bytes | None = None, high_inclusive: bool = True, forward: bool = True,
                    after: tuple[bytes, bytes, bytes] | None = None,
                    ) -> Iterator[tuple[bytes, bytes, bytes, bytes]]:
        sql = ["SELECT rk, thk, trk, data FROM index_items WHERE iid=? AND hk=?"]
        args: list[Any] = [iid, hk]
        _range_clause(sql, args, low, low_inclusive, high, high_inclusive)
        if after is not None:
            op = ">" if forward else "<"
            sql.append(f"AND (rk, thk, trk) {op} (?, ?, ?)")
            args.extend(after)
        order = "ASC" if forward else "DESC"
        sql.append(f"ORDER BY rk {order}, thk {order}, trk {order}")
        yield from self._db.execute(" ".join(sql), args)

    def index_scan(self, iid: int, after: tuple[bytes, bytes, bytes, bytes] | None = None
                   ) -> Iterator[tuple[bytes, bytes, bytes, bytes, bytes]]:
        if after is None:
            cur = self._db.execute("SELECT hk, rk, thk, trk, data FROM index_items WHERE iid=? "
                                   "ORDER BY hk, rk, thk, trk", (iid,))
        else:
            cur = self._db.execute("SELECT hk, rk, thk, trk, data FROM index_items WHERE iid=? "
                                   "AND (hk, rk, thk, trk) > (?, ?, ?, ?) ORDER BY hk, rk, thk, trk", (iid, *after))
        yield from cur

    def index_drop(self, iid: int) -> None:
        self._db.execute("DELETE FROM index_items WHERE iid=?", (iid,))

    def index_stats(self, iid: int) -> tuple[int, int]:
        count, size = self._db.execute("SELECT count(*), coalesce(sum(size), 0) FROM index_items WHERE iid=?",
                                       (iid,)).fetchone()
        return int(count), int(size)

    # --- stream records ------------------------------------------------------------------
    def append_record(self, shard_no: int, seq: int, created: float, data: bytes) -> None:
        self._db.execute("INSERT INTO records (shard, seq, created, data) VALUES (?, ?, ?, ?)",
                         (shard_no, seq, created, data))

    def read_records(self, shard_no: int, from_seq: int, limit: int) -> list[tuple[int, float, bytes]]:
        return self._db.execute(
            "SELECT seq, created, data FROM records WHERE shard=? AND seq>=? ORDER BY seq LIMIT ?",
            (shard_no, from_seq, limit)).fetchall()

    def first_record(self, shard_no: int) -> tuple[int, float] | None:
        row = self._db.execute("SELECT seq, created FROM records WHERE shard=? ORDER BY seq LIMIT 1",
                               (shard_no,)).fetchone()
        return (row[0], row[1]) if row else None

    def last_record_seq(self, shard_no: int) -> int | None:
        row = self._db.execute("SELECT max(seq) FROM records WHERE shard=?", (shard_no,)).fetchone()
        return row[0] if row else None

    def trim_records(self, shard_no: int, created_before: float) -> int:
        cur = self._db.execute("DELETE FROM records WHERE shard=? AND created < ?", (shard_no, created_before))
        self._give_back_pages()   # also what an earlier, larger trim left over
        return cur.rowcount

    def _give_back_pages(self, most: int = 4096) -> None:
        """Return up to ``most`` free pages to the file system (incremental auto-vacuum).

        Python's sqlite3 runs one step of ``PRAGMA incremental_vacuum`` per execute, one page per step, and
        leaves the statement open unless its cursor is closed; so: one page per execute, cursor closed.
        About 12 µs a page; retention trims come in small steps, so this stays short.
        """
        free = self._db.execute("PRAGMA freelist_count").fetchone()[0]
        for _ in range(min(free, most)):
            self._db.execute("PRAGMA incremental_vacuum(1)").close()

    def drop_records(self, shard_no: int) -> None:
        self._db.execute("DELETE FROM records WHERE shard=?", (shard_no,))

    # --- message logs --------------------------------------------------------------------
    def log_append(self, log: str, seq: int, msg_id: str, group: str, visible_at: float, sent_at: float,
                   data: bytes) -> None:
        self._db.execute(
            "INSERT INTO log_messages (log, seq, msg_id, grp, visible_at, sent_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (log, seq, msg_id, group, visible_at, sent_at, data))

    def log_get(self, log: str, seq: int) -> LogEntry | None:
        row = self._db.execute(f"SELECT {_LOG_COLUMNS} FROM log_messages WHERE log=? AND seq=?",
                               (log, seq)).fetchone()
        return LogEntry(*row) if row else None

    def log_find_visible(self, log: str, now: float, limit: int, *, group_ordered: bool = False
                         ) -> list[LogEntry]:
        if group_ordered:
            rows = self._db.execute(
                f"SELECT {_LOG_COLUMNS} FROM log_messages m WHERE log=? AND visible_at<=? AND NOT EXISTS ("
                " SELECT 1 FROM log_messages b WHERE b.log=m.log AND b.grp=m.grp AND b.seq<m.seq"
                " AND b.visible_at>?) ORDER BY seq LIMIT ?", (log, now, now, limit)).fetchall()
        else:
            rows = self._db.execute(
                f"SELECT {_LOG_COLUMNS} FROM log_messages WHERE log=? AND visible_at<=? ORDER BY seq LIMIT ?",
                (log, now, limit)).fetchall()
        return [LogEntry(*row) for row in rows]

    def log_mark_received(self, log: str, seq: int, now: float, visible_at: float, receipt: str) -> bool:
        cur = self._db.execute(
            "UPDATE log_messages SET receive_count=receive_count+1, first_received=coalesce(first_received, ?),"
            " visible_at=?, receipt=? WHERE log=? AND seq=?", (now, visible_at, receipt, log, seq))
        return cur.rowcount > 0

    def log_set_visible_at(self, log: str, seq: int, visible_at: float) -> bool:
        cur = self._db.execute("UPDATE log_messages SET visible_at=? WHERE log=? AND seq=?", (visible_at, log, seq))
        return cur.rowcount > 0

    def log_delete(self, log: str, seq: int) -> bool:
        return self._db.execute("DELETE FROM log_messages WHERE log=? AND seq=?", (log, seq)).rowcount > 0

    def log_move(self, log: str, seq: int, target: str, target_seq: int, visible_at: float, data: bytes) -> bool:
        cur = self._db.execute(
            "INSERT INTO log_messages (log, seq, msg_id, grp, visible_at, sent_at, receive_count, first_received,"
            " receipt, data) SELECT ?, ?, msg_id, grp, ?, sent_at, receive_count, first_received, NULL, ?"
            " FROM log_messages WHERE log=? AND seq=?", (target, target_seq, visible_at, data, log, seq))
        if cur.rowcount == 0:
            return False
        return self.log_delete(log, seq)

    def log_purge(self, log: str) -> int:
        return self._db.execute("DELETE FROM log_messages WHERE log=?", (log,)).rowcount

    def log_counts(self, log: str, now: float) -> LogCounts:
        row = self._db.execute(
            "SELECT coalesce(sum(visible_at<=?), 0), coalesce(sum(visible_at>? AND receipt IS NOT NULL), 0),"
            " coalesce(sum(visible_at>? AND receipt IS NULL), 0) FROM log_messages WHERE log=?",
            (now, now, now, log)).fetchone()
        return LogCounts(int(row[0]), int(row[1]), int(row[2]))

    def log_next_visible_at(self, log: str, now: float) -> float | None:
        row = self._db.execute("SELECT min(visible_at) FROM log_messages WHERE log=? AND visible_at>?",
                               (log, now)).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def log_expire(self, log: str, sent_before: float) -> int:
        return self._db.execute("DELETE FROM log_messages WHERE log=? AND sent_at<?", (log, sent_before)).rowcount

    # --- expiring keys ---------------------------------------------------------------------
    def put_key_if_absent(self, namespace: str, key: str, value: bytes, expires_at: float, now: float
                          ) -> bytes | None:
        # One statement claims the key when it is absent or lapsed; a live key makes it a no-op.
        cur = self._db.execute(
            "INSERT INTO expiring_keys (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(namespace, key) DO UPDATE SET value=excluded.value, expires_at=excluded.expires_at"
            " WHERE expiring_keys.expires_at<=?", (namespace, key, value, expires_at, now))
        if cur.rowcount > 0:
            return None
        return self.get_key(namespace, key, now)

    def get_key(self, namespace: str, key: str, now: float) -> bytes | None:
        row = self._db.execute("SELECT value FROM expiring_keys WHERE namespace=? AND key=? AND expires_at>?",
                               (namespace, key, now)).fetchone()
        return bytes(row[0]) if row else None

    def prune_keys(self, namespace: str, now: float) -> int:
        return self._db.execute("DELETE FROM expiring_keys WHERE namespace=? AND expires_at<=?",
                                (namespace, now)).rowcount

    def drop_keys(self, namespace: str) -> int:
        return self._db.execute("DELETE FROM expiring_keys WHERE namespace=?", (namespace,)).rowcount

    # --- time series ------------------------------------------------------------------------
    def series_get(self, series: str, at: float) -> bytes | None:
        row = self._db.execute("SELECT data FROM series_slots WHERE series=? AND at=?", (series, at)).fetchone()
        return bytes(row[0]) if row else None

    def series_put(self, series: str, at: float, data: bytes) -> None:
        self._db.execute("INSERT OR REPLACE INTO series_slots (series, at, data) VALUES (?, ?, ?)",
                         (series, at, data))

    def series_range(self, series: str, start: float, end: float) -> list[tuple[float, bytes]]:
        rows = self._db.execute("SELECT at, data FROM series_slots WHERE series=? AND at>=? AND at<? ORDER BY at",
                                (series, start, end)).fetchall()
        return [(float(r[0]), bytes(r[1])) for r in rows]

    def series_names(self, prefix: str = "") -> list[tuple[str, float]]:
        rows = self._db.execute("SELECT series, max(at) FROM series_slots WHERE series>=? AND series<?"
                                " GROUP BY series ORDER BY series", (prefix, prefix + "\U0010ffff")).fetchall()
        return [(r[0], float(r[1])) for r in rows]

    def series_trim(self, before: float) -> int:
        return self._db.execute("DELETE FROM series_slots WHERE at<?", (before,)).rowcount

    # --- leases --------------------------------------------------------------------------
    def acquire_lease(self, name: str, holder: str, now: float, ttl: float) -> bool:
        cur = self._db.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
            " holder=excluded.holder, expires_at=excluded.expires_at"
            " WHERE leases.holder=excluded.holder OR leases.expires_at<=?", (name, holder, now + ttl, now))
        return cur.rowcount > 0

    def renew_lease(self, name: str, holder: str, now: float, ttl: float) -> bool:
        return self._db.execute("UPDATE leases SET expires_at=? WHERE name=? AND holder=? AND expires_at>?",
                                (now + ttl, name, holder, now)).rowcount > 0

    def release_lease(self, name: str, holder: str) -> bool:
        return self._db.execute("DELETE FROM leases WHERE name=? AND holder=?", (name, holder)).rowcount > 0

    def list_leases(self, prefix: str = "") -> list[tuple[str, str, float]]:
        rows = self._db.execute("SELECT name, holder, expires_at FROM leases WHERE name>=? AND name<? ORDER BY name",
                                (prefix, prefix + "\U0010ffff")).fetchall()
        return [(r[0], r[1], float(r[2])) for r in rows]

    # --- blobs ---------------------------------------------------------------------------
    def blob_put(self, blob_id: str, pos: int, data: bytes, written: float) -> None:
        self._db.execute("INSERT OR REPLACE INTO blob_chunks (blob, pos, written, data) VALUES (?, ?, ?, ?)",
                         (blob_id, pos, written, data))

    def blob_read(self, blob_id: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        # Paged (fetchall per page): no cursor stays open while the caller writes on the same connection.
        last = end if end is not None else -1
        rows = self._db.execute(
            "SELECT pos, data FROM blob_chunks WHERE blob=? AND pos>=coalesce((SELECT max(pos) FROM blob_chunks"
            " WHERE blob=? AND pos<=?), 0) AND (?<0 OR pos<=?) ORDER BY pos LIMIT ?",
            (blob_id, blob_id, start, last, last, _BLOB_PAGE)).fetchall()
        while rows:
            for pos, data in rows:
                yield int(pos), bytes(data)
            if len(rows) < _BLOB_PAGE:
                return
            rows = self._db.execute(
                "SELECT pos, data FROM blob_chunks WHERE blob=? AND pos>? AND (?<0 OR pos<=?) ORDER BY pos LIMIT ?",
                (blob_id, rows[-1][0], last, last, _BLOB_PAGE)).fetchall()

    def blob_delete(self, blob_id: str) -> int:
        return self._db.execute("DELETE FROM blob_chunks WHERE blob=?", (blob_id,)).rowcount

    def blob_list(self, written_before: float) -> list[str]:
        rows = self._db.execute("SELECT blob FROM blob_chunks GROUP BY blob HAVING max(written)<? ORDER BY blob",
                                (written_before,)).fetchall()
        return [r[0] for r in rows]

    # --- counters ------------------------------------------------------------------------
    def next_counter(self, name: str, step: int = 1) -> int:
        row = self._db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value RETURNING value",
            (name, step)).fetchone()
        return int(row[0])


class _Checkpointer:
    """Copies the WAL into the database file every ``interval`` seconds (real time) on a daemon thread, with a
    connection of its own, in PASSIVE mode: it never waits for the writer nor blocks it.  A WAL that is fully
    copied is reused from its start by the next write (and cut back to ``journal_size_limit``), so the file
    stays about one interval of writes long.  ``stop`` ends the thread with a last full checkpoint."""

    def __init__(self, path: str, interval: float = 0.5) -> None:
        self._path = path
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="riverbed-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=5.0)
        try:
            db.execute("PRAGMA journal_size_limit=8388608")
            while not self._stopping.wait(self._interval):
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    continue   # busy or locked for a moment: the next round copies it
            try:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.Error:
                pass
        finally:
            db.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10.0)


def _range_clause(sql: list[str], args: list[Any], low: bytes | None, low_inclusive: bool, high: bytes | None,
                  high_inclusive: bool) -> None:
    """Range-key bounds of a Query, on the table or on an index."""
    if low is not None:
        sql.append("AND rk >= ?" if low_inclusive else "AND rk > ?")
        args.append(low)
    if high is not None:
        sql.append("AND rk <= ?" if high_inclusive else "AND rk < ?")
        args.append(high)

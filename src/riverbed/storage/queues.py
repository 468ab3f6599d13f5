"""SQLite tables for SQS messages and FIFO deduplication records.

Owns: the SQL behind the SQS domain (``services/sqs``): inserting messages, finding the ones a
receive may return (visible now, and for FIFO queues not behind an invisible message of the same
group), marking them received with a visibility deadline, deleting, changing visibility, moving a
message to a dead-letter queue, purging, counting and retention expiry, plus the five-minute FIFO
deduplication records.

Statements run on the connection it is given (the store's own, so ``store.transaction()`` makes a
group of calls atomic together with documents and counters).

Must not: interpret message contents (``data`` is opaque bytes), call the clock (times arrive as
arguments) or decide anything SQS-specific beyond "visible at or before ``now``".
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

SCHEMA = """
CREATE TABLE IF NOT EXISTS sqs_messages (
    queue TEXT NOT NULL,
    seq INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    group_id TEXT NOT NULL DEFAULT '',
    visible_at REAL NOT NULL,
    sent_at REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive REAL,
    receipt TEXT,
    data BLOB NOT NULL,
    PRIMARY KEY (queue, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sqs_messages_visible ON sqs_messages (queue, visible_at);
CREATE INDEX IF NOT EXISTS sqs_messages_group ON sqs_messages (queue, group_id, seq);
CREATE INDEX IF NOT EXISTS sqs_messages_sent ON sqs_messages (queue, sent_at);
CREATE TABLE IF NOT EXISTS sqs_dedup (
    queue TEXT NOT NULL,
    scope TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    expires REAL NOT NULL,
    message_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (queue, scope, dedup_id)) WITHOUT ROWID;
"""

_COLUMNS = "seq, message_id, group_id, visible_at, sent_at, receive_count, first_receive, receipt, data"


class StoredMessage(NamedTuple):
    seq: int
    message_id: str
    group_id: str
    visible_at: float
    sent_at: float
    receive_count: int
    first_receive: float | None
    receipt: str | None
    data: bytes


class QueueCounts(NamedTuple):
    visible: int
    not_visible: int   # received and inside their visibility timeout (in flight)
    delayed: int       # never received and not yet visible


class SqliteQueues:
    """The SQS message tables on a SQLite connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._db = conn
        self._db.executescript(SCHEMA)

    # --- messages --------------------------------------------------------------------------
    def insert(self, queue: str, seq: int, message_id: str, group_id: str, visible_at: float,
               sent_at: float, data: bytes, *, receive_count: int = 0,
               first_receive: float | None = None) -> None:
        self._db.execute(
            "INSERT INTO sqs_messages (queue, seq, message_id, group_id, visible_at, sent_at, receive_count,"
            " first_receive, receipt, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            (queue, seq, message_id, group_id, visible_at, sent_at, receive_count, first_receive, data))

    def get(self, queue: str, seq: int) -> StoredMessage | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM sqs_messages WHERE queue=? AND seq=?",
                               (queue, seq)).fetchone()
        return StoredMessage(*row) if row else None

    def candidates(self, queue: str, now: float, limit: int, *, fifo: bool) -> list[StoredMessage]:
        """Messages a receive may return, oldest first.

        For FIFO queues a message is returned only if no earlier message of its group is invisible
        (in flight or delayed): a group is consumed strictly in order.
        """
        if fifo:
            sql = (f"SELECT {_COLUMNS} FROM sqs_messages m WHERE queue=? AND visible_at<=? AND NOT EXISTS ("
                   " SELECT 1 FROM sqs_messages b WHERE b.queue=m.queue AND b.group_id=m.group_id"
                   " AND b.seq<m.seq AND b.visible_at>?) ORDER BY seq LIMIT ?")
            rows = self._db.execute(sql, (queue, now, now, limit)).fetchall()
        else:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM sqs_messages WHERE queue=? AND visible_at<=? ORDER BY seq LIMIT ?",
                (queue, now, limit)).fetchall()
        return [StoredMessage(*row) for row in rows]

    def mark_received(self, queue: str, seq: int, now: float, visible_at: float, receipt: str) -> None:
        self._db.execute(
            "UPDATE sqs_messages SET receive_count=receive_count+1, first_receive=coalesce(first_receive, ?),"
            " visible_at=?, receipt=? WHERE queue=? AND seq=?", (now, visible_at, receipt, queue, seq))

    def set_visible_at(self, queue: str, seq: int, visible_at: float) -> None:
        self._db.execute("UPDATE sqs_messages SET visible_at=? WHERE queue=? AND seq=?", (visible_at, queue,
                                                                                          seq))

    def delete(self, queue: str, seq: int) -> bool:
        return self._db.execute("DELETE FROM sqs_messages WHERE queue=? AND seq=?", (queue, seq)).rowcount > 0

    def move(self, queue: str, seq: int, target: str, target_seq: int, visible_at: float,
             data: bytes) -> None:
        """Move a message to another queue (dead-letter redrive), keeping its counts and timestamps."""
        self._db.execute(
            "INSERT INTO sqs_messages (queue, seq, message_id, group_id, visible_at, sent_at, receive_count,"
            " first_receive, receipt, data) SELECT ?, ?, message_id, group_id, ?, sent_at, receive_count,"
            " first_receive, NULL, ? FROM sqs_messages WHERE queue=? AND seq=?",
            (target, target_seq, visible_at, data, queue, seq))
        self.delete(queue, seq)

    def purge(self, queue: str) -> int:
        return self._db.execute("DELETE FROM sqs_messages WHERE queue=?", (queue,)).rowcount

    def drop_queue(self, queue: str) -> None:
        self._db.execute("DELETE FROM sqs_messages WHERE queue=?", (queue,))
        self._db.execute("DELETE FROM sqs_dedup WHERE queue=?", (queue,))

    def counts(self, queue: str, now: float) -> QueueCounts:
        row = self._db.execute(
            "SELECT coalesce(sum(visible_at<=?), 0), coalesce(sum(visible_at>? AND receipt IS NOT NULL), 0),"
            " coalesce(sum(visible_at>? AND receipt IS NULL), 0) FROM sqs_messages WHERE queue=?",
            (now, now, now, queue)).fetchone()
        return QueueCounts(int(row[0]), int(row[1]), int(row[2]))

    def next_visible_at(self, queue: str, now: float) -> float | None:
        """The earliest time after ``now`` at which an invisible message becomes visible."""
        row = self._db.execute("SELECT min(visible_at) FROM sqs_messages WHERE queue=? AND visible_at>?",
                               (queue, now)).fetchone()
        return row[0] if row and row[0] is not None else None

    def expire(self, queue: str, sent_before: float) -> int:
        """Delete messages older than the queue's retention period."""
        return self._db.execute("DELETE FROM sqs_messages WHERE queue=? AND sent_at<?",
                                (queue, sent_before)).rowcount

    def message_count(self, queue: str) -> int:
        return int(self._db.execute("SELECT count(*) FROM sqs_messages WHERE queue=?",
                                    (queue,)).fetchone()[0])

    # --- FIFO deduplication ------------------------------------------------------------------
    def dedup_get(self, queue: str, scope: str, dedup_id: str, now: float) -> tuple[str, int] | None:
        """``(message_id, seq)`` of an unexpired send with this deduplication id, if any."""
        row = self._db.execute(
            "SELECT message_id, seq FROM sqs_dedup WHERE queue=? AND scope=? AND dedup_id=? AND expires>?",
            (queue, scope, dedup_id, now)).fetchone()
        return (row[0], int(row[1])) if row else None

    def dedup_put(self, queue: str, scope: str, dedup_id: str, expires: float, message_id: str,
                  seq: int) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO sqs_dedup (queue, scope, dedup_id, expires, message_id, seq)"
            " VALUES (?, ?, ?, ?, ?, ?)", (queue, scope, dedup_id, expires, message_id, seq))

    def dedup_expire(self, now: float) -> int:
        return self._db.execute("DELETE FROM sqs_dedup WHERE expires<=?", (now,)).rowcount

    # --- testing API -----------------------------------------------------------------------------
    def reset(self) -> None:
        self._db.execute("DELETE FROM sqs_messages")
        self._db.execute("DELETE FROM sqs_dedup")

"""storage.queues: the SQL behind SQS, on a bare SQLite connection."""

from __future__ import annotations

import sqlite3

from riverbed.storage.queues import SqliteQueues


def make() -> SqliteQueues:
    return SqliteQueues(sqlite3.connect(":memory:", isolation_level=None))


def test_standard_candidates_visible_oldest_first():
    db = make()
    db.insert("q", 1, "m1", "", 10.0, 10.0, b"1")
    db.insert("q", 2, "m2", "", 5.0, 5.0, b"2")
    db.insert("q", 3, "m3", "", 50.0, 0.0, b"3")
    assert [m.seq for m in db.candidates("q", 20.0, 10, fifo=False)] == [1, 2]
    assert [m.seq for m in db.candidates("q", 20.0, 1, fifo=False)] == [1]
    assert db.counts("q", 20.0) == (2, 0, 1)
    db.mark_received("q", 1, 20.0, 40.0, "tok")
    assert db.counts("q", 20.0) == (1, 1, 1)
    assert db.next_visible_at("q", 20.0) == 40.0
    row = db.get("q", 1)
    assert row is not None and row.receive_count == 1 and row.first_receive == 20.0 and row.receipt == "tok"
    db.mark_received("q", 1, 45.0, 60.0, "tok2")
    row = db.get("q", 1)
    assert row is not None and row.receive_count == 2 and row.first_receive == 20.0


def test_fifo_group_blocked_behind_invisible_message():
    db = make()
    for seq, group in ((1, "a"), (2, "a"), (3, "b"), (4, "a")):
        db.insert("q", seq, f"m{seq}", group, 0.0, 0.0, b"")
    db.mark_received("q", 2, 1.0, 100.0, "t")      # second of group a in flight
    assert [m.seq for m in db.candidates("q", 1.0, 10, fifo=True)] == [1, 3]
    db.set_visible_at("q", 2, 1.0)
    assert [m.seq for m in db.candidates("q", 1.0, 10, fifo=True)] == [1, 2, 3, 4]


def test_move_delete_purge_expire():
    db = make()
    db.insert("q", 1, "m1", "", 0.0, 0.0, b"x")
    db.mark_received("q", 1, 1.0, 2.0, "t")
    db.move("q", 1, "dlq", 7, 3.0, b"y")
    assert db.get("q", 1) is None
    moved = db.get("dlq", 7)
    assert moved is not None and moved.data == b"y" and moved.receive_count == 1 and moved.receipt is None
    assert moved.sent_at == 0.0
    assert db.delete("dlq", 7) and not db.delete("dlq", 7)
    db.insert("q", 2, "m2", "", 0.0, 0.0, b"")
    db.insert("q", 3, "m3", "", 0.0, 100.0, b"")
    assert db.expire("q", 50.0) == 1
    assert db.message_count("q") == 1
    assert db.purge("q") == 1


def test_dedup_window():
    db = make()
    db.dedup_put("q", "", "d1", 300.0, "m1", 1)
    assert db.dedup_get("q", "", "d1", 299.0) == ("m1", 1)
    assert db.dedup_get("q", "g", "d1", 299.0) is None
    assert db.dedup_get("q", "", "d1", 300.0) is None
    assert db.dedup_expire(301.0) == 1
    db.drop_queue("q")
    db.reset()

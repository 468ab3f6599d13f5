"""The store contract: every engine must pass this suite (SQLite on a file and in memory, PostgreSQL).

PostgreSQL runs against ``RIVERBED_TEST_POSTGRES`` or a throwaway cluster (``tests/postgres_cluster.py``),
each test in a fresh schema; it is skipped only when neither is available.

Every public method of ``storage.base.Txn``/``Store`` is called by some test here; the last tests check
that (by reading this file), that each method is documented, and that an engine exposes nothing else.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from riverbed.storage import Store, StoreConflict, Txn, open_store


@pytest.fixture(params=["sqlite-file", "sqlite-memory", "postgres"])
def store(request, tmp_path):
    if request.param == "postgres":
        s = open_store(request.getfixturevalue("postgres_schema_url"), None)
    else:
        s = open_store("sqlite", str(tmp_path) if request.param == "sqlite-file" else None)
    yield s
    s.close()


@pytest.fixture(params=["sqlite-file", "postgres"])
def reopen(request, tmp_path):
    """Opens the same durable store again each time it is called (engines that outlive a process)."""
    if request.param == "postgres":
        url, data_dir = request.getfixturevalue("postgres_schema_url"), None
    else:
        url, data_dir = "sqlite", str(tmp_path)
    opened: list[Store] = []

    def open_again() -> Store:
        opened.append(open_store(url, data_dir))
        return opened[-1]

    yield open_again
    for s in opened:
        s.close()


def test_documents_roundtrip_and_prefix_listing(store):
    with store.transaction() as txn:
        txn.put_doc("table", "a/us-east-1/x", {"n": 1})
        txn.put_doc("table", "a/us-east-1/y", {"n": 2})
        txn.put_doc("table", "b/us-east-1/z", {"n": 3})
    assert store.get_doc("table", "a/us-east-1/x") == {"n": 1}
    assert [k for k, _ in store.list_docs("table", "a/")] == ["a/us-east-1/x", "a/us-east-1/y"]
    with store.transaction() as txn:
        txn.delete_doc("table", "a/us-east-1/x")
    assert store.get_doc("table", "a/us-east-1/x") is None


def test_rollback_discards_writes_and_hooks(store):
    fired = []
    with pytest.raises(RuntimeError), store.transaction() as txn:
        txn.put_item(1, b"h", b"", b"{}", 2)
        txn.after_commit(lambda: fired.append("no"))
        raise RuntimeError("boom")
    assert store.get_item(1, b"h", b"") is None and fired == []
    with store.transaction() as txn:
        txn.put_item(1, b"h", b"", b"{}", 2)
        txn.after_commit(lambda: fired.append("yes"))
    assert fired == ["yes"]


def test_nested_transactions_join_the_outer_one(store):
    with pytest.raises(ValueError), store.transaction() as outer:
        outer.put_item(1, b"a", b"", b"1", 1)
        with store.transaction() as inner:
            inner.put_item(1, b"b", b"", b"2", 1)
        raise ValueError
    assert store.get_item(1, b"a", b"") is None and store.get_item(1, b"b", b"") is None


def test_items_query_order_bounds_and_scan(store):
    with store.transaction() as txn:
        for rk in (b"\x01", b"\x02", b"\x03", b"\x04"):
            txn.put_item(7, b"p", rk, rk, 1)
        txn.put_item(7, b"q", b"\x01", b"q1", 2)
        txn.put_item(8, b"p", b"\x01", b"other-table", 2)
    assert [r for r, _ in store.query_items(7, b"p")] == [b"\x01", b"\x02", b"\x03", b"\x04"]
    assert [r for r, _ in store.query_items(7, b"p", forward=False, high=b"\x03", high_inclusive=False)] == \
        [b"\x02", b"\x01"]
    assert [r for r, _ in store.query_items(7, b"p", low=b"\x02", low_inclusive=False, high=b"\x04")] == \
        [b"\x03", b"\x04"]
    assert [(h, r) for h, r, _ in store.scan_items(7, after=(b"p", b"\x03"))] == [(b"p", b"\x04"), (b"q", b"\x01")]
    assert store.item_stats(7) == (5, 6)
    with store.transaction() as txn:
        txn.drop_items(7)
    assert store.item_stats(7) == (0, 0) and store.item_stats(8) == (1, 2)


def test_records_read_trim_and_counters(store):
    with store.transaction() as txn:
        for seq, created in ((5, 100.0), (6, 200.0), (9, 300.0)):
            txn.append_record(1, seq, created, f"r{seq}".encode())
        assert txn.next_counter("c") == 1 and txn.next_counter("c", 5) == 6
    assert [s for s, _, _ in store.read_records(1, 6, 10)] == [6, 9]
    assert store.first_record(1) == (5, 100.0) and store.last_record_seq(1) == 9
    with store.transaction() as txn:
        assert txn.trim_records(1, 250.0) == 2
    assert store.first_record(1) == (9, 300.0)
    with store.transaction() as txn:
        txn.drop_records(1)
    assert store.first_record(1) is None and store.last_record_seq(1) is None


def test_shared_says_whether_other_processes_may_use_the_store(store, request):
    # SQLite is owned by one process; every node on one PostgreSQL database shares it.
    assert store.shared is (request.node.callspec.params["store"] == "postgres")


def test_notifications_reach_subscribers_after_commit_and_never_on_rollback(store):
    got: list[tuple[str, str]] = []
    store.subscribe("tables", lambda payload: got.append(("tables", payload)))
    store.subscribe("tables", lambda payload: got.append(("again", payload)))
    store.subscribe("other", lambda payload: got.append(("other", payload)))
    with store.transaction() as txn:
        txn.notify("tables", "t1")
        txn.after_commit(lambda: got.append(("hook", "")))
        assert got == []
    assert got == [("tables", "t1"), ("again", "t1"), ("hook", "")]
    got.clear()
    with pytest.raises(RuntimeError), store.transaction() as txn:
        txn.notify("tables", "t2")
        raise RuntimeError
    store.notify("other", "now")   # outside a transaction: at once
    assert got == [("other", "now")]


def test_notifications_reach_other_stores_on_the_same_database(postgres_schema_url):
    import threading

    sender, receiver = open_store(postgres_schema_url, None), open_store(postgres_schema_url, None)
    try:
        arrived = threading.Event()
        got: list[str] = []
        receiver.subscribe("records", lambda payload: (got.append(payload), arrived.set()))
        with pytest.raises(ValueError), sender.transaction() as txn:
            txn.notify("records", "rolled back")
            raise ValueError
        deadline = 50   # the receiver's listener connects on a thread: send until one arrives
        while deadline and not arrived.is_set():
            with sender.transaction() as txn:
                txn.notify("records", "7")
            deadline -= 1
            arrived.wait(0.1)
        assert arrived.is_set() and set(got) == {"7"}
    finally:
        sender.close()
        receiver.close()


def test_leases_one_holder_at_a_time_until_it_lapses_or_is_released(store):
    assert store.acquire_lease("esm:1", "node-a", 100.0, 10.0)
    assert not store.acquire_lease("esm:1", "node-b", 105.0, 10.0)          # live: a keeps it
    assert store.acquire_lease("esm:1", "node-a", 105.0, 10.0)              # a holder re-acquires (extends)
    assert store.renew_lease("esm:1", "node-a", 110.0, 10.0)                # now until 120
    assert not store.renew_lease("esm:1", "node-b", 110.0, 10.0)
    assert not store.acquire_lease("esm:1", "node-b", 119.9, 10.0)
    assert store.acquire_lease("esm:1", "node-b", 120.0, 5.0)               # lapsed at 120: b takes over
    assert not store.renew_lease("esm:1", "node-a", 121.0, 10.0)            # a learns it lost it
    assert store.list_leases() == [("esm:1", "node-b", 125.0)]
    assert not store.renew_lease("esm:1", "node-b", 125.0, 5.0)             # b let it lapse: no renewal
    with store.transaction() as txn:
        assert txn.acquire_lease("ttl", "node-a", 130.0, 10.0)
        assert txn.acquire_lease("node:a", "node-a", 130.0, 10.0)
    assert [name for name, _, _ in store.list_leases("esm:")] == ["esm:1"]
    assert [name for name, _, _ in store.list_leases()] == ["esm:1", "node:a", "ttl"]
    assert not store.release_lease("ttl", "node-b") and store.release_lease("ttl", "node-a")
    assert store.acquire_lease("ttl", "node-b", 131.0, 10.0)                # released: free at once
    store.reset()
    assert store.list_leases() == []


def test_store_time_is_the_databases_real_time_and_leases_lapse_in_it(store):
    import time

    first = store.store_time()
    assert abs(first - time.time()) < 5.0      # the database runs on this machine: its wall clock
    time.sleep(0.25)
    with store.transaction():                  # inside a transaction too, and it moves (not frozen at BEGIN)
        later = store.store_time()
        time.sleep(0.05)
        assert store.store_time() > later
    assert later - first >= 0.2
    assert store.acquire_lease("loop:x", "node-a", store.store_time(), 0.2)
    assert not store.acquire_lease("loop:x", "node-b", store.store_time(), 0.2)
    time.sleep(0.3)                            # no one renewed: lapsed in the database's time
    assert store.acquire_lease("loop:x", "node-b", store.store_time(), 0.2)


def test_document_keys_may_hold_any_character_even_nul(store):
    keys = ["g\x00", "g\x00s\x01", "g\x00t", "g\x01", "g\x01\x00", "g\x02", "g"]
    with store.transaction() as txn:
        for n, key in enumerate(keys):
            txn.put_doc("logs", key, {"n": n})
    assert [k for k, _ in store.list_docs("logs")] == sorted(keys)
    assert [k for k, _ in store.list_docs("logs", "g\x00")] == ["g\x00", "g\x00s\x01", "g\x00t"]
    assert [k for k, _ in store.list_docs("logs", "g\x01")] == ["g\x01", "g\x01\x00"]
    assert store.get_doc("logs", "g\x01\x00") == {"n": 4}
    with store.transaction() as txn:
        txn.delete_doc("logs", "g\x00t")
    assert store.get_doc("logs", "g\x00t") is None and store.get_doc("logs", "g\x00") == {"n": 0}
    with store.transaction() as txn:   # other names too: message logs (a log group's streams), counters
        txn.log_append("g\x00s", 1, "m\x00", "grp\x01", 0.0, 1.0, b"x")
        assert txn.next_counter("g\x00s") == 1
    entry = store.log_get("g\x00s", 1)
    assert entry is not None and (entry.msg_id, entry.group) == ("m\x00", "grp\x01")
    assert store.log_get("g\x01s", 1) is None


def test_two_transactions_locking_items_in_opposite_orders_end_in_one_store_conflict(postgres_schema_url):
    import threading

    stores = [open_store(postgres_schema_url, None) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcome: dict[int, str] = {}

    def write(n: int) -> None:
        first, second = (b"a", b"b") if n == 0 else (b"b", b"a")
        try:
            with stores[n].transaction() as txn:
                txn.get_item(1, first, b"")
                barrier.wait(10)
                txn.get_item(1, second, b"")
                txn.put_item(1, first, b"", f"by {n}".encode(), 4)
                txn.put_item(1, second, b"", f"by {n}".encode(), 4)
            outcome[n] = "committed"
        except StoreConflict:
            outcome[n] = "conflict"

    try:
        threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcome.values()) == ["committed", "conflict"]
        winner = next(n for n, what in outcome.items() if what == "committed")
        assert stores[0].get_item(1, b"a", b"") == stores[0].get_item(1, b"b", b"") == f"by {winner}".encode()
    finally:
        for s in stores:
            s.close()


def test_index_entries(store):
    with store.transaction() as txn:
        txn.index_put(3, b"g", b"\x02", b"t1", b"", b"a", 1)
        txn.index_put(3, b"g", b"\x01", b"t2", b"", b"b", 1)
        txn.index_put(3, b"g", b"\x03", b"t1", b"", b"c", 1)      # replaces t1's entry
    assert [(rk, thk) for rk, thk, _, _ in store.index_query(3, b"g")] == [(b"\x01", b"t2"), (b"\x03", b"t1")]
    with store.transaction() as txn:
        txn.index_delete(3, b"t2", b"")
    assert store.index_stats(3) == (1, 1)


def test_durable_store_survives_reopen(reopen):
    s = reopen()
    with s.transaction() as txn:
        txn.put_doc("k", "v", {"x": 1})
        txn.append_record(1, 1, 1.0, b"r")
    s.close()
    s = reopen()
    assert s.get_doc("k", "v") == {"x": 1} and s.last_record_seq(1) == 1


def test_reset_drops_everything(store):
    with store.transaction() as txn:
        txn.put_doc("k", "v", {})
        txn.put_item(1, b"a", b"", b"{}", 2)
    store.reset()
    assert store.get_doc("k", "v") is None and store.get_item(1, b"a", b"") is None


# --- more of documents, items and indexes -----------------------------------------------------------------

def test_put_doc_replaces_and_delete_of_missing_is_quiet(store):
    with store.transaction() as txn:
        txn.put_doc("k", "a", {"v": 1})
        txn.put_doc("k", "a", {"v": 2})
        txn.put_doc("other", "a", {"v": 3})
        txn.delete_doc("k", "missing")
    assert store.get_doc("k", "a") == {"v": 2}
    assert store.list_docs("k") == [("a", {"v": 2})]


def test_item_replace_delete_and_get(store):
    with store.transaction() as txn:
        txn.put_item(1, b"h", b"r", b"one", 3)
        txn.put_item(1, b"h", b"r", b"two", 5)
    assert store.get_item(1, b"h", b"r") == b"two" and store.item_stats(1) == (1, 5)
    with store.transaction() as txn:
        txn.delete_item(1, b"h", b"r")
        txn.delete_item(1, b"h", b"missing")
    assert store.get_item(1, b"h", b"r") is None and store.item_stats(1) == (0, 0)


def test_index_query_bounds_paging_scan_and_drop(store):
    with store.transaction() as txn:
        for n in range(1, 5):
            txn.index_put(4, b"g", bytes([n]), f"t{n}".encode(), b"", b"d", 2)
        txn.index_put(4, b"h", b"\x01", b"t9", b"", b"d", 2)
        txn.index_put(5, b"g", b"\x01", b"t1", b"", b"other-index", 1)
    forward = [rk for rk, _, _, _ in store.index_query(4, b"g", low=b"\x02", after=(b"\x02", b"t2", b""))]
    assert forward == [b"\x03", b"\x04"]
    backward = [rk for rk, _, _, _ in store.index_query(4, b"g", forward=False, high=b"\x04", high_inclusive=False,
                                                        after=(b"\x03", b"t3", b""))]
    assert backward == [b"\x02", b"\x01"]
    assert [(hk, rk) for hk, rk, _, _, _ in store.index_scan(4, after=(b"g", b"\x03", b"t3", b""))] == \
        [(b"g", b"\x04"), (b"h", b"\x01")]
    assert store.index_stats(4) == (5, 10)
    with store.transaction() as txn:
        txn.index_drop(4)
    assert store.index_stats(4) == (0, 0) and list(store.index_scan(4)) == []
    assert store.index_stats(5) == (1, 1)


def test_after_commit_outside_a_transaction_runs_at_once_and_in_order(store):
    fired: list[int] = []
    store.after_commit(lambda: fired.append(0))
    assert fired == [0]
    with store.transaction() as txn:
        txn.after_commit(lambda: fired.append(1))
        txn.after_commit(lambda: fired.append(2))
        assert fired == [0]
    assert fired == [0, 1, 2]


def test_inner_failure_caught_by_the_outer_block_still_rolls_back(store):
    with store.transaction() as outer:
        outer.put_item(1, b"a", b"", b"1", 1)
        with pytest.raises(KeyError), store.transaction() as inner:
            inner.put_item(1, b"b", b"", b"2", 1)
            raise KeyError
    assert store.get_item(1, b"a", b"") is None and store.get_item(1, b"b", b"") is None



# --- group commit --------------------------------------------------------------------------------------------

def test_group_commit_keeps_each_transaction_whole_and_runs_hooks_after_the_flush(store):
    scheduled: list = []
    fired: list[str] = []
    store.group_commits(scheduled.append)
    with store.transaction() as txn:
        txn.put_item(1, b"a", b"", b"1", 1)
        txn.append_record(1, 1, 1.0, b"ra")
        txn.after_commit(lambda: fired.append("a"))
    with pytest.raises(ValueError), store.transaction() as txn:
        txn.put_item(1, b"b", b"", b"2", 1)
        txn.after_commit(lambda: fired.append("b"))
        raise ValueError
    with store.transaction() as txn:
        assert txn.get_item(1, b"a", b"") == b"1"          # the group's earlier work is seen
        txn.put_item(1, b"c", b"", b"3", 1)
        txn.append_record(1, 2, 1.0, b"rc")
        txn.after_commit(lambda: fired.append("c"))
    store.after_commit(lambda: fired.append("outside"))
    if store.pending_commits():                            # an engine that groups: one schedule, nothing fired
        assert len(scheduled) == 1 and fired == []
        scheduled[0]()
    else:                                                  # an engine that commits each one at once
        assert scheduled == [] and fired == ["a", "c", "outside"]
    store.flush_commits()                                  # nothing pending: a no-op
    assert fired == ["a", "c", "outside"] and not store.pending_commits()
    assert [store.get_item(1, k, b"") for k in (b"a", b"b", b"c")] == [b"1", None, b"3"]
    assert [seq for seq, _, _ in store.read_records(1, 0, 10)] == [1, 2]
    with store.transaction() as txn:
        txn.put_item(1, b"d", b"", b"4", 1)
    store.group_commits(None)                              # off: what is pending is committed
    assert not store.pending_commits() and store.get_item(1, b"d", b"") == b"4"
    with store.transaction() as txn:
        txn.after_commit(lambda: fired.append("plain"))
    assert fired[-1] == "plain" and len(scheduled) <= 2


def test_group_commit_nested_failure_rolls_back_only_its_transaction(store):
    scheduled: list = []
    store.group_commits(scheduled.append)
    with store.transaction() as txn:
        txn.put_item(1, b"a", b"", b"1", 1)
    with store.transaction() as outer:
        outer.put_item(1, b"b", b"", b"2", 1)
        with pytest.raises(KeyError), store.transaction() as inner:
            inner.put_item(1, b"c", b"", b"3", 1)
            raise KeyError
    store.flush_commits()
    assert [store.get_item(1, k, b"") for k in (b"a", b"b", b"c")] == [b"1", None, None]
    store.group_commits(None)


def test_group_commit_is_durable_after_the_flush_and_on_close(reopen):
    s = reopen()
    s.group_commits(lambda flush: None)
    with s.transaction() as txn:
        txn.put_doc("k", "flushed", {"x": 1})
    s.flush_commits()
    with s.transaction() as txn:
        txn.put_doc("k", "closed", {"x": 2})
    s.close()                                              # a pending group is committed, not dropped
    s = reopen()
    assert s.get_doc("k", "flushed") == {"x": 1} and s.get_doc("k", "closed") == {"x": 2}


# --- message logs ------------------------------------------------------------------------------------------

def test_log_find_visible_oldest_first_counts_and_receive(store):
    with store.transaction() as txn:
        txn.log_append("q", 1, "m1", "", 10.0, 10.0, b"1")
        txn.log_append("q", 2, "m2", "", 5.0, 5.0, b"2")
        txn.log_append("q", 3, "m3", "", 50.0, 0.0, b"3")
        txn.log_append("other", 1, "x", "", 0.0, 0.0, b"x")
    assert [m.seq for m in store.log_find_visible("q", 20.0, 10)] == [1, 2]
    assert [m.seq for m in store.log_find_visible("q", 20.0, 1)] == [1]
    assert store.log_counts("q", 20.0) == (2, 0, 1)
    assert store.log_next_visible_at("q", 20.0) == 50.0
    with store.transaction() as txn:
        assert txn.log_mark_received("q", 1, 20.0, 40.0, "tok")
        assert not txn.log_mark_received("q", 99, 20.0, 40.0, "tok")
    assert store.log_counts("q", 20.0) == (1, 1, 1)
    assert store.log_next_visible_at("q", 20.0) == 40.0
    assert store.log_next_visible_at("q", 60.0) is None
    entry = store.log_get("q", 1)
    assert entry is not None and entry.msg_id == "m1" and entry.data == b"1" and entry.sent_at == 10.0
    assert entry.receive_count == 1 and entry.first_received == 20.0 and entry.receipt == "tok"
    with store.transaction() as txn:
        txn.log_mark_received("q", 1, 45.0, 60.0, "tok2")
    entry = store.log_get("q", 1)
    assert entry is not None and entry.receive_count == 2 and entry.first_received == 20.0
    assert entry.receipt == "tok2" and entry.visible_at == 60.0
    assert store.log_get("q", 99) is None and store.log_get("nope", 1) is None


def test_log_group_ordered_reads_hold_a_group_behind_an_invisible_message(store):
    with store.transaction() as txn:
        for seq, group in ((1, "a"), (2, "a"), (3, "b"), (4, "a")):
            txn.log_append("q", seq, f"m{seq}", group, 0.0, 0.0, b"")
        txn.log_mark_received("q", 2, 1.0, 100.0, "t")      # second of group a in flight
    assert [m.seq for m in store.log_find_visible("q", 1.0, 10, group_ordered=True)] == [1, 3]
    assert [m.seq for m in store.log_find_visible("q", 1.0, 10)] == [1, 3, 4]
    with store.transaction() as txn:
        assert txn.log_set_visible_at("q", 2, 1.0)
        assert not txn.log_set_visible_at("q", 99, 1.0)
    assert [m.seq for m in store.log_find_visible("q", 1.0, 10, group_ordered=True)] == [1, 2, 3, 4]
    entry = store.log_get("q", 2)
    assert entry is not None and entry.receipt == "t" and entry.receive_count == 1   # visibility only


def test_log_move_keeps_history_and_clears_the_receipt(store):
    with store.transaction() as txn:
        txn.log_append("q", 1, "m1", "g", 0.0, 0.0, b"x")
        txn.log_mark_received("q", 1, 1.0, 2.0, "t")
        assert txn.log_move("q", 1, "dead", 7, 3.0, b"y")
        assert not txn.log_move("q", 1, "dead", 8, 3.0, b"y")
    assert store.log_get("q", 1) is None
    moved = store.log_get("dead", 7)
    assert moved == (7, "m1", "g", 3.0, 0.0, 1, 1.0, None, b"y")
    assert store.log_counts("dead", 3.0) == (1, 0, 0) and store.log_counts("q", 3.0) == (0, 0, 0)


def test_log_delete_purge_and_expire(store):
    with store.transaction() as txn:
        txn.log_append("q", 1, "m1", "", 0.0, 0.0, b"")
        txn.log_append("q", 2, "m2", "", 0.0, 50.0, b"")
        txn.log_append("q", 3, "m3", "", 0.0, 100.0, b"")
        txn.log_append("keep", 1, "k", "", 0.0, 0.0, b"")
        assert txn.log_delete("q", 1) and not txn.log_delete("q", 1)
        assert txn.log_expire("q", 50.0) == 0         # strictly before
        assert txn.log_expire("q", 50.5) == 1
    assert sum(store.log_counts("q", 0.0)) == 1
    with store.transaction() as txn:
        assert txn.log_purge("q") == 1
    assert sum(store.log_counts("q", 0.0)) == 0 and sum(store.log_counts("keep", 0.0)) == 1


def test_log_messages_roll_back_with_their_transaction(store):
    with pytest.raises(RuntimeError), store.transaction() as txn:
        txn.log_append("q", 1, "m1", "", 0.0, 0.0, b"")
        raise RuntimeError
    assert store.log_get("q", 1) is None


# --- expiring keys -----------------------------------------------------------------------------------------

def test_expiring_keys_claim_lapse_and_reclaim(store):
    with store.transaction() as txn:
        assert txn.put_key_if_absent("ns", "k", b"first", 300.0, 0.0) is None
        assert txn.put_key_if_absent("ns", "k", b"second", 600.0, 100.0) == b"first"
        assert txn.put_key_if_absent("other", "k", b"own", 300.0, 100.0) is None
    assert store.get_key("ns", "k", 299.0) == b"first"
    assert store.get_key("ns", "k", 300.0) is None            # lapsed exactly at expires_at
    assert store.get_key("ns", "missing", 0.0) is None
    with store.transaction() as txn:
        assert txn.put_key_if_absent("ns", "k", b"third", 900.0, 300.0) is None   # replaces a lapsed key
    assert store.get_key("ns", "k", 899.0) == b"third" and store.get_key("other", "k", 0.0) == b"own"


def test_expiring_keys_prune_and_drop(store):
    with store.transaction() as txn:
        txn.put_key_if_absent("ns", "old", b"1", 100.0, 0.0)
        txn.put_key_if_absent("ns", "new", b"2", 500.0, 0.0)
        txn.put_key_if_absent("other", "old", b"3", 100.0, 0.0)
        assert txn.prune_keys("ns", 100.0) == 1
        assert txn.prune_keys("ns", 100.0) == 0
    assert store.get_key("ns", "new", 200.0) == b"2" and store.get_key("other", "old", 50.0) == b"3"
    with store.transaction() as txn:
        assert txn.drop_keys("ns") == 1
    assert store.get_key("ns", "new", 200.0) is None and store.get_key("other", "old", 50.0) == b"3"


def test_durable_store_keeps_logs_and_keys_across_reopen(reopen):
    s = reopen()
    with s.transaction() as txn:
        txn.log_append("q", 1, "m1", "g", 5.0, 1.0, b"body")
        txn.put_key_if_absent("ns", "k", b"v", 600.0, 0.0)
    s.close()
    s = reopen()
    assert s.log_get("q", 1) == (1, "m1", "g", 5.0, 1.0, 0, None, None, b"body")
    assert s.get_key("ns", "k", 1.0) == b"v"


def test_reset_drops_logs_keys_and_counters(store):
    with store.transaction() as txn:
        txn.log_append("q", 1, "m1", "", 0.0, 0.0, b"")
        txn.put_key_if_absent("ns", "k", b"v", 600.0, 0.0)
        txn.append_record(1, 1, 1.0, b"r")
        txn.index_put(1, b"h", b"", b"t", b"", b"d", 1)
        txn.next_counter("c", 3)
    store.reset()
    assert store.log_get("q", 1) is None and store.get_key("ns", "k", 0.0) is None
    assert store.last_record_seq(1) is None and store.index_stats(1) == (0, 0)
    with store.transaction() as txn:
        assert txn.next_counter("c") == 1


# --- time series -----------------------------------------------------------------------------------------------

def test_series_slots_replace_read_by_range_and_list_by_prefix(store):
    with store.transaction() as txn:
        assert txn.series_get("cw/a", 60.0) is None
        txn.series_put("cw/a", 60.0, b"one")
        txn.series_put("cw/a", 0.0, b"zero")
        txn.series_put("cw/a", 120.0, b"two")
        txn.series_put("cw/b\x00\u00e9", 30.5, b"\x00bytes")
        txn.series_put("other", 500.0, b"o")
    with store.transaction() as txn:
        assert txn.series_get("cw/a", 60.0) == b"one"
        txn.series_put("cw/a", 60.0, b"merged")            # replaces
    assert store.series_get("cw/a", 60.0) == b"merged"
    assert store.series_range("cw/a", 0.0, 120.0) == [(0.0, b"zero"), (60.0, b"merged")]   # end exclusive
    assert store.series_range("cw/a", 60.5, 1000.0) == [(120.0, b"two")]
    assert store.series_range("cw/missing", 0.0, 1e12) == []
    assert store.series_get("cw/b\x00\u00e9", 30.5) == b"\x00bytes"
    assert store.series_names("cw/") == [("cw/a", 120.0), ("cw/b\x00\u00e9", 30.5)]
    assert [name for name, _ in store.series_names()] == ["cw/a", "cw/b\x00\u00e9", "other"]


def test_series_trim_drops_old_slots_of_every_series_and_rolls_back(store):
    with store.transaction() as txn:
        for at in (10.0, 70.0, 130.0):
            txn.series_put("a", at, b"x")
        txn.series_put("b", 20.0, b"y")
    with pytest.raises(RuntimeError), store.transaction() as txn:
        txn.series_put("a", 190.0, b"lost")
        raise RuntimeError("roll back")
    assert store.series_get("a", 190.0) is None
    with store.transaction() as txn:
        assert txn.series_trim(70.0) == 2                  # strictly before: 10 of a, 20 of b
    assert store.series_range("a", 0.0, 1000.0) == [(70.0, b"x"), (130.0, b"x")]
    assert store.series_names() == [("a", 130.0)]
    store.reset()
    assert store.series_names() == []


def test_durable_store_keeps_series_across_reopen(reopen):
    s = reopen()
    with s.transaction() as txn:
        txn.series_put("s", 60.0, b"kept")
    s.close()
    s = reopen()
    assert s.series_range("s", 0.0, 120.0) == [(60.0, b"kept")]


def test_series_read_merge_write_from_two_connections_loses_nothing(postgres_schema_url):
    """Two processes merging into one slot: the second read waits for the first transaction's commit."""
    import threading

    first, second = open_store(postgres_schema_url, None), open_store(postgres_schema_url, None)
    try:
        inside = threading.Event()
        release = threading.Event()

        def slow_merge() -> None:
            with first.transaction() as txn:
                old = txn.series_get("s", 0.0) or b""
                inside.set()
                release.wait(5)
                txn.series_put("s", 0.0, old + b"a")

        worker = threading.Thread(target=slow_merge)
        worker.start()
        assert inside.wait(5)
        threading.Timer(0.3, release.set).start()
        with second.transaction() as txn:                 # blocks on the slot until the first commits
            old = txn.series_get("s", 0.0) or b""
            txn.series_put("s", 0.0, old + b"b")
        worker.join(5)
        assert first.series_get("s", 0.0) == b"ab"
    finally:
        first.close()
        second.close()


# --- blobs ---------------------------------------------------------------------------------------------------

def _blob(store, blob_id, chunks, written):
    pos = 0
    for data in chunks:
        store.blob_put(blob_id, pos, data, written)
        pos += len(data)


def test_blob_chunks_read_whole_and_by_byte_range(store):
    chunks = [bytes([n]) * 10 for n in range(11)]          # more chunks than one page of any engine
    _blob(store, "b1", chunks, 100.0)
    with store.transaction() as txn:
        _blob(txn, "b2", [b"\x00other"], 100.0)
    assert b"".join(d for _, d in store.blob_read("b1")) == b"".join(chunks)
    assert [p for p, _ in store.blob_read("b1")] == list(range(0, 110, 10))
    assert [p for p, _ in store.blob_read("b1", 25, 47)] == [20, 30, 40]   # only the chunks holding the range
    assert [p for p, _ in store.blob_read("b1", 30, 30)] == [30]
    assert [p for p, _ in store.blob_read("b1", 95)] == [90, 100]
    assert [p for p, _ in store.blob_read("b1", 0, 0)] == [0]
    assert list(store.blob_read("b2")) == [(0, b"\x00other")]
    assert list(store.blob_read("missing")) == [] and list(store.blob_read("missing", 5, 9)) == []
    store.blob_put("b1", 100, b"X" * 10, 100.0)                               # replaces the chunk at 100
    assert b"".join(d for _, d in store.blob_read("b1", 100, 109)) == b"X" * 10
    _blob(store, "empty", [b""], 100.0)                                      # an empty blob is one empty chunk
    assert list(store.blob_read("empty")) == [(0, b"")] and list(store.blob_read("empty", 0, 0)) == [(0, b"")]


def test_blob_delete_list_by_write_time_and_rollback(store):
    _blob(store, "old", [b"a", b"b"], 100.0)
    _blob(store, "busy", [b"a"], 100.0)
    store.blob_put("busy", 1, b"b", 500.0)                  # still being written: its last chunk is recent
    _blob(store, "new", [b"c"], 400.0)
    assert store.blob_list(400.0) == ["old"]
    assert store.blob_list(1000.0) == ["busy", "new", "old"]
    with pytest.raises(RuntimeError), store.transaction() as txn:
        txn.blob_put("lost", 0, b"x", 1.0)
        assert txn.blob_delete("old") == 2
        raise RuntimeError("roll back")
    assert list(store.blob_read("lost")) == [] and len(list(store.blob_read("old"))) == 2
    with store.transaction() as txn:
        assert txn.blob_delete("old") == 2
        assert txn.blob_delete("old") == 0
    assert list(store.blob_read("old")) == [] and store.blob_list(1000.0) == ["busy", "new"]
    store.reset()
    assert store.blob_list(1000.0) == []


def test_durable_store_keeps_blobs_across_reopen(reopen):
    s = reopen()
    s.blob_put("b", 0, b"kept" * 1000, 5.0)
    s.close()
    s = reopen()
    assert list(s.blob_read("b")) == [(0, b"kept" * 1000)]


# --- ordering and long reads (engines order bytes like memcmp and text by code point) ------------------------

ODD_BYTES = [b"", b"\x00", b"\x00\x00", b"\x00\x01", b"\x01", b"\x7f", b"\x80", b"\x80\x00", b"\xfe", b"\xff",
             b"\xff\x00", b"\xff\xff"]


def test_byte_keys_order_like_memcmp_shorter_first(store):
    shuffled = ODD_BYTES[::2] + ODD_BYTES[1::2]
    with store.transaction() as txn:
        for n, key in enumerate(shuffled):
            txn.put_item(1, b"p", key, bytes([n]), 1)
            txn.put_item(2, key, b"r", b"", 0)
            txn.index_put(3, b"g", key, b"t%d" % n, b"", b"", 0)
    assert [rk for rk, _ in store.query_items(1, b"p")] == sorted(ODD_BYTES)
    assert [rk for rk, _ in store.query_items(1, b"p", forward=False)] == sorted(ODD_BYTES, reverse=True)
    assert [rk for rk, _ in store.query_items(1, b"p", low=b"\x00", low_inclusive=False, high=b"\xff")] == \
        [k for k in sorted(ODD_BYTES) if b"\x00" < k <= b"\xff"]
    assert [hk for hk, _, _ in store.scan_items(2)] == sorted(ODD_BYTES)
    assert [rk for rk, _, _, _ in store.index_query(3, b"g", forward=False)] == sorted(ODD_BYTES, reverse=True)


def test_document_keys_order_by_code_point_and_prefixes_are_literal(store):
    keys = ["b", "B", "a", "a_1", "ab1", "a%", "_", "\u00e9", "z", "\U0001f600", "a/x"]
    with store.transaction() as txn:
        for key in keys:
            txn.put_doc("k", key, {"key": key})
    assert [k for k, _ in store.list_docs("k")] == sorted(keys)
    assert [k for k, _ in store.list_docs("k", "a_")] == ["a_1"]
    assert [k for k, _ in store.list_docs("k", "a%")] == ["a%"]
    assert [d["key"] for _, d in store.list_docs("k", "\u00e9")] == ["\u00e9"]


def test_long_range_reads_return_every_row_once_in_order(store):
    keys = [n.to_bytes(2, "big") for n in range(1234)]
    with store.transaction() as txn:
        for key in reversed(keys):
            txn.put_item(1, b"p", key, b"", 0)
            txn.put_item(2, key[:1], key[1:], b"", 0)
            txn.index_put(3, b"g", key[:1], b"t", key, b"", 0)
    assert [rk for rk, _ in store.query_items(1, b"p")] == keys
    assert [rk for rk, _ in store.query_items(1, b"p", forward=False, low=keys[10])] == keys[:9:-1]
    assert [hk + rk for hk, rk, _ in store.scan_items(2, after=(keys[5][:1], keys[5][1:]))] == keys[6:]
    entries = [(rk, trk) for rk, _, trk, _ in store.index_query(3, b"g", forward=False)]
    assert [trk for _, trk in entries] == keys[::-1]
    assert len(list(store.index_scan(3, after=(b"g", keys[700][:1], b"t", keys[700])))) == 1234 - 701


# --- the contract covers the whole protocol ----------------------------------------------------------------

def _protocol_methods() -> set[str]:
    names: set[str] = set()
    for proto in (Txn, Store):
        names.update(n for n, v in vars(proto).items() if not n.startswith("_") and callable(v))
    return names


def _names_this_suite_calls() -> set[str]:
    tree = ast.parse(Path(__file__).read_text())
    return {node.func.attr for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}


def test_every_protocol_method_has_a_contract_test():
    missing = _protocol_methods() - _names_this_suite_calls()
    assert not missing, f"store methods without a contract test: {sorted(missing)}"


def test_every_protocol_method_is_documented():
    undocumented = sorted(n for n in _protocol_methods()
                          if not (inspect.getdoc(getattr(Store, n)) or "").strip())
    assert not undocumented, f"store methods without a docstring: {undocumented}"


def test_protocol_is_the_whole_public_surface_of_each_engine(store):
    public = {n for n in dir(type(store)) if not n.startswith("_") and callable(getattr(store, n))}
    assert public - _protocol_methods() == set(), "engine methods outside the documented protocol"
    assert _protocol_methods() - public == set(), "protocol methods the engine does not implement"

"""The store contract: every engine must pass this suite (today: SQLite on a file and in memory)."""

from __future__ import annotations

import pytest

from riverbed.storage import open_store


@pytest.fixture(params=["file", "memory"])
def store(request, tmp_path):
    s = open_store("sqlite", str(tmp_path) if request.param == "file" else None)
    yield s
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
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.put_item(1, b"h", b"", b"{}", 2)
            txn.after_commit(lambda: fired.append("no"))
            raise RuntimeError("boom")
    assert store.get_item(1, b"h", b"") is None and fired == []
    with store.transaction() as txn:
        txn.put_item(1, b"h", b"", b"{}", 2)
        txn.after_commit(lambda: fired.append("yes"))
    assert fired == ["yes"]


def test_nested_transactions_join_the_outer_one(store):
    with pytest.raises(ValueError):
        with store.transaction() as outer:
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


def test_index_entries(store):
    with store.transaction() as txn:
        txn.index_put(3, b"g", b"\x02", b"t1", b"", b"a", 1)
        txn.index_put(3, b"g", b"\x01", b"t2", b"", b"b", 1)
        txn.index_put(3, b"g", b"\x03", b"t1", b"", b"c", 1)      # replaces t1's entry
    assert [(rk, thk) for rk, thk, _, _ in store.index_query(3, b"g")] == [(b"\x01", b"t2"), (b"\x03", b"t1")]
    with store.transaction() as txn:
        txn.index_delete(3, b"t2", b"")
    assert store.index_stats(3) == (1, 1)


def test_file_store_survives_reopen(tmp_path):
    s = open_store("sqlite", str(tmp_path))
    with s.transaction() as txn:
        txn.put_doc("k", "v", {"x": 1})
        txn.append_record(1, 1, 1.0, b"r")
    s.close()
    s = open_store("sqlite", str(tmp_path))
    assert s.get_doc("k", "v") == {"x": 1} and s.last_record_seq(1) == 1
    s.close()


def test_reset_drops_everything(store):
    with store.transaction() as txn:
        txn.put_doc("k", "v", {})
        txn.put_item(1, b"a", b"", b"{}", 2)
    store.reset()
    assert store.get_doc("k", "v") is None and store.get_item(1, b"a", b"") is None

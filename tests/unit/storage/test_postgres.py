"""The PostgreSQL engine beyond the shared contract: its schema version, and what it promises between nodes.

Two ``PostgresStore`` objects on one schema stand for two riverbed nodes.  Skipped only when PostgreSQL is
unavailable (see tests/postgres_cluster.py).
"""

from __future__ import annotations

import threading

import psycopg
import pytest

from riverbed.storage import open_store
from riverbed.storage.postgres import SCHEMA_VERSION, IncompatibleSchemaError


@pytest.fixture
def two_nodes(postgres_schema_url):
    stores = [open_store(postgres_schema_url, None) for _ in range(2)]
    yield stores
    for s in stores:
        s.close()


def test_schema_is_versioned_and_a_newer_one_is_refused(postgres_schema_url):
    open_store(postgres_schema_url, None).close()
    open_store(postgres_schema_url, None).close()          # opening again migrates nothing
    with psycopg.connect(postgres_schema_url, autocommit=True) as conn:
        assert conn.execute("SELECT id, version FROM riverbed_schema").fetchall() == [(1, SCHEMA_VERSION)]
        conn.execute("UPDATE riverbed_schema SET version=%s", (SCHEMA_VERSION + 1,))
    with pytest.raises(IncompatibleSchemaError, match=f"schema version {SCHEMA_VERSION + 1}, newer than "
                                                      f"version {SCHEMA_VERSION}.*upgrade riverbed"):
        open_store(postgres_schema_url, None)


def test_a_version_3_database_gains_blob_chunks_on_upgrade(postgres_schema_url):
    open_store(postgres_schema_url, None).close()
    with psycopg.connect(postgres_schema_url, autocommit=True) as conn:   # as riverbed before blobs left it
        conn.execute("DROP TABLE blob_chunks")
        conn.execute("UPDATE riverbed_schema SET version=3")
    store = open_store(postgres_schema_url, None)
    try:
        store.blob_put("b", 0, b"bytes", 1.0)
        assert list(store.blob_read("b")) == [(0, b"bytes")]
    finally:
        store.close()
    with psycopg.connect(postgres_schema_url, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM riverbed_schema").fetchall() == [(SCHEMA_VERSION,)]


def test_a_failed_statement_the_caller_swallowed_fails_the_commit(postgres_schema_url):
    store = open_store(postgres_schema_url, None)
    fired: list[str] = []
    with store.transaction() as txn:
        txn.append_record(1, 1, 1.0, b"a")
    with pytest.raises(RuntimeError, match="rolled back"), store.transaction() as txn:
        txn.put_item(1, b"h", b"", b"x", 1)
        txn.after_commit(lambda: fired.append("no"))
        with pytest.raises(psycopg.errors.UniqueViolation):
            txn.append_record(1, 1, 2.0, b"duplicate")
    assert store.get_item(1, b"h", b"") is None and fired == []
    with store.transaction() as txn:                         # the pooled connection is usable again
        txn.put_item(1, b"h", b"", b"y", 1)
    assert store.get_item(1, b"h", b"") == b"y"
    store.close()


def _in_thread(target) -> tuple[threading.Thread, list[object]]:
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(target()), daemon=True)
    thread.start()
    return thread, out


def test_a_node_reading_an_item_another_node_is_writing_waits_and_sees_the_commit(two_nodes):
    a, b = two_nodes
    with a.transaction() as txn:
        txn.put_item(1, b"k", b"", b"v0", 2)
    with a.transaction() as txn:
        assert txn.get_item(1, b"k", b"") == b"v0"

        def b_reads_in_a_transaction() -> bytes | None:
            with b.transaction() as other:
                return other.get_item(1, b"k", b"")

        thread, out = _in_thread(b_reads_in_a_transaction)
        thread.join(0.3)
        assert thread.is_alive(), "node b read the item while node a held it"
        txn.put_item(1, b"k", b"", b"v1", 2)
    thread.join(10)
    assert out == [b"v1"]
    assert b.get_item(1, b"k", b"") == b"v1"


def test_counter_values_drawn_in_transactions_commit_in_order_across_nodes(two_nodes):
    a, b = two_nodes
    with a.transaction() as txn:
        assert txn.next_counter("seq") == 1

        def b_draws() -> int:
            with b.transaction() as other:
                return other.next_counter("seq")

        thread, out = _in_thread(b_draws)
        thread.join(0.3)
        assert thread.is_alive(), "node b drew a counter value before node a's transaction ended"
    thread.join(10)
    assert out == [2]


def test_reads_outside_a_transaction_do_not_wait_for_locks(two_nodes):
    a, b = two_nodes
    with a.transaction() as txn:
        txn.put_item(1, b"k", b"", b"new", 3)
        assert b.get_item(1, b"k", b"") is None               # uncommitted: invisible, and no waiting
        assert a.get_item(1, b"k", b"") == b"new"             # the writing thread sees its own write
    assert b.get_item(1, b"k", b"") == b"new"

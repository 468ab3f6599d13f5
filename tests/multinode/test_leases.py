"""Leases between nodes (core/leases.py) on one PostgreSQL database, stepped with a manual clock.

Skipped only when PostgreSQL is unavailable (see tests/postgres_cluster.py).
"""

from __future__ import annotations

import pytest

from riverbed.clock import ManualClock
from riverbed.core.leases import Leases
from riverbed.storage import open_store


@pytest.fixture
def two_nodes(postgres_schema_url):
    clock = ManualClock(1_000.0)
    stores = [open_store(postgres_schema_url, None) for _ in range(2)]
    yield clock, [Leases(s, clock, 6.0, node_id=f"node-{n}") for n, s in enumerate(stores)]
    for s in stores:
        s.close()


def test_one_node_holds_a_lease_until_it_stops_renewing_then_the_other_takes_it(two_nodes):
    clock, (a, b) = two_nodes
    assert a.hold("loop:ttl-sweeper") and not b.hold("loop:ttl-sweeper")
    for _ in range(5):                       # a renews every ttl/3: b never gets in
        clock.advance(2.5)
        assert a.hold("loop:ttl-sweeper") and not b.hold("loop:ttl-sweeper")
    clock.advance(5.9)                       # a died (stopped renewing): still live just before ttl
    assert not b.hold("loop:ttl-sweeper")
    clock.advance(0.2)
    assert b.hold("loop:ttl-sweeper")
    assert b.holds("loop:ttl-sweeper")
    clock.advance(2.5)                       # a wakes up: its renewal fails, it learns it lost the lease
    assert not a.hold("loop:ttl-sweeper") and not a.holds("loop:ttl-sweeper")


def test_a_released_lease_is_free_at_once_and_heartbeats_name_the_nodes(two_nodes):
    _clock, (a, b) = two_nodes
    assert a.hold("esm:u:s1") and a.hold("esm:u:s2") and a.heartbeat() and b.heartbeat()
    assert a.held("esm:") == ["esm:u:s1", "esm:u:s2"]
    a.release_all()
    assert b.hold("esm:u:s1") and b.hold("esm:u:s2")
    names = [name for name, _, _ in b.store.list_leases("node:")]
    assert names == ["node:node-1"]          # a released its heartbeat too: it left


def test_on_a_store_owned_by_one_process_every_lease_is_held_without_asking_the_store(tmp_path):
    store = open_store("sqlite", str(tmp_path))
    try:
        leases = Leases(store, ManualClock(0.0), 10.0)
        assert leases.hold("loop:ttl-sweeper") and leases.holds("esm:anything")
        assert store.list_leases() == []
    finally:
        store.close()

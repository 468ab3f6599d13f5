"""Stream shards closed by one node while another node still holds the old stream document.

A rollover or a DISABLE on one node closes shards (fixes their ending sequence number); another node learns
of it through a notification a moment later.  A write on that node in between must not put its record
past a closed shard's end, where no reader would ever find it.  Here the second node never hears at all
(its store's subscriptions are switched off), so the test does not depend on timing.  Skipped only when
PostgreSQL is unavailable (see tests/postgres_cluster.py).
"""

from __future__ import annotations

import pytest

from riverbed.clock import ManualClock
from riverbed.storage import open_store
from riverbed.streams.log import STREAM, StreamLog


@pytest.fixture
def two_logs(postgres_schema_url):
    clock = ManualClock(1_000.0)
    stores = [open_store(postgres_schema_url, None) for _ in range(2)]
    stores[1].subscribe = lambda channel, callback: None   # node 1 is never told of node 0's changes
    logs = [StreamLog(store, clock, rollover_seconds=60.0) for store in stores]
    with stores[0].transaction() as txn:
        arn = logs[0].create(txn, account="000000000000", region="us-east-1", table_name="t",
                             view_type="KEYS_ONLY", key_schema=[{"AttributeName": "pk", "KeyType": "HASH"}]).arn
    yield clock, logs, arn
    for store in stores:
        store.close()


def _append(log: StreamLog, arn: str, key: str) -> None:
    with log.store.transaction() as txn:
        log.append(txn, arn, event_name="INSERT", hk=key.encode(), keys={"pk": {"S": key}}, old=None,
                   new={"pk": {"S": key}}, region="us-east-1")


def _readable(store, arn: str) -> tuple[int, int]:
    """(records inside their shard's range, records in total) as stored."""
    inside = total = 0
    for shard in store.get_doc(STREAM, arn)["shards"]:
        for seq, _, _ in store.read_records(shard["no"], 0, 1000):
            total += 1
            inside += shard["start"] <= seq and (shard.get("end") is None or seq <= shard["end"])
    return inside, total


def test_a_write_on_a_node_that_missed_a_rollover_lands_in_the_new_shard(two_logs):
    clock, (node0, node1), arn = two_logs
    _append(node1, arn, "a")                      # node 1 caches the stream: one open shard
    clock.advance(61.0)
    assert node0.maintain_once()["rolled"] == 1   # node 0 closes it and opens its child
    _append(node1, arn, "b")
    assert _readable(node0.store, arn) == (2, 2)
    shards = node0.store.get_doc(STREAM, arn)["shards"]
    assert [len(node0.store.read_records(s["no"], 0, 10)) for s in shards] == [1, 1]


def test_a_write_on_a_node_that_missed_the_stream_being_disabled_writes_no_record(two_logs):
    _clock, (node0, node1), arn = two_logs
    _append(node1, arn, "a")
    with node0.store.transaction() as txn:
        node0.disable(txn, arn)
    _append(node1, arn, "b")
    assert _readable(node0.store, arn) == (1, 1)

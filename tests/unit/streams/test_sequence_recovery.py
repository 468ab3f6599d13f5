"""Sequence numbers never go backwards across a restart, even after every record was trimmed."""

from __future__ import annotations

from riverbed.clock import ManualClock
from riverbed.storage.sqlite import SqliteStore
from riverbed.streams.log import StreamLog

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]


def _append(log, arn, key):
    with log.store.transaction() as txn:
        log.append(txn, arn, event_name="INSERT", hk=key.encode(), keys={"pk": {"S": key}}, old=None,
                   new={"pk": {"S": key}}, region="us-east-1")


def test_counter_recovers_past_trimmed_records(tmp_path):
    clock = ManualClock(1_700_000_000.0)
    store = SqliteStore(str(tmp_path))
    log = StreamLog(store, clock, rollover_seconds=0)
    with store.transaction() as txn:
        arn = log.create(txn, account="a", region="us-east-1", table_name="tbl", view_type="KEYS_ONLY",
                         key_schema=KEYS).arn
    for i in range(5):
        _append(log, arn, f"k{i}")
    shard = log.get(arn).shards[0]
    highest = store.last_record_seq(shard.no)
    clock.advance(25 * 3600)
    assert log.maintain_once()["trimmed"] == 5
    store.close()

    store = SqliteStore(str(tmp_path))
    log = StreamLog(store, clock, rollover_seconds=0)
    _append(log, arn, "after-restart")
    rows = store.read_records(log.get(arn).shards[0].no, 0, 10)
    assert [seq > highest for seq, _, _ in rows] == [True]

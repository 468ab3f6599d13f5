"""The poller reads on from where it stopped: each record is decoded once, whatever the wake-ups."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from riverbed.streams import log as log_module
from riverbed.triggers import events
from riverbed.triggers.mappings import DEFAULTS
from riverbed.triggers.poller import ShardPoller
from tests.unit.triggers.test_poller import KEY_SCHEMA, Engine, run


def _setup(*, n=0, **config):
    """A NEW_IMAGE stream (records carry their item) with ``n`` records k0.. and a poller at its start."""
    engine = Engine([])
    with engine.store.transaction() as txn:
        stream = engine.streams.create(txn, account="000000000000", region="us-east-1", table_name="tbl",
                                       view_type="NEW_IMAGE", key_schema=KEY_SCHEMA)
    for i in range(n):
        _append(engine, stream, f"k{i}")
    mapping = {"UUID": "u-1", "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f",
               "DestinationConfig": {}, **DEFAULTS, **config}
    shard = stream.shards[0]
    return engine, ShardPoller(engine, mapping, stream, shard, engine.streams.first_position(shard))


@pytest.fixture
def decodes(monkeypatch):
    """Count the stream records the poller turns into event records."""
    counter = {"n": 0}
    real = log_module.lambda_event_json

    def counting(*args):
        counter["n"] += 1
        return real(*args)

    monkeypatch.setattr(log_module, "lambda_event_json", counting)
    return counter


def _append(engine, stream, key, *, value="", same_key=False):
    pk = "same" if same_key else key
    with engine.store.transaction() as txn:
        engine.streams.append(txn, stream.arn, event_name="INSERT", hk=pk.encode(), keys={"pk": {"S": pk}},
                              old=None, new={"pk": {"S": pk}, "v": {"S": value}, "tag": {"S": key}},
                              region="us-east-1")


async def _turns(n=30):
    for _ in range(n):
        await asyncio.sleep(0)


def test_a_batching_window_decodes_each_record_once(decodes):
    engine, poller = _setup(n=1, BatchSize=100, MaximumBatchingWindowInSeconds=60)
    stream = poller.stream

    async def scenario():
        task = asyncio.ensure_future(poller.poll_once())
        await _turns()
        assert poller.status.waiting == "window"
        for i in range(1, 12):
            _append(engine, stream, f"k{i}")   # each commit wakes the poller
            await _turns()
        assert not task.done()
        engine.clock.advance(61)
        await task

    run(scenario())
    assert engine.calls == [["k0"] + [f"k{i}" for i in range(1, 12)]]
    assert decodes["n"] == 12
    assert engine.mappings.checkpoint("u-1", poller.shard.shard_id)["next"] == poller.position


def test_filtered_records_during_a_window_are_read_once_and_checkpointed(decodes):
    pattern = '{"dynamodb": {"NewImage": {"tag": {"S": [{"prefix": "keep"}]}}}}'
    engine, poller = _setup(n=0, BatchSize=100, MaximumBatchingWindowInSeconds=60,
                            FilterCriteria={"Filters": [{"Pattern": pattern}]})
    stream = poller.stream
    _append(engine, stream, "keep-0")

    async def scenario():
        task = asyncio.ensure_future(poller.poll_once())
        await _turns()
        for name in ("drop-1", "keep-2", "drop-3"):
            _append(engine, stream, name)
            await _turns()
        engine.clock.advance(61)
        await task

    run(scenario())
    assert [len(call) for call in engine.calls] == [2]
    assert decodes["n"] == 4
    assert run(poller.poll_once()) is False      # the trailing filtered record was passed with the batch


def test_a_record_that_does_not_fit_opens_the_next_batch_and_ends_the_window(decodes):
    big = "x" * 390_000
    engine, poller = _setup(n=0, BatchSize=100, MaximumBatchingWindowInSeconds=60)
    for i in range(20):
        _append(engine, poller.stream, f"k{i}", value=big)

    first_sizes: list[int] = []
    real_invoke = engine.invoke

    async def invoke(mapping, payload):
        first_sizes.append(len(payload))
        return await real_invoke(mapping, payload)

    engine.invoke = invoke

    async def scenario():
        # Full by payload: delivered at once, without waiting out the window.
        first = asyncio.ensure_future(poller.poll_once())
        await _turns()
        assert first.done() and first.result() is True
        # The rest (the record that did not fit first) is not full: it waits for the window.
        task = asyncio.ensure_future(poller.poll_once())
        await _turns()
        assert not task.done()
        engine.clock.advance(61)
        assert await task is True

    run(scenario())
    counts = [len(call) for call in engine.calls]
    assert sum(counts) == 20 and len(counts) == 2
    assert all(size <= events.MAX_PAYLOAD for size in first_sizes)
    assert first_sizes[0] + 390_000 > events.MAX_PAYLOAD - 64     # the first batch could not take one more
    assert decodes["n"] == 20


def test_parallel_lanes_keep_the_records_a_full_lane_could_not_take(decodes):
    engine, poller = _setup(n=0, BatchSize=2, ParallelizationFactor=2)
    for i in range(5):
        _append(engine, poller.stream, f"v{i}", same_key=True)
    tags: list[list[str]] = []
    real_invoke = engine.invoke

    async def invoke(mapping, payload):
        tags.append([r["dynamodb"]["NewImage"]["tag"]["S"] for r in orjson.loads(payload)["Records"]])
        return await real_invoke(mapping, payload)

    engine.invoke = invoke
    while run(poller.poll_once()):
        pass
    assert tags == [["v0", "v1"], ["v2", "v3"], ["v4"]]
    assert decodes["n"] == 5


def test_a_poller_that_is_behind_reads_each_record_once(decodes, monkeypatch):
    engine, poller = _setup(n=2500, BatchSize=100)
    reads: list[int] = []
    real_read = engine.streams.read_events

    def counting_read(shard, from_seq, limit, arn, max_bytes):
        rows, caught_up = real_read(shard, from_seq, limit, arn, max_bytes)
        reads.append(len(rows))
        return rows, caught_up

    monkeypatch.setattr(engine.streams, "read_events", counting_read)
    while run(poller.poll_once()):
        pass
    assert [len(call) for call in engine.calls] == [100] * 25
    assert [key for call in engine.calls for key in call] == [f"k{i}" for i in range(2500)]
    assert decodes["n"] == 2500 and sum(reads) == 2500      # not a chunk per batch
    assert engine.counts["PolledEventCount"][-1] == 0 and sum(engine.counts["PolledEventCount"]) == 2500
    assert engine.mappings.checkpoint("u-1", poller.shard.shard_id)["next"] == poller.position


def test_what_is_read_ahead_is_bounded_in_bytes(decodes):
    big = "x" * 390_000
    engine, poller = _setup(n=0, BatchSize=100)
    for i in range(80):          # ~31 MB of records: five payloads
        _append(engine, poller.stream, f"k{i}", value=big)
    assert run(poller.poll_once()) is True
    kept = sum(len(item.event) for item in poller._ahead.items) + sum(len(e) for _, _, e in poller._ahead.rows)
    assert kept <= 2 * events.MAX_PAYLOAD + 400_000     # two payloads (READ_BYTES) and the record past them
    while run(poller.poll_once()):
        pass
    assert [key for call in engine.calls for key in call] == [f"k{i}" for i in range(80)]
    assert len(engine.calls) == 5     # 6 MB each: 16 records of ~390 KB
    assert decodes["n"] == 80

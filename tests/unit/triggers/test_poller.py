"""The shard poller's single step, driven directly with a manual clock and a scripted invoker."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import orjson
import pytest

from riverbed.clock import ManualClock
from riverbed.errors import TooManyRequestsException
from riverbed.storage.sqlite import SqliteStore
from riverbed.streams.log import StreamLog
from riverbed.triggers import events
from riverbed.triggers.filtering import compile_filter_criteria
from riverbed.triggers.mappings import DEFAULTS, MappingStore
from riverbed.triggers.poller import ShardPoller

KEY_SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}]


class Engine:
    """The poller's collaborators, with an invoker that follows a script."""

    def __init__(self, script):
        self.clock = ManualClock(1_700_000_000.0)
        self.store = SqliteStore(None)
        self.streams = StreamLog(self.store, self.clock)
        self.mappings = MappingStore(self.store)
        self.poll_interval = 0.01
        self.retry_backoff = 0.1
        self.script = list(script)
        self.calls: list[list[str]] = []
        self.failures: list[dict] = []
        self.metrics: dict[str, float] = {}
        self.results: list[str] = []

    def compile_filter(self, criteria):
        return compile_filter_criteria(criteria)

    async def invoke(self, mapping, payload):
        records = orjson.loads(payload)["Records"]
        self.calls.append([r["dynamodb"]["Keys"]["pk"]["S"] for r in records])
        step = self.script.pop(0) if self.script else "ok"
        if step == "throttle":
            raise TooManyRequestsException("Rate Exceeded.")
        if step == "error":
            return SimpleNamespace(function_error="Unhandled", payload=b"{}")
        return SimpleNamespace(function_error=None, payload=b"null")

    def metric(self, mapping, name, value, unit="Count"):
        self.metrics[name] = self.metrics.get(name, 0) + value

    def set_result(self, mapping, result):
        self.results.append(result)

    async def deliver_failure(self, mapping, target, record):
        self.failures.append(record)

    def kick(self):
        pass

    def owns(self, esm_uuid, shard_id):
        return True


def _setup(script, n=3, **config):
    engine = Engine(script)
    with engine.store.transaction() as txn:
        stream = engine.streams.create(txn, account="000000000000", region="us-east-1", table_name="tbl",
                                       view_type="KEYS_ONLY", key_schema=KEY_SCHEMA)
    for i in range(n):
        with engine.store.transaction() as txn:
            engine.streams.append(txn, stream.arn, event_name="INSERT", hk=f"k{i}".encode(),
                                  keys={"pk": {"S": f"k{i}"}}, old=None, new={"pk": {"S": f"k{i}"}},
                                  region="us-east-1")
    mapping = {"UUID": "u-1", "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f",
               "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:q"}}}
    mapping.update({k: v for k, v in DEFAULTS.items()})
    mapping.update(config)
    shard = stream.shards[0]
    poller = ShardPoller(engine, mapping, stream, shard, engine.streams.first_position(shard))
    return engine, poller


def run(coro):
    return asyncio.run(coro)


def test_one_step_delivers_one_batch_and_checkpoints():
    engine, poller = _setup([], n=5, BatchSize=2)
    assert run(poller.poll_once()) is True
    assert engine.calls == [["k0", "k1"]]
    assert engine.mappings.checkpoint("u-1", poller.shard.shard_id)["next"] == poller.position
    run(poller.poll_once())
    run(poller.poll_once())
    assert engine.calls == [["k0", "k1"], ["k2", "k3"], ["k4"]]
    assert run(poller.poll_once()) is False          # nothing left: no empty invocation


def test_throttles_are_retried_without_counting_attempts():
    engine, poller = _setup(["throttle", "throttle", "ok"], n=1, MaximumRetryAttempts=0)

    async def step():
        task = asyncio.ensure_future(poller.poll_once())
        while not task.done():
            await asyncio.sleep(0)
            engine.clock.skip_pipeline_waits()
        return task.result()

    assert run(step()) is True
    assert len(engine.calls) == 3 and engine.failures == []
    assert engine.metrics["Throttles"] == 2 and engine.metrics["Invocations"] == 1


def test_retry_attempts_then_discard_with_exact_count():
    engine, poller = _setup(["error"] * 5, n=2, MaximumRetryAttempts=2)

    async def step():
        task = asyncio.ensure_future(poller.poll_once())
        while not task.done():
            await asyncio.sleep(0)
            engine.clock.skip_pipeline_waits()
        return task.result()

    run(step())
    assert len(engine.calls) == 3
    (failure,) = engine.failures
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 2
    assert engine.metrics["Errors"] == 3


def test_backoff_waits_on_the_clock():
    engine, poller = _setup(["error", "ok"], n=1)

    async def step():
        task = asyncio.ensure_future(poller.poll_once())
        for _ in range(50):
            await asyncio.sleep(0)
        assert not task.done() and poller.status.waiting == "backoff"
        engine.clock.advance(1.0)
        await task

    run(step())
    assert len(engine.calls) == 2


def test_filtered_records_are_checkpointed_without_invoking():
    pattern = '{"dynamodb": {"Keys": {"pk": {"S": ["k9"]}}}}'
    engine, poller = _setup([], n=3, FilterCriteria={"Filters": [{"Pattern": pattern}]})
    assert run(poller.poll_once()) is True
    assert engine.calls == []
    assert poller.position > poller.shard.start


@pytest.mark.parametrize("payload,ok,first_failed", [
    (b"null", True, None),
    (b"{}", True, None),
    (b'{"batchItemFailures": []}', True, None),
    (b'{"batchItemFailures": null}', True, None),
    (b'{"batchItemFailures": [{"itemIdentifier": ""}]}', False, 10),
    (b'{"batchItemFailures": [{"itemIdentifier": null}]}', False, 10),
    (b'{"batchItemFailures": [{"foo": "100000000000000000011"}]}', False, 10),
    (b'{"batchItemFailures": [{"itemIdentifier": "100000000000000000099"}]}', False, 10),
    (b'{"batchItemFailures": [{"itemIdentifier": "100000000000000000012"}, '
     b'{"itemIdentifier": "100000000000000000011"}]}', False, 11),
])
def test_partial_batch_response_rules(payload, ok, first_failed):
    result = events.read_partial_response(payload, [10, 11, 12])
    assert result.ok is ok
    assert result.failed_from == first_failed

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
        self.counts: dict[str, list[int]] = {}    # the EventCount group, every data point
        self.results: list[str] = []
        self.problem: str | None = None      # what poll_problem answers (the execution role's permission)
        self.destination_up = True
        self.batches: list[dict] = []        # what batch_outcome was told, oldest first

    def batch_outcome(self, mapping, shard_id, records, **what):
        self.batches.append({"shard": shard_id, "records": [r["dynamodb"]["Keys"]["pk"]["S"] for r in records],
                             **what})

    def poll_problem(self, mapping, stream_arn):
        return self.problem

    def compile_filter(self, criteria):
        return compile_filter_criteria(criteria)

    async def invoke(self, mapping, payload):
        records = orjson.loads(payload)["Records"]
        self.calls.append([r["dynamodb"]["Keys"]["pk"]["S"] for r in records])
        step = self.script.pop(0) if self.script else "ok"
        if step == "throttle":
            raise TooManyRequestsException("Rate Exceeded.")
        if step == "error":
            return SimpleNamespace(function_error="Unhandled", payload=b'{"errorMessage": "boom"}')
        if step.startswith("partial:"):
            failed = [r["dynamodb"]["SequenceNumber"] for r in records
                      if r["dynamodb"]["Keys"]["pk"]["S"] == step.split(":", 1)[1]]
            body = {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}
            return SimpleNamespace(function_error=None, payload=orjson.dumps(body))
        return SimpleNamespace(function_error=None, payload=b"null")

    def metric(self, mapping, name, value, unit="Count"):
        self.metrics[name] = self.metrics.get(name, 0) + value

    def event_count(self, mapping, name, count):
        self.counts.setdefault(name, []).append(count)

    def set_result(self, mapping, result):
        self.results.append(result)

    async def deliver_failure(self, mapping, target, record, payload=None):
        if not self.destination_up:
            return False
        self.failures.append(record)
        return True

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


def test_a_refused_poll_reads_nothing_and_resumes_from_the_checkpoint():
    engine, poller = _setup([], n=3, BatchSize=2)
    run(poller.poll_once())
    engine.problem = "PROBLEM: Execution role does not have permissions to call GetRecords on DynamoDB"
    engine.clock.advance(90)
    assert run(poller.poll_once()) is False
    assert run(poller.poll_once()) is False
    assert engine.calls == [["k0", "k1"]]
    assert engine.results[-1] == engine.problem and poller.status.waiting == "problem"
    assert engine.metrics["IteratorAge"] >= 2 * 90_000       # the oldest waiting record, once per refused poll
    engine.problem = None
    assert run(poller.poll_once()) is True
    assert engine.calls == [["k0", "k1"], ["k2"]] and poller.status.waiting == ""


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


def _step(engine, poller):
    async def step():
        task = asyncio.ensure_future(poller.poll_once())
        while not task.done():
            await asyncio.sleep(0)
            engine.clock.skip_pipeline_waits()
        return task.result()

    return run(step())


def test_event_counts_of_a_filtered_batch():
    # AWS's EventCount group for stream sources: every record read is polled, those the filter rejects are
    # filtered out (0 when all match), the rest are invoked once each.
    pattern = '{"dynamodb": {"Keys": {"pk": {"S": ["k1", "k3"]}}}}'
    engine, poller = _setup([], n=5, FilterCriteria={"Filters": [{"Pattern": pattern}]})
    assert _step(engine, poller) is True
    assert engine.calls == [["k1", "k3"]]
    assert sum(engine.counts["PolledEventCount"]) == 5
    assert sum(engine.counts["FilteredOutEventCount"]) == 3
    assert sum(engine.counts["InvokedEventCount"]) == 2
    assert "FailedInvokeEventCount" not in engine.counts and "DroppedEventCount" not in engine.counts
    assert _step(engine, poller) is False
    assert engine.counts["PolledEventCount"][-1] == 0      # an empty poll reports 0


def test_event_counts_without_filter_report_no_filtered_out():
    engine, poller = _setup([], n=2)
    _step(engine, poller)
    assert sum(engine.counts["PolledEventCount"]) == 2
    assert "FilteredOutEventCount" not in engine.counts


def test_event_counts_of_retries_then_destination():
    engine, poller = _setup(["error"] * 5, n=2, MaximumRetryAttempts=1)
    _step(engine, poller)
    assert len(engine.calls) == 2
    assert sum(engine.counts["InvokedEventCount"]) == 4        # each attempt counts its events again
    assert sum(engine.counts["FailedInvokeEventCount"]) == 4
    assert sum(engine.counts["OnFailureDestinationDeliveredEventCount"]) == 2
    assert "DroppedEventCount" not in engine.counts           # sent to the destination: not dropped


def test_event_counts_when_the_destination_fails_or_is_missing():
    engine, poller = _setup(["error"] * 5, n=3, MaximumRetryAttempts=0)
    engine.destination_up = False
    _step(engine, poller)
    assert sum(engine.counts["DroppedEventCount"]) == 3
    assert "OnFailureDestinationDeliveredEventCount" not in engine.counts

    engine, poller = _setup(["error"] * 5, n=2, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {}})
    _step(engine, poller)
    assert sum(engine.counts["DroppedEventCount"]) == 2


def test_event_counts_of_throttled_attempts():
    engine, poller = _setup(["throttle", "ok"], n=2)
    _step(engine, poller)
    assert sum(engine.counts["InvokedEventCount"]) == 4
    assert sum(engine.counts["FailedInvokeEventCount"]) == 2


def test_iterator_age_is_measured_from_the_write_time():
    engine, poller = _setup([], n=0)
    engine.clock.advance(0.75)     # written at x.75 s: ApproximateCreationDateTime says x (whole seconds)
    with engine.store.transaction() as txn:
        engine.streams.append(txn, poller.stream.arn, event_name="INSERT", hk=b"k", keys={"pk": {"S": "k"}},
                              old=None, new={"pk": {"S": "k"}}, region="us-east-1")
    engine.clock.advance(2.0)
    _step(engine, poller)
    assert engine.metrics["IteratorAge"] == 2000.0


def _outcomes(engine):
    return [(b["outcome"], b["records"], b["attempt"]) for b in engine.batches]


def test_batch_history_of_retries_then_the_destination():
    engine, poller = _setup(["error"] * 5, n=2, MaximumRetryAttempts=1)
    _step(engine, poller)
    assert _outcomes(engine) == [("retried", ["k0", "k1"], 1), ("sent to destination", ["k0", "k1"], 2)]
    sent = engine.batches[-1]
    assert sent["destination"] == "arn:aws:sqs:us-east-1:000000000000:q"
    assert sent["condition"] == "RetryAttemptsExhausted" and sent["error"] == "Unhandled: boom"
    assert sent["shard"] == poller.shard.shard_id


def test_batch_history_of_a_bisected_batch():
    # k0..k3: the whole batch fails and is split; [k0, k1] fails again and is split; then all succeed.
    engine, poller = _setup(["error", "error"], n=4, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0)
    _step(engine, poller)
    assert _outcomes(engine) == [("bisected", ["k0", "k1", "k2", "k3"], 1), ("bisected", ["k0", "k1"], 1),
                                 ("ok", ["k0"], 1), ("ok", ["k1"], 1), ("ok", ["k2", "k3"], 1)]


def test_batch_history_of_a_partial_failure_and_of_a_drop():
    engine, poller = _setup(["partial:k1", "ok"], n=3, FunctionResponseTypes=["ReportBatchItemFailures"])
    _step(engine, poller)
    assert _outcomes(engine) == [("partial failure", ["k0", "k1", "k2"], 1), ("ok", ["k1", "k2"], 2)]
    assert engine.batches[0]["error"] == "ReportBatchItemFailures"

    engine, poller = _setup(["error"], n=1, MaximumRetryAttempts=0)
    engine.destination_up = False
    _step(engine, poller)
    assert _outcomes(engine) == [("dropped", ["k0"], 1)]
    assert engine.batches[0]["destination"] is None

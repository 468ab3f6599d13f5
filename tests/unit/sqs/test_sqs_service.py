"""The SQS domain on a manual clock: visibility, delays, retention, redrive, FIFO, long-poll wake-ups."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from riverbed.clock import ManualClock
from riverbed.services.sqs.errors import (
    InvalidParameterValue,
    MissingParameter,
    PurgeQueueInProgress,
    QueueDoesNotExist,
    QueueNameExists,
)
from riverbed.services.sqs.service import SqsService
from riverbed.storage.sqlite import SqliteStore

REGION, ACCOUNT = "us-east-1", "000000000000"


class FakeApp:
    def __init__(self) -> None:
        self.clock = ManualClock(1_700_000_000.0)
        self.store = SqliteStore(None)
        self.endpoint_url = "http://localhost:4566"


@pytest.fixture
def svc() -> SqsService:
    app = FakeApp()
    return SqsService(app.store, app.clock)


def receive(svc: SqsService, queue: Any, n: int = 10, visibility: int | None = None) -> list[dict[str, Any]]:
    return svc.receive(svc.queues.get(queue.arn), n, visibility, {"All"}, ["All"])


def test_visibility_timeout_runs_on_the_clock(svc):
    q = svc.create_queue(REGION, ACCOUNT, "q", {"VisibilityTimeout": "30"})
    svc.send(q, "hello")
    first = receive(svc, q)
    assert [m["Body"] for m in first] == ["hello"]
    assert receive(svc, q) == []
    svc.clock.advance(29.9)
    assert receive(svc, q) == []
    svc.clock.advance(0.1)
    again = receive(svc, q)
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    assert again[0]["Attributes"]["ApproximateFirstReceiveTimestamp"] == \
        first[0]["Attributes"]["ApproximateFirstReceiveTimestamp"]
    svc.delete_message(q, first[0]["ReceiptHandle"])   # an older handle still deletes (standard queue)
    svc.clock.advance(31)
    assert receive(svc, q) == []


def test_delays_and_counts(svc):
    q = svc.create_queue(REGION, ACCOUNT, "q", {"DelaySeconds": "10"})
    svc.send(q, "queue-delay")
    svc.send(q, "no-delay", delay=0)
    attrs = svc.queue_attributes(q, ["All"])
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesDelayed"]) == ("1", "1")
    assert [m["Body"] for m in receive(svc, q)] == ["no-delay"]
    assert svc.queue_attributes(q, ["ApproximateNumberOfMessagesNotVisible"]) == \
        {"ApproximateNumberOfMessagesNotVisible": "1"}
    svc.clock.advance(10)
    assert [m["Body"] for m in receive(svc, q)] == ["queue-delay"]


def test_retention_expiry(svc):
    q = svc.create_queue(REGION, ACCOUNT, "q", {"MessageRetentionPeriod": "60"})
    svc.send(q, "old")
    svc.clock.advance(61)
    assert svc.expire_once() == 1
    assert receive(svc, q) == []


def test_redrive_to_dead_letter_queue(svc):
    dlq = svc.create_queue(REGION, ACCOUNT, "dlq", None)
    q = svc.create_queue(REGION, ACCOUNT, "src", {
        "VisibilityTimeout": "5",
        "RedrivePolicy": f'{{"deadLetterTargetArn": "{dlq.arn}", "maxReceiveCount": 2}}'})
    sent = svc.send(q, "poison", message_attributes={"k": {"DataType": "String", "StringValue": "v"}})
    for _ in range(2):
        assert len(receive(svc, q)) == 1
        svc.clock.advance(5)
    assert receive(svc, q) == []          # third receive moves it instead of returning it
    moved = receive(svc, dlq)
    assert moved[0]["MessageId"] == sent["MessageId"]
    assert moved[0]["Attributes"]["DeadLetterQueueSourceArn"] == q.arn
    assert moved[0]["Attributes"]["ApproximateReceiveCount"] == "3"
    assert moved[0]["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}


def test_fifo_order_groups_and_dedup(svc):
    q = svc.create_queue(REGION, ACCOUNT, "q.fifo", {"FifoQueue": "true"})
    with pytest.raises(MissingParameter):
        svc.send(q, "x", group_id=None, dedup_id="d")
    with pytest.raises(InvalidParameterValue):
        svc.send(q, "x", group_id="g")                       # no dedup id, no content-based dedup
    with pytest.raises(InvalidParameterValue):
        svc.send(q, "x", group_id="g", dedup_id="d", delay=2)
    first = svc.send(q, "a1", group_id="a", dedup_id="1")
    dup = svc.send(q, "a1-again", group_id="a", dedup_id="1")
    assert dup["MessageId"] == first["MessageId"] and dup["SequenceNumber"] == first["SequenceNumber"]
    svc.send(q, "a2", group_id="a", dedup_id="2")
    svc.send(q, "b1", group_id="b", dedup_id="3")
    got = receive(svc, q, n=1)
    assert [m["Body"] for m in got] == ["a1"]
    assert [m["Body"] for m in receive(svc, q)] == ["b1"]     # group a is blocked behind a1
    svc.delete_message(q, got[0]["ReceiptHandle"])
    assert [m["Body"] for m in receive(svc, q)] == ["a2"]
    svc.clock.advance(301)
    assert svc.send(q, "a1", group_id="a", dedup_id="1")["MessageId"] != first["MessageId"]


def test_fifo_expired_receipt_handle(svc):
    q = svc.create_queue(REGION, ACCOUNT, "q.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true",
                                                     "VisibilityTimeout": "10"})
    svc.send(q, "m", group_id="g")
    handle = receive(svc, q)[0]["ReceiptHandle"]
    svc.clock.advance(11)
    with pytest.raises(InvalidParameterValue) as exc:
        svc.delete_message(q, handle)
    assert exc.value.message == (f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The "
                                 "receipt handle has expired.")


def test_change_visibility(svc):
    q = svc.create_queue(REGION, ACCOUNT, "q", None)
    svc.send(q, "m")
    handle = receive(svc, q)[0]["ReceiptHandle"]
    svc.change_visibility(q, handle, 0)
    handle = receive(svc, q)[0]["ReceiptHandle"]
    svc.change_visibility(q, handle, 100)
    svc.clock.advance(99)
    assert receive(svc, q) == []
    with pytest.raises(InvalidParameterValue):
        svc.change_visibility(q, handle, 43_201)
    svc.delete_message(q, handle)
    with pytest.raises(InvalidParameterValue) as exc:
        svc.change_visibility(q, handle, 5)
    assert exc.value.message.endswith("Message does not exist or is not available for visibility timeout "
                                      "change.")


def test_create_queue_idempotency_and_purge(svc):
    q = svc.create_queue(REGION, ACCOUNT, "q", {"DelaySeconds": "1"})
    assert svc.create_queue(REGION, ACCOUNT, "q", {"DelaySeconds": "1"}).arn == q.arn
    assert svc.create_queue(REGION, ACCOUNT, "q", None).arn == q.arn
    with pytest.raises(QueueNameExists) as exc:
        svc.create_queue(REGION, ACCOUNT, "q", {"DelaySeconds": "2"})
    assert exc.value.message == ("A queue already exists with the same name and a different value for "
                                 "attribute DelaySeconds")
    assert exc.value.extra["__query_code"] == "QueueAlreadyExists"
    svc.purge(q)
    with pytest.raises(PurgeQueueInProgress):
        svc.purge(q)
    svc.clock.advance(60)
    svc.purge(q)
    svc.delete_queue(q)
    with pytest.raises(QueueDoesNotExist):
        svc.queues.get(q.arn)


def test_in_process_api(svc):
    q = svc.create_queue(REGION, ACCOUNT, "dest", None)
    assert svc.queue_exists(q.arn) and not svc.queue_exists(q.arn + "x")
    message_id = svc.send_message(q.arn, '{"failure": true}')
    assert receive(svc, q)[0]["MessageId"] == message_id
    with pytest.raises(QueueDoesNotExist):
        svc.send_message(q.arn + "x", "body")


def test_long_poll_woken_by_send_and_ended_by_clock(svc):
    q = svc.create_queue(REGION, ACCOUNT, "q", None)

    async def until_waiting() -> None:
        # The receiver is parked once its clock sleep is registered; poll for that, not for a fixed time.
        for _ in range(2000):
            if svc.clock.pending_waits() == 1:
                return
            await asyncio.sleep(0.005)
        raise AssertionError("the receiver never started waiting")

    async def scenario() -> None:
        waiting = asyncio.ensure_future(svc.receive_wait(q.arn, 1, None, 20, set(), []))
        await until_waiting()
        assert not waiting.done()
        svc.send(q, "wake up")
        got = await asyncio.wait_for(waiting, 10)
        assert [m["Body"] for m in got] == ["wake up"]

        empty = asyncio.ensure_future(svc.receive_wait(q.arn, 1, None, 20, set(), []))
        await until_waiting()
        svc.clock.advance(20)
        assert await asyncio.wait_for(empty, 10) == []

        delayed = asyncio.ensure_future(svc.receive_wait(q.arn, 1, None, 20, set(), []))
        svc.send(q, "later", delay=5)
        await until_waiting()
        assert not delayed.done()
        svc.clock.advance(5)                # the delayed message becoming visible ends the wait
        assert [m["Body"] for m in await asyncio.wait_for(delayed, 10)] == ["later"]

    asyncio.run(scenario())


def test_reset_drops_messages(svc):
    q = svc.create_queue(REGION, ACCOUNT, "q", None)
    svc.send(q, "m")
    svc.reset()
    assert sum(svc.store.log_counts(q.arn, svc.clock.now())) == 0

"""Message move tasks: dead-letter queue redrive (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask).

Owns: the task documents in the store (kind ``sqs-move-task``, key ``<source ARN>/<number>``, so a
restart finds them), starting one (the source must be some queue's dead-letter queue; one active task
per source), the step ``move_once`` that moves what each running task may move by now, cancelling, and
the background loop.  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html

AWS's rules followed here:
- without ``DestinationArn`` each message goes back to the queue it was dead-lettered from (the service
  keeps that ARN with the message, ``dlq_source``);
- "All redriven messages are considered new messages and are assigned a new messageID and enqueueTime"
  (SQS developer guide, sqs-configure-dead-letter-queue-redrive): body, message attributes and the
  message group are kept; the id, the sent time (retention restarts) and the receive count are new;
- ``MaxNumberOfMessagesPerSecond`` (1..500) caps the moves at ``rate * seconds since the start`` on the
  clock; without it a step moves up to ``BATCH`` messages;
- ``ApproximateNumberOfMessagesToMove`` is the source's visible messages at the start; the task is
  COMPLETED once that many moved or nothing visible is left; a destination (or original source) that no
  longer exists fails it with FailureReason ``AWS.SimpleQueueService.NonExistentQueue`` (as recorded);
- the TaskHandle is base64 of ``{"taskId", "sourceArn"}`` (AWS's handles decode so), which is how a
  cancel names the source: a handle that does not decode, a source that does not exist and an unknown
  or finished task answer AWS's three recorded errors.
Error texts: AWS's answers as recorded by LocalStack's ``test_sqs_move_task`` snapshot.

A task RUNNING when riverbed stopped continues after a restart: AWS runs tasks server-side and does not
fail them for its own restarts, and the task's state (moved so far, the start for the rate) is all here.

Must not: know HTTP; decide when a message is dead-lettered (``service`` does).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import orjson

from riverbed import ids
from riverbed.services.sqs.errors import (
    InvalidParameterValue,
    QueueDoesNotExist,
    ResourceNotFoundException,
    invalid_value,
)
from riverbed.services.sqs.queues import split_arn

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.services.sqs.service import SqsService
    from riverbed.storage import Txn

DOC_KIND = "sqs-move-task"
BATCH = 100                  # messages one step moves when no rate is given
KEPT_PER_SOURCE = 10         # ListMessageMoveTasks shows at most the 10 most recent
IDLE_POLL_SECONDS = 1.0      # real seconds: a task started on another node sharing the store is seen this late
GONE = "AWS.SimpleQueueService.NonExistentQueue"
# Clock times are epoch floats (about 2e-7 s apart at today's epoch): a rate step counts a message as due
# this much early, and the loop wakes half of it before the due time, so that a wake at the computed
# deadline never finds the message "not yet" due and sleeps again past an advance() that already ended.
SLACK_SECONDS = 1e-3
WAKE = "\nmove-tasks"        # the Waiters key the loop waits on (no queue ARN looks like it)


@dataclass
class MoveTask:
    task_id: str
    number: int
    source_arn: str
    destination_arn: str | None
    rate: int | None
    started: float
    to_move: int
    moved: int = 0
    status: str = "RUNNING"
    failure: str | None = None

    @property
    def key(self) -> str:
        return f"{self.source_arn}/{self.number:012d}"

    @property
    def handle(self) -> str:
        text = json.dumps({"taskId": self.task_id, "sourceArn": self.source_arn}, separators=(",", ":"))
        return base64.b64encode(text.encode()).decode()

    def entry(self) -> dict[str, Any]:
        """The ListMessageMoveTasksResultEntry."""
        out: dict[str, Any] = {"Status": self.status, "SourceArn": self.source_arn,
                               "ApproximateNumberOfMessagesMoved": self.moved,
                               "ApproximateNumberOfMessagesToMove": self.to_move,
                               "StartedTimestamp": int(self.started * 1000)}
        if self.status == "RUNNING":
            out["TaskHandle"] = self.handle
        if self.destination_arn:
            out["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            out["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.failure:
            out["FailureReason"] = self.failure
        return out


def _source_missing() -> ResourceNotFoundException:
    return ResourceNotFoundException("The resource that you specified for the SourceArn parameter doesn't exist.")


def decode_handle(handle: Any) -> tuple[str, str]:
    """``(task id, source ARN)`` of a TaskHandle; AWS's InvalidParameterValue when it is not one."""
    try:
        doc = json.loads(base64.b64decode(str(handle), validate=True))
        return str(doc["taskId"]), str(doc["sourceArn"])
    except (ValueError, binascii.Error, KeyError, TypeError):
        raise InvalidParameterValue("Value for parameter TaskHandle is invalid.") from None


class MoveTasks:
    def __init__(self, service: SqsService) -> None:
        self.service = service
        self.store = service.store
        self.clock = service.clock

    # --- reading -----------------------------------------------------------------------------------
    def _tasks(self, source_arn: str) -> list[MoveTask]:
        """The source's tasks, most recent first."""
        docs = self.store.list_docs(DOC_KIND, f"{source_arn}/")
        return sorted((MoveTask(**doc) for _, doc in docs), key=lambda t: -t.number)

    def _require_source(self, source_arn: str) -> None:
        try:
            split_arn(source_arn)
        except QueueDoesNotExist:
            raise _source_missing() from None
        if self.service.queues.find(source_arn) is None:
            raise _source_missing()

    def list_tasks(self, source_arn: str, max_results: Any) -> list[dict[str, Any]]:
        self._require_source(source_arn)
        limit = 1 if max_results is None else int(max_results)
        if not 1 <= limit <= KEPT_PER_SOURCE:
            # Not recorded from AWS; SQS's usual wording with the documented bounds.
            raise invalid_value(limit, "MaxResults", "You must enter a number that's between 1 and 10.")
        return [task.entry() for task in self._tasks(source_arn)[:limit]]

    def running(self) -> list[MoveTask]:
        return [t for t in (MoveTask(**doc) for _, doc in self.store.list_docs(DOC_KIND)) if t.status == "RUNNING"]

    def pending(self) -> list[str]:
        """The drain probe: a running task is work still in flight."""
        return [f"sqs message move task {t.task_id} from {t.source_arn}" for t in self.running()]

    # --- starting and cancelling ---------------------------------------------------------------------
    def start(self, source_arn: str, destination_arn: str | None, rate: Any) -> str:
        if rate is not None and not 1 <= int(rate) <= 500:
            # Not recorded from AWS; SQS's usual wording with the documented bounds (1..500).
            raise invalid_value(rate, "MaxNumberOfMessagesPerSecond",
                                "You must enter a number that's between 1 and 500.")
        self._require_source(source_arn)
        if not any((q.redrive() or ("", 0))[0] == source_arn for q in self.service.queues.all()):
            raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
        if destination_arn and self.service.queues.find(destination_arn) is None:
            raise ResourceNotFoundException("The resource that you specified for the DestinationArn parameter "
                                            "doesn't exist.")
        now = self.clock.now()
        counts = self.store.log_counts(source_arn, now)
        with self.store.transaction() as txn:
            earlier = sorted((MoveTask(**doc) for _, doc in txn.list_docs(DOC_KIND, f"{source_arn}/")),
                             key=lambda t: -t.number)
            if any(t.status in ("RUNNING", "CANCELLING") for t in earlier):
                raise InvalidParameterValue("There is already a task running. Only one active task is allowed "
                                            "for a source queue arn at a given time.")
            for old in earlier[KEPT_PER_SOURCE - 1:]:
                txn.delete_doc(DOC_KIND, old.key)
            task = MoveTask(task_id=ids.new_uuid(), number=txn.next_counter("sqs-move-task"),
                            source_arn=source_arn, destination_arn=destination_arn or None,
                            rate=None if rate is None else int(rate), started=now, to_move=counts.visible)
            txn.put_doc(DOC_KIND, task.key, asdict(task))
        self.service.waiters.notify(WAKE)
        return task.handle

    def cancel(self, handle: Any) -> int:
        task_id, source_arn = decode_handle(handle)
        self._require_source(source_arn)
        with self.store.transaction() as txn:
            for _, doc in txn.list_docs(DOC_KIND, f"{source_arn}/"):
                task = MoveTask(**doc)
                if task.task_id == task_id and task.status == "RUNNING":
                    # Moves are transactional here, so no batch is half done: CANCELLING ends at once.
                    task.status = "CANCELLED"
                    txn.put_doc(DOC_KIND, task.key, asdict(task))
                    return task.moved
        raise ResourceNotFoundException("Task does not exist.")

    # --- moving --------------------------------------------------------------------------------------
    def move_once(self) -> float | None:
        """Move what every running task may move by now; the clock time at which a task may move again
        (now or earlier: at once), or None when no task is running."""
        due: float | None = None
        for task in self.running():
            when = self._advance(task.key)
            if when is not None:
                due = when if due is None else min(due, when)
        return due

    def _advance(self, key: str) -> float | None:
        now = self.clock.now()
        with self.store.transaction() as txn:
            doc = txn.get_doc(DOC_KIND, key)
            if doc is None or doc["status"] != "RUNNING":
                return None
            task = MoveTask(**doc)
            allowed = task.to_move - task.moved
            if task.rate is not None:
                allowed = min(allowed, math.floor((now - task.started + SLACK_SECONDS) * task.rate) - task.moved)
            else:
                allowed = min(allowed, BATCH)
            if self.service.queues.find(task.source_arn) is None:
                task.status, task.failure = "FAILED", GONE
            elif allowed > 0:
                rows = txn.log_find_visible(task.source_arn, now, allowed)
                for row in rows:
                    if not self._move_row(txn, task, row, now):
                        task.status, task.failure = "FAILED", GONE
                        break
                    task.moved += 1
                if task.status == "RUNNING" and (task.moved >= task.to_move or len(rows) < allowed):
                    task.status = "COMPLETED"
            elif task.moved >= task.to_move:
                task.status = "COMPLETED"
            txn.put_doc(DOC_KIND, key, asdict(task))
        if task.status != "RUNNING":
            return None
        if task.rate is None:
            return now
        return task.started + (task.moved + 1) / task.rate - SLACK_SECONDS / 2

    def _move_row(self, txn: Txn, task: MoveTask, row: Any, now: float) -> bool:
        """Move one message as a new message of its destination; False when the destination is gone."""
        data = orjson.loads(row.data)
        target_arn = task.destination_arn or data.get("dlq_source")
        target = self.service.queues.find(target_arn) if target_arn else None
        if target is None:
            return False
        seq = txn.next_counter(f"sqs-seq:{target.arn}")
        message_id = ids.new_uuid()
        data.pop("dlq_source", None)
        data.update(id=message_id, sent_ms=int(now * 1000))
        if target.fifo:
            data["seqnum"] = ids.sequence_number(seq)
            data.setdefault("group", row.group or "riverbed")
            data["dedup"] = data.get("dedup") or row.msg_id
        txn.log_delete(task.source_arn, row.seq)
        txn.log_append(target.arn, seq, message_id, data.get("group") or "", now, now, orjson.dumps(data))
        self.service.wake_receivers(txn, target.arn)
        return True

    # --- the loop ------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Step the running tasks: at once while unthrottled ones have work, on the clock for throttled
        ones (a pipeline wait, so ``drain()`` jumps over it on a manual clock), else until a task starts.

        The wait is for an absolute clock time (``wait_until``), so a clock advanced from another thread
        between a step and the wait cannot leave the loop asleep past the due time; it is also bounded in
        real time (``IDLE_POLL_SECONDS``) for a task started on another node sharing the store."""
        waiters = self.service.waiters
        while True:
            woken = waiters.register(WAKE)
            sleeper: asyncio.Future[Any] | None = None
            try:
                due = self.move_once()
                if due is not None and due <= self.clock.now():
                    await asyncio.sleep(0)
                    continue
                pending: set[asyncio.Future[Any]] = {woken}
                if due is not None:
                    sleeper = asyncio.ensure_future(self.clock.wait_until(due, pipeline=True))
                    pending.add(sleeper)
                await asyncio.wait(pending, timeout=IDLE_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if sleeper is not None and not sleeper.done():
                    sleeper.cancel()
                waiters.discard(WAKE, woken)

"""The SQS domain: queues and their messages, on the store, on the clock.

Owns: creating, changing and deleting queues; sending (delays, FIFO groups, five-minute
deduplication, sequence numbers); receiving (visibility timeouts, receive counts, redrive to the
dead-letter queue after ``maxReceiveCount``, long polling woken in-process when a message commits);
deleting and changing visibility by receipt handle; retention expiry (``expire_once``); and the
in-process API other services use (``send_message``, ``queue_exists``, ``deliver``), which is the same
code the HTTP operations call.  Every time comes from ``app.clock``.

Metrics (AWS/SQS, dimension QueueName, through the ``MetricsSink`` handed over; AWS's definitions at
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html):
NumberOfMessagesSent (messages added by a send, not redrive moves nor FIFO duplicates),
NumberOfMessagesReceived and NumberOfEmptyReceives (per ReceiveMessage), NumberOfMessagesDeleted (every
successful delete, repeats included), SentMessageSize, and once a minute (``sample_metrics_once``) the
levels ApproximateNumberOfMessagesVisible / NotVisible / Delayed and ApproximateAgeOfOldestMessage.

Messages live in the store's message logs (one log per queue, named by the queue ARN; FIFO ordering
is the logs' ``group_ordered`` read) and FIFO deduplication ids in its expiring keys (one namespace
per queue).  What FIFO means, when a message goes to the dead-letter queue and which receipt handle is
still valid are decided here, not in the store.

Must not: know about HTTP or wire shapes beyond the dicts SQS operations return; no SQL here.
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from riverbed import ids
from riverbed.core.context import RequestContext
from riverbed.core.interfaces import MetricsSink
from riverbed.services.sqs import attributes as attrs
from riverbed.services.sqs import messages
from riverbed.services.sqs.access import check_service_send
from riverbed.services.sqs.errors import (
    InvalidParameterValue,
    MissingParameter,
    PurgeQueueInProgress,
    QueueNameExists,
    invalid_value,
)
from riverbed.services.sqs.md5 import md5_of_attributes, md5_of_body
from riverbed.services.sqs.movetasks import MoveTasks
from riverbed.services.sqs.polling import Waiters, wait_for_wake
from riverbed.services.sqs.queues import MESSAGES_CHANNEL, Queue, QueueRegistry, check_name, split_arn
from riverbed.storage import LogEntry, Store, Txn

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock

log = logging.getLogger("riverbed.sqs")

DEDUP_WINDOW_SECONDS = 300.0
PURGE_INTERVAL_SECONDS = 60.0
MAX_VISIBILITY_TIMEOUT = 43_200
EXPIRY_INTERVAL_SECONDS = 60.0


class Deduplicated(NamedTuple):
    """What a FIFO deduplication id remembers: the message its first send created."""

    message_id: str
    seq: int


def dedup_namespace(queue_arn: str) -> str:
    """The expiring-keys namespace of one queue's deduplication ids."""
    return f"sqs-dedup:{queue_arn}"


def dedup_key(queue: Queue, group_id: str | None, dedup_id: str) -> str:
    """Deduplication is per queue, or per message group when ``DeduplicationScope`` is ``messageGroup``."""
    scope = (group_id or "") if queue.dedup_by_group else ""
    return f"{scope}\n{dedup_id}"


class SqsService:
    def __init__(self, store: Store, clock: Clock, metrics: MetricsSink | None = None) -> None:
        self.store = store
        self.clock = clock
        self.metrics = metrics
        self.queues = QueueRegistry(store)
        self.waiters = Waiters()
        self.iam_mode = "enforce"     # --iam: whether SNS needs the queue's policy to deliver (access.py)
        self.move_tasks = MoveTasks(self)   # dead-letter queue redrive (movetasks.py)
        if store.shared:   # receivers long-polling on other nodes are woken by a send here, and ours by theirs
            store.subscribe(MESSAGES_CHANNEL, self._woken)

    def _wake(self, txn: Any, arn: str) -> None:
        """Once ``txn`` commits, wake the receivers waiting on ``arn`` here and, on a shared store, everywhere."""
        txn.after_commit(lambda: self.waiters.notify(arn))
        if self.store.shared:
            txn.notify(MESSAGES_CHANNEL, arn)

    def wake_receivers(self, txn: Any, arn: str) -> None:
        """Once ``txn`` commits, wake the receivers waiting on ``arn`` (for messages added outside ``send``)."""
        self._wake(txn, arn)

    def _woken(self, arn: str) -> None:
        if arn:
            self.waiters.notify(arn)
        else:   # notifications may have been missed: every receiver looks again
            for queue in self.waiters.queues():
                self.waiters.notify(queue)

    # --- queues ------------------------------------------------------------------------------------
    def create_queue(self, region: str, account: str, name: str, attributes: dict[str, Any] | None,
                     tags: dict[str, str] | None = None) -> Queue:
        given = dict(attributes or {})
        fifo = str(given.get("FifoQueue", "")).lower() == "true"
        check_name(name, fifo)
        changes = attrs.normalize(given, fifo=fifo, creating=True, queue_type=self.queues.queue_type)
        arn = Queue(name, region, account, fifo, {}, 0, 0).arn
        existing = self.queues.find(arn)
        if existing is not None:
            for key, value in changes.items():
                if existing.attributes.get(key, "") != value:
                    raise QueueNameExists(f"A queue already exists with the same name and a different value "
                                          f"for attribute {key}")
            return existing
        now = self.clock.now()
        queue = Queue(name=name, region=region, account=account, fifo=fifo,
                      attributes=attrs.apply(attrs.defaults(fifo), changes), created=now, last_modified=now,
                      tags=dict(tags or {}))
        with self.store.transaction() as txn:
            self.queues.put(txn, queue)
        return queue

    def set_attributes(self, queue: Queue, attributes: dict[str, Any]) -> None:
        changes = attrs.normalize(attributes, fifo=queue.fifo, creating=False,
                                  queue_type=self.queues.queue_type,
                                  current=queue.attributes)
        queue.attributes = attrs.apply(queue.attributes, changes)
        queue.last_modified = self.clock.now()
        with self.store.transaction() as txn:
            self.queues.put(txn, queue)
        self.waiters.notify(queue.arn)   # a shorter retention or delay can change what receivers see

    def save(self, queue: Queue) -> None:
        with self.store.transaction() as txn:
            self.queues.put(txn, queue)

    def delete_queue(self, queue: Queue) -> None:
        with self.store.transaction() as txn:
            self.queues.delete(txn, queue.arn)
            txn.log_purge(queue.arn)
            txn.drop_keys(dedup_namespace(queue.arn))
        self.waiters.notify(queue.arn)

    def purge(self, queue: Queue) -> None:
        now = self.clock.now()
        if queue.purged_at is not None and now - queue.purged_at < PURGE_INTERVAL_SECONDS:
            raise PurgeQueueInProgress(f"Only one PurgeQueue operation on {queue.name} is allowed every 60 "
                                       f"seconds.")
        queue.purged_at = now
        with self.store.transaction() as txn:
            txn.log_purge(queue.arn)
            self.queues.put(txn, queue)

    def queue_attributes(self, queue: Queue, names: list[str] | None) -> dict[str, str]:
        now = self.clock.now()
        self._expire(self.store, queue, now)
        counts = self.store.log_counts(queue.arn, now)
        values = dict(queue.attributes)
        values.update({
            "QueueArn": queue.arn,
            "ApproximateNumberOfMessages": str(counts.visible),
            "ApproximateNumberOfMessagesNotVisible": str(counts.in_flight),
            "ApproximateNumberOfMessagesDelayed": str(counts.delayed),
            "CreatedTimestamp": str(int(queue.created)),
            "LastModifiedTimestamp": str(int(queue.last_modified)),
        })
        if queue.fifo:
            values["FifoQueue"] = "true"
        if not names or "All" in names:
            return values
        return {name: values[name] for name in names if name in values}

    def queue_exists(self, arn: str) -> bool:
        return self.queues.find(arn) is not None

    # --- sending -------------------------------------------------------------------------------------
    def send(self, queue: Queue, body: Any, *, message_attributes: dict[str, Any] | None = None,
             system_attributes: dict[str, Any] | None = None, delay: int | None = None,
             group_id: str | None = None, dedup_id: str | None = None, sender: str = "",
             extra_system: dict[str, str] | None = None, batch: bool = False) -> dict[str, Any]:
        """Validate and enqueue one message; the SendMessage result (MessageId, MD5s, SequenceNumber)."""
        text = messages.check_body(body)
        user = messages.check_attributes(message_attributes)
        system = messages.check_attributes(system_attributes, system=True)
        limit = queue.maximum_message_size
        if messages.message_size(text, user) > limit:
            verb = "cannot be validated" if batch else "are invalid"
            raise InvalidParameterValue(f"One or more parameters {verb}. Reason: Message must be shorter "
                                        f"than {limit} bytes.")
        if group_id is not None:
            group_id = messages.check_token(group_id, "MessageGroupId")
        if dedup_id is not None:
            dedup_id = messages.check_token(dedup_id, "MessageDeduplicationId")
        if queue.fifo:
            if delay not in (None, 0):
                raise invalid_value(delay, "DelaySeconds",
                                    "The request include parameter that is not valid for this queue type.")
            if group_id is None:
                if batch:
                    raise InvalidParameterValue("The request must contain the parameter MessageGroupId.")
                raise MissingParameter.named("MessageGroupId")
            if dedup_id is None:
                if not queue.content_based_dedup:
                    raise InvalidParameterValue("The queue should either have ContentBasedDeduplication "
                                                "enabled or MessageDeduplicationId provided explicitly")
                dedup_id = hashlib.sha256(text.encode("utf-8")).hexdigest()
            delay_seconds = queue.delay_seconds
        else:
            if dedup_id is not None:
                raise invalid_value(dedup_id, "MessageDeduplicationId",
                                    "The request include parameter that is not valid for this queue type.")
            if delay is not None and not 0 <= int(delay) <= 900:
                raise invalid_value(delay, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900")
            delay_seconds = queue.delay_seconds if delay is None else int(delay)
        return self._enqueue(queue, text, user, system, delay_seconds, group_id, dedup_id, sender,
                             extra_system or {})

    def _enqueue(self, queue: Queue, body: str, user: dict[str, Any], system: dict[str, Any], delay: int,
                 group_id: str | None, dedup_id: str | None, sender: str,
                 extra_system: dict[str, str]) -> dict[str, Any]:
        now = self.clock.now()
        md5 = md5_of_body(body)
        result: dict[str, Any] = {"MD5OfMessageBody": md5}
        user_md5 = md5_of_attributes(user)
        system_md5 = md5_of_attributes(system)
        if user_md5:
            result["MD5OfMessageAttributes"] = user_md5
        if system_md5:
            result["MD5OfMessageSystemAttributes"] = system_md5
        with self.store.transaction() as txn:
            if queue.fifo and dedup_id is not None:
                # A deduplication id seen in the last five minutes answers with the first send's message
                # and enqueues nothing (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/
                # SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html).
                seen = txn.get_key(dedup_namespace(queue.arn), dedup_key(queue, group_id, dedup_id), now)
                if seen is not None:
                    first = Deduplicated(*orjson.loads(seen))
                    result["MessageId"] = first.message_id
                    result["SequenceNumber"] = ids.sequence_number(first.seq)
                    return result
            seq = txn.next_counter(f"sqs-seq:{queue.arn}")
            message_id = ids.new_uuid()
            data: dict[str, Any] = {"id": message_id, "body": body, "md5": md5, "sender": sender,
                                    "sent_ms": int(now * 1000)}
            if user:
                data["attrs"] = user
            if system:
                data["sys"] = system
            if group_id is not None:
                data["group"] = group_id
            if queue.fifo:
                data["dedup"] = dedup_id
                data["seqnum"] = ids.sequence_number(seq)
                txn.put_key_if_absent(dedup_namespace(queue.arn), dedup_key(queue, group_id, dedup_id or ""),
                                      orjson.dumps(list(Deduplicated(message_id, seq))), now + DEDUP_WINDOW_SECONDS,
                                      now)
            data.update(extra_system)
            txn.log_append(queue.arn, seq, message_id, group_id or "", now + delay, now, orjson.dumps(data))
            self._wake(txn, queue.arn)
        if self.metrics is not None:
            dims = {"QueueName": queue.name}
            self.metrics.put("AWS/SQS", "NumberOfMessagesSent", dims, 1)
            self.metrics.put("AWS/SQS", "SentMessageSize", dims, len(body.encode("utf-8")), "Bytes")
        result["MessageId"] = message_id
        if queue.fifo:
            result["SequenceNumber"] = ids.sequence_number(seq)
        return result

    # --- receiving ---------------------------------------------------------------------------------------
    def receive(self, queue: Queue, max_messages: int, visibility: int | None, system_names: set[str],
                attribute_names: list[str]) -> list[dict[str, Any]]:
        """One receive attempt: the messages visible now, made invisible for the visibility timeout."""
        now = self.clock.now()
        timeout = queue.visibility_timeout if visibility is None else visibility
        redrive = queue.redrive()
        dead_letter = self.queues.find(redrive[0]) if redrive else None
        out: list[dict[str, Any]] = []
        moved_to: set[str] = set()
        with self.store.transaction() as txn:
            self._expire(txn, queue, now)
            while len(out) < max_messages:
                # FIFO: a group is consumed strictly in order, so nothing behind an in-flight message of
                # its group is returned.
                rows = txn.log_find_visible(queue.arn, now, max_messages - len(out), group_ordered=queue.fifo)
                moved = 0
                for row in rows:
                    if redrive and dead_letter is not None and row.receive_count >= redrive[1]:
                        self._move_to_dead_letter(txn, queue, dead_letter, row, now)
                        moved_to.add(dead_letter.arn)
                        moved += 1
                        continue
                    out.append(self._deliver_row(txn, queue, row, now, timeout, system_names, attribute_names))
                if not moved or not rows:
                    break
            for arn in moved_to:
                self._wake(txn, arn)
        return out

    def _deliver_row(self, txn: Txn, queue: Queue, row: LogEntry, now: float, timeout: int,
                     system_names: set[str], attribute_names: list[str]) -> dict[str, Any]:
        token = os.urandom(12).hex()
        txn.log_mark_received(queue.arn, row.seq, now, now + timeout, token)
        data = orjson.loads(row.data)
        first = row.first_received if row.first_received is not None else now
        system = {
            "SenderId": data.get("sender") or "",
            "SentTimestamp": str(data["sent_ms"]),
            "ApproximateReceiveCount": str(row.receive_count + 1),
            "ApproximateFirstReceiveTimestamp": str(int(first * 1000)),
        }
        if data.get("group") is not None:
            system["MessageGroupId"] = data["group"]
        if queue.fifo:
            system["MessageDeduplicationId"] = data.get("dedup") or ""
            system["SequenceNumber"] = data.get("seqnum") or ids.sequence_number(row.seq)
        trace = (data.get("sys") or {}).get("AWSTraceHeader")
        if trace:
            system["AWSTraceHeader"] = trace["StringValue"]
        if data.get("dlq_source"):
            system["DeadLetterQueueSourceArn"] = data["dlq_source"]
        receipt = messages.encode_receipt(queue.arn, row.seq, token)
        return messages.received_message(data, receipt, system, system_names, attribute_names)

    def _move_to_dead_letter(self, txn: Txn, queue: Queue, dead_letter: Queue, row: LogEntry,
                             now: float) -> None:
        data = orjson.loads(row.data)
        data["dlq_source"] = queue.arn
        seq = txn.next_counter(f"sqs-seq:{dead_letter.arn}")
        if dead_letter.fifo:
            data["seqnum"] = ids.sequence_number(seq)
        txn.log_move(queue.arn, row.seq, dead_letter.arn, seq, now, orjson.dumps(data))

    async def receive_wait(self, queue_arn: str, max_messages: int, visibility: int | None, wait: float,
                           system_names: set[str], attribute_names: list[str]) -> list[dict[str, Any]]:
        """Receive, long-polling up to ``wait`` clock seconds; woken at once when a message commits."""
        deadline = self.clock.now() + wait
        while True:
            future = self.waiters.register(queue_arn)
            try:
                queue = self.queues.get(queue_arn)
                found = self.receive(queue, max_messages, visibility, system_names, attribute_names)
                now = self.clock.now()
                if found or now >= deadline:
                    if self.metrics is not None:
                        dims = {"QueueName": queue.name}
                        if found:
                            self.metrics.put("AWS/SQS", "NumberOfMessagesReceived", dims, len(found))
                        else:
                            self.metrics.put("AWS/SQS", "NumberOfEmptyReceives", dims, 1)
                    return found
                until = deadline
                upcoming = self.store.log_next_visible_at(queue_arn, now)
                if upcoming is not None:
                    until = min(until, upcoming)
                await wait_for_wake(future, self.clock, until - now)
            finally:
                self.waiters.discard(queue_arn, future)

    # --- deleting and visibility ---------------------------------------------------------------------------
    def _locate(self, queue: Queue, handle: Any) -> tuple[int, str]:
        arn, seq, token = messages.decode_receipt(handle)
        if arn != queue.arn:
            raise messages.invalid_receipt(handle)
        return seq, token

    def delete_message(self, queue: Queue, handle: Any) -> None:
        seq, token = self._locate(queue, handle)
        now = self.clock.now()
        with self.store.transaction() as txn:
            row = txn.log_get(queue.arn, seq)
            if row is not None:    # already deleted: AWS answers success (and counts it)
                if queue.fifo and (row.receipt != token or row.visible_at <= now):
                    raise invalid_value(handle, "ReceiptHandle", "The receipt handle has expired.")
                txn.log_delete(queue.arn, seq)
        if self.metrics is not None:
            self.metrics.put("AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": queue.name}, 1)

    def change_visibility(self, queue: Queue, handle: Any, timeout: Any) -> None:
        seq, token = self._locate(queue, handle)
        seconds = int(timeout)
        if not 0 <= seconds <= MAX_VISIBILITY_TIMEOUT:
            raise invalid_value(seconds, "VisibilityTimeout", "Total VisibilityTimeout for the message is "
                                                              f"beyond the limit [{MAX_VISIBILITY_TIMEOUT} "
                                                              f"seconds]")
        now = self.clock.now()
        with self.store.transaction() as txn:
            row = txn.log_get(queue.arn, seq)
            if row is None or row.receipt is None:
                raise invalid_value(handle, "ReceiptHandle",
                                    "Message does not exist or is not available for visibility timeout "
                                    "change.")
            if queue.fifo and (row.receipt != token or row.visible_at <= now):
                raise invalid_value(handle, "ReceiptHandle", "The receipt handle has expired.")
            txn.log_set_visible_at(queue.arn, seq, now + seconds)
            self._wake(txn, queue.arn)

    # --- retention ------------------------------------------------------------------------------------------
    def _expire(self, txn: Txn, queue: Queue, now: float) -> int:
        return txn.log_expire(queue.arn, now - queue.retention_seconds)

    def expire_once(self) -> int:
        """Drop messages past their queue's retention period and stale deduplication records."""
        now = self.clock.now()
        removed = 0
        with self.store.transaction() as txn:
            for queue in self.queues.all():
                removed += self._expire(txn, queue, now)
                txn.prune_keys(dedup_namespace(queue.arn), now)
        return removed

    def sample_metrics_once(self) -> None:
        """The queue levels AWS reports once a minute: messages visible, in flight and delayed, and the age
        (seconds) of the oldest visible message (0 for an empty queue)."""
        if self.metrics is None:
            return
        now = self.clock.now()
        put = self.metrics.put
        for queue in self.queues.all():
            counts = self.store.log_counts(queue.arn, now)
            with self.store.transaction() as txn:
                oldest = txn.log_find_visible(queue.arn, now, 1)
            dims = {"QueueName": queue.name}
            put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, counts.visible)
            put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dims, counts.in_flight)
            put("AWS/SQS", "ApproximateNumberOfMessagesDelayed", dims, counts.delayed)
            put("AWS/SQS", "ApproximateAgeOfOldestMessage", dims,
                max(0.0, now - oldest[0].sent_at) if oldest else 0.0, "Seconds")

    async def run_expiry(self) -> None:
        while True:
            await self.clock.sleep(EXPIRY_INTERVAL_SECONDS)
            self.expire_once()
            self.sample_metrics_once()

    # --- in-process API (event source mappings' on-failure destinations, SNS delivery) ----------------------
    def send_message(self, queue_arn: str, body: str, attributes: dict[str, Any] | None = None) -> str:
        """Send ``body`` to the queue with this ARN; the message id.  Raises QueueDoesNotExist & co."""
        queue = self.queues.get(queue_arn)
        group = "riverbed" if queue.fifo else None
        dedup = None if not queue.fifo or queue.content_based_dedup else ids.new_uuid()
        result = self.send(queue, body, message_attributes=attributes, group_id=group, dedup_id=dedup,
                           sender=queue.account)
        return str(result["MessageId"])

    def deliver(self, queue_arn: str, body: str, *, message_attributes: dict[str, Any] | None = None,
                group_id: str | None = None, dedup_id: str | None = None, sender: str = "",
                source_arn: str = "", service: str = "sns.amazonaws.com") -> dict[str, Any]:
        """Enqueue on behalf of another service (SNS); the SendMessage result. With ``source_arn`` (the
        topic), the queue's policy must let ``service`` send for it (access.py)."""
        queue = self.queues.get(queue_arn)
        check_service_send(queue.arn, queue.attributes.get("Policy"), service, source_arn, self.iam_mode)
        if not queue.fifo:
            dedup_id = None
        elif dedup_id is None and not queue.content_based_dedup:
            dedup_id = hashlib.sha256(body.encode("utf-8")).hexdigest()
        return self.send(queue, body, message_attributes=message_attributes, group_id=group_id,
                         dedup_id=dedup_id, sender=sender or queue.account)

    def resource_policy(self, arn: str) -> str | None:
        """The queue's Policy attribute (the gateway's lookup for requests from other accounts), or None."""
        queue = self.queues.find(arn)
        return (queue.attributes.get("Policy") or None) if queue is not None else None

    def region_account(self, arn: str) -> tuple[str, str, str]:
        return split_arn(arn)

    def reset(self) -> None:
        """Drop every queue's messages and deduplication ids, and forget cached queues.

        (The application resets the store first, which already dropped them; this keeps the service's
        reset complete on its own.)"""
        with self.store.transaction() as txn:
            for queue in self.queues.all():
                txn.log_purge(queue.arn)
                txn.drop_keys(dedup_namespace(queue.arn))
        self.queues.reset()


SqsContext = RequestContext[SqsService]

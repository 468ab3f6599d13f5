"""SendMessage and SendMessageBatch.

Owns: reading these requests and answering in AWS's shape.  A batch is refused as a whole when it is
empty, too large (more than ten entries, or more than 1 MiB together: ``BatchRequestTooLong``) or,
on a FIFO queue, when an entry lacks what every FIFO send needs (recorded AWS: sqs snapshot
``test_send_batch_missing_message_group_id_for_fifo_queue``); any other problem fails just its entry.

Must not: hold message rules (``service`` and ``messages`` do).
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ServiceError
from riverbed.services.sqs import messages
from riverbed.services.sqs.attributes import MAX_MESSAGE_SIZE
from riverbed.services.sqs.errors import BatchRequestTooLong, InvalidParameterValue
from riverbed.services.sqs.operations.lookup import check_batch, failure, queue_for, sender_id
from riverbed.services.sqs.service import SqsContext


def send_message(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    return svc.send(queue, request.get("MessageBody"), message_attributes=request.get("MessageAttributes"),
                    system_attributes=request.get("MessageSystemAttributes"),
                    delay=request.get("DelaySeconds"), group_id=request.get("MessageGroupId"),
                    dedup_id=request.get("MessageDeduplicationId"), sender=sender_id(ctx))


def _entry_size(entry: dict[str, Any]) -> int:
    body = str(entry.get("MessageBody") or "")
    try:
        attributes = messages.check_attributes(entry.get("MessageAttributes"))
    except ServiceError:
        attributes = {}
    return messages.message_size(body, attributes)


def send_message_batch(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    entries = check_batch(request.get("Entries"), "SendMessageBatchRequestEntry")
    total = sum(_entry_size(entry) for entry in entries)
    if total > MAX_MESSAGE_SIZE:
        raise BatchRequestTooLong(f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. "
                                  f"You have sent {total} bytes.")
    if queue.fifo:
        for entry in entries:
            if entry.get("MessageGroupId") is None:
                raise InvalidParameterValue("The request must contain the parameter MessageGroupId.")
            if entry.get("MessageDeduplicationId") is None and not queue.content_based_dedup:
                raise InvalidParameterValue("The queue should either have ContentBasedDeduplication enabled "
                                            "or MessageDeduplicationId provided explicitly")
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    sender = sender_id(ctx)
    for entry in entries:
        try:
            result = svc.send(queue, entry.get("MessageBody"),
                              message_attributes=entry.get("MessageAttributes"),
                              system_attributes=entry.get("MessageSystemAttributes"),
                              delay=entry.get("DelaySeconds"), group_id=entry.get("MessageGroupId"),
                              dedup_id=entry.get("MessageDeduplicationId"), sender=sender, batch=True)
        except ServiceError as exc:
            failed.append(failure(entry["Id"], exc))
            continue
        successful.append({"Id": entry["Id"], **result})
    return {"Successful": successful, "Failed": failed}

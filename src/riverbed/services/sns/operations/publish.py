"""Publish and PublishBatch.

Owns: reading these requests and answering in AWS's shape.  ``TargetArn`` naming a topic publishes to
it; any other target answers as AWS does for an unknown endpoint.  A batch is checked whole before
anything is sent: empty, more than ten entries, entry ids (alphanumeric, ``-``, ``_``, at most 80),
distinct ids, 256 KiB together, then every entry (recorded AWS: sns snapshot
``test_publish_batch_exceptions``, ``test_publish_batch_invalid_entry_id``,
``test_publish_batch_too_long_message``).

Must not: hold publishing rules (``service`` and ``messages`` do).
"""

from __future__ import annotations

import re
from typing import Any

from riverbed.errors import ServiceError
from riverbed.services.sns.errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    TooManyEntriesInBatchRequest,
    invalid,
)
from riverbed.services.sns.messages import MAX_MESSAGE_BYTES, check_attributes, message_size
from riverbed.services.sns.operations.topics import service
from riverbed.services.sns.service import SnsContext

MAX_BATCH = 10
_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]*")
MAX_ENTRY_ID = 80


def publish(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc = service(ctx)
    arn = request.get("TopicArn")
    if arn is None and request.get("TargetArn") is not None:
        target = str(request["TargetArn"])
        if ":sns:" not in target or target.count(":") != 5 or not svc.topic_exists(target):
            raise invalid("TargetArn", "No endpoint found for the target arn specified")
        arn = target
    if arn is None and request.get("PhoneNumber") is not None:
        raise invalid("PhoneNumber", f"{request['PhoneNumber']} is not valid to publish to")
    topic = svc.topic(arn, ctx.region)
    note = svc.prepare(topic, request.get("Message"), subject=request.get("Subject"),
                       structure=request.get("MessageStructure"), attributes=request.get("MessageAttributes"),
                       group_id=request.get("MessageGroupId"), dedup_id=request.get("MessageDeduplicationId"))
    sent = svc.publish_notification(topic, note)
    result: dict[str, Any] = {"MessageId": sent.message_id}
    if sent.sequence_number is not None:
        result["SequenceNumber"] = sent.sequence_number
    return result


def publish_batch(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc = service(ctx)
    topic = svc.topic(request.get("TopicArn"), ctx.region)
    entries = list(request.get("PublishBatchRequestEntries") or [])
    if not entries:
        raise EmptyBatchRequest("The batch request doesn't contain any entries.")
    if len(entries) > MAX_BATCH:
        raise TooManyEntriesInBatchRequest("The batch request contains more entries than permissible.")
    seen: set[str] = set()
    for entry in entries:
        entry_id = str(entry.get("Id", ""))
        if len(entry_id) > MAX_ENTRY_ID:
            raise InvalidBatchEntryId(f"The Id of a batch entry in the batch request is too long: {entry_id}")
        if not _ENTRY_ID.fullmatch(entry_id):
            raise InvalidBatchEntryId("The Id of a batch entry in the batch request contains an "
                                      f"impermissible character: {entry_id}")
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct("Two or more batch entries in the request have the same Id.")
        seen.add(entry_id)
    total = sum(message_size(str(e.get("Message") or ""), _attributes_or_empty(e)) for e in entries)
    if total > MAX_MESSAGE_BYTES:
        raise BatchRequestTooLong("The length of all the messages put together is more than the limit.")
    notes = [svc.prepare(topic, e.get("Message"), subject=e.get("Subject"),
                         structure=e.get("MessageStructure"),
                         attributes=e.get("MessageAttributes"), group_id=e.get("MessageGroupId"),
                         dedup_id=e.get("MessageDeduplicationId")) for e in entries]
    successful: list[dict[str, Any]] = []
    for entry, note in zip(entries, notes, strict=False):
        sent = svc.publish_notification(topic, note)
        item: dict[str, Any] = {"Id": entry["Id"], "MessageId": sent.message_id}
        if sent.sequence_number is not None:
            item["SequenceNumber"] = sent.sequence_number
        successful.append(item)
    return {"Successful": successful, "Failed": []}


def _attributes_or_empty(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    try:
        return check_attributes(entry.get("MessageAttributes"))
    except ServiceError:
        return {}

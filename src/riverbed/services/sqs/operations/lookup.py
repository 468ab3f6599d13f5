"""Shared first steps of SQS operations: the service object, the caller's queue, batch-entry checks.

Owns: resolving ``QueueUrl`` to a :class:`Queue` for the caller's region, the sender id recorded with
each message, and the request-level checks every batch action makes in AWS's order (empty, too many,
id format, ids distinct).

Must not: hold any operation's logic.
"""

from __future__ import annotations

import re
from typing import Any

from riverbed.errors import ServiceError
from riverbed.services.sqs.errors import (
    BatchEntryIdsNotDistinct,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    MissingParameter,
    TooManyEntriesInBatchRequest,
)
from riverbed.services.sqs.queues import Queue, arn_from_url
from riverbed.services.sqs.service import SqsContext, SqsService

MAX_BATCH_ENTRIES = 10
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


def service(ctx: SqsContext) -> SqsService:
    return ctx.backend


def queue_for(ctx: SqsContext, request: dict[str, Any]) -> tuple[SqsService, Queue]:
    url = request.get("QueueUrl")
    if not url:
        raise MissingParameter.named("QueueUrl")
    svc = service(ctx)
    return svc, svc.queues.get(arn_from_url(str(url), ctx.region))


def sender_id(ctx: SqsContext) -> str:
    return ctx.account


def check_batch(entries: Any, entry_name: str) -> list[dict[str, Any]]:
    if not entries:
        raise EmptyBatchRequest(f"There should be at least one {entry_name} in the request.")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequest(f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. "
                                           f"You have sent {len(entries)}.")
    seen: set[str] = set()
    for entry in entries:
        entry_id = str(entry.get("Id", ""))
        if not _BATCH_ID.fullmatch(entry_id):
            raise InvalidBatchEntryId()
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)
    return list(entries)


def failure(entry_id: str, exc: ServiceError) -> dict[str, Any]:
    """A ``BatchResultErrorEntry``; its Code is the query-protocol code, as AWS reports it."""
    code = (exc.extra or {}).get("__query_code") or exc.code
    return {"Id": entry_id, "SenderFault": exc.sender, "Code": code, "Message": exc.message}

"""GetQueueAttributes, SetQueueAttributes, ListDeadLetterSourceQueues.

Owns: reading these requests and answering in AWS's shape.  Unknown names in GetQueueAttributes
answer ``InvalidAttributeName`` ("Unknown Attribute X.", as SetQueueAttributes does).

Must not: hold attribute rules (``attributes`` does).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.sqs import attributes as attrs
from riverbed.services.sqs.errors import InvalidAttributeName, MissingParameter
from riverbed.services.sqs.operations.lookup import queue_for
from riverbed.services.sqs.service import SqsContext


def get_queue_attributes(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    names = [str(n) for n in request.get("AttributeNames") or []]
    for name in names:
        if name not in attrs.READABLE:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if name in attrs.FIFO_ONLY and not queue.fifo:
            raise attrs.fifo_only_error(name)
    if not names:
        return {}
    values = svc.queue_attributes(queue, names)
    return {"Attributes": values} if values else {}


def set_queue_attributes(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    if request.get("Attributes") is None:
        raise MissingParameter.named("Attributes")
    svc.set_attributes(queue, request["Attributes"])
    return {}


def list_dead_letter_source_queues(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    sources = [q for q in svc.queues.list_queues(queue.region, queue.account)
               if (q.redrive() or ("", 0))[0] == queue.arn]
    return {"queueUrls": [q.url(ctx.host) for q in sources]}

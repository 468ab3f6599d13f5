"""TagQueue, UntagQueue, ListQueueTags.

Owns: the tag map kept in the queue document.  ListQueueTags answers without ``Tags`` when there are
none (recorded AWS: sqs snapshot ``test_tag_untag_queue``).

Must not: validate anything beyond presence (AWS checks tag limits loosely; so do we).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.sqs.errors import MissingParameter
from riverbed.services.sqs.operations.lookup import queue_for
from riverbed.services.sqs.service import SqsContext


def tag_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    tags = request.get("Tags")
    if not tags:
        raise MissingParameter.named("Tags")
    queue.tags.update({str(k): str(v) for k, v in tags.items()})
    svc.save(queue)
    return {}


def untag_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    keys = request.get("TagKeys")
    if not keys:
        raise MissingParameter.named("TagKeys")
    for key in keys:
        queue.tags.pop(str(key), None)
    svc.save(queue)
    return {}


def list_queue_tags(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    _, queue = queue_for(ctx, request)
    return {"Tags": dict(queue.tags)} if queue.tags else {}

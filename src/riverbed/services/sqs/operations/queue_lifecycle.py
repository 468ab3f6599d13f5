"""CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue.

Owns: reading these requests and answering in AWS's shape; the queue rules live in ``service`` and
``queues``.  ListQueues pages with ``NextToken`` = base64 of the last URL returned (recorded AWS:
sqs snapshot ``test_list_queues_pagination``).

Must not: touch the store directly.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from riverbed.services.sqs.errors import MissingParameter, QueueDoesNotExist, invalid_value
from riverbed.services.sqs.operations.lookup import queue_for, service
from riverbed.services.sqs.queues import arn_from_url, queue_arn
from riverbed.services.sqs.service import SqsContext

MAX_LIST = 1000


def create_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request.get("QueueName")
    if not name:
        raise MissingParameter.named("QueueName")
    queue = service(ctx).create_queue(ctx.region, ctx.account, str(name), request.get("Attributes"),
                                      request.get("tags"))
    return {"QueueUrl": queue.url(ctx.host)}


def get_queue_url(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    account = request.get("QueueOwnerAWSAccountId") or ctx.account
    queue = service(ctx).queues.get(queue_arn(ctx.region, str(account), str(request.get("QueueName", ""))))
    return {"QueueUrl": queue.url(ctx.host)}


def list_queues(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    limit = request.get("MaxResults")
    if limit is not None and not 1 <= int(limit) <= MAX_LIST:
        raise invalid_value(limit, "MaxResults", f"MaxResults must be an integer between 1 and {MAX_LIST}.")
    prefix = str(request.get("QueueNamePrefix") or "")
    queues = service(ctx).queues.list_queues(ctx.region, ctx.account, prefix)
    token = request.get("NextToken")
    if token:
        try:
            after = arn_from_url(base64.b64decode(str(token)).decode(), ctx.region)
        except (binascii.Error, UnicodeDecodeError, QueueDoesNotExist):
            raise invalid_value(token, "NextToken", "Invalid or expired next token.") from None
        queues = [q for q in queues if q.arn > after]
    page = queues[: int(limit) if limit is not None else MAX_LIST]
    result: dict[str, Any] = {}
    if page:
        result["QueueUrls"] = [q.url(ctx.host) for q in page]
    if limit is not None and len(queues) > len(page):
        result["NextToken"] = base64.b64encode(result["QueueUrls"][-1].encode()).decode()
    return result


def delete_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    svc.delete_queue(queue)
    return {}


def purge_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    svc.purge(queue)
    return {}

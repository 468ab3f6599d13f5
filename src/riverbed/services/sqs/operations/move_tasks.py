"""StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask (dead-letter queue redrive).

Owns: reading these requests and answering in AWS's shape.

Must not: hold the task rules (``movetasks`` does).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.sqs.errors import MissingParameter
from riverbed.services.sqs.operations.lookup import service
from riverbed.services.sqs.service import SqsContext


def _required(request: dict[str, Any], name: str) -> str:
    value = request.get(name)
    if not value:
        raise MissingParameter.named(name)
    return str(value)


def start_message_move_task(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    handle = service(ctx).move_tasks.start(_required(request, "SourceArn"), request.get("DestinationArn") or None,
                                           request.get("MaxNumberOfMessagesPerSecond"))
    return {"TaskHandle": handle}


def list_message_move_tasks(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    results = service(ctx).move_tasks.list_tasks(_required(request, "SourceArn"), request.get("MaxResults"))
    return {"Results": results}


def cancel_message_move_task(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    moved = service(ctx).move_tasks.cancel(_required(request, "TaskHandle"))
    return {"ApproximateNumberOfMessagesMoved": moved}

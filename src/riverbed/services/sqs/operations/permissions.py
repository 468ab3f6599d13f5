"""AddPermission, RemovePermission.

Owns: reading these requests and writing the queue's new Policy attribute.

Must not: hold the policy edits (``permissions`` does).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.sqs import permissions
from riverbed.services.sqs.operations.lookup import queue_for
from riverbed.services.sqs.service import SqsContext


def add_permission(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    text = permissions.add_permission(queue.attributes.get("Policy"), queue.arn, request.get("Label"),
                                      list(request.get("AWSAccountIds") or []), list(request.get("Actions") or []))
    svc.set_attributes(queue, {"Policy": text})
    return {}


def remove_permission(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    text = permissions.remove_permission(queue.attributes.get("Policy"), request.get("Label"))
    svc.set_attributes(queue, {"Policy": text or ""})
    return {}

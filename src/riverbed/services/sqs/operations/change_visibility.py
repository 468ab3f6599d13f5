"""ChangeMessageVisibility and ChangeMessageVisibilityBatch.

Owns: reading these requests and answering in AWS's shape; a batch reports each entry's failure in
``Failed`` and applies the rest.

Must not: hold visibility rules (``service.change_visibility`` does).
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ServiceError
from riverbed.services.sqs.errors import MissingParameter
from riverbed.services.sqs.operations.lookup import check_batch, failure, queue_for
from riverbed.services.sqs.service import SqsContext


def change_message_visibility(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    if not request.get("ReceiptHandle"):
        raise MissingParameter.named("ReceiptHandle")
    if request.get("VisibilityTimeout") is None:
        raise MissingParameter.named("VisibilityTimeout")
    svc.change_visibility(queue, request["ReceiptHandle"], request["VisibilityTimeout"])
    return {}


def change_message_visibility_batch(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    entries = check_batch(request.get("Entries"), "ChangeMessageVisibilityBatchRequestEntry")
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            svc.change_visibility(queue, entry.get("ReceiptHandle"), entry.get("VisibilityTimeout", 0))
        except ServiceError as exc:
            failed.append(failure(entry["Id"], exc))
            continue
        successful.append({"Id": entry["Id"]})
    return {"Successful": successful, "Failed": failed}

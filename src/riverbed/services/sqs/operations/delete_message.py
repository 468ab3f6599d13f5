"""DeleteMessage and DeleteMessageBatch.

Owns: reading these requests and answering in AWS's shape; a batch reports each entry's failure
(invalid or expired receipt handle) in ``Failed`` and deletes the rest.

Must not: hold receipt-handle rules (``service.delete_message`` does).
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ServiceError
from riverbed.services.sqs.errors import MissingParameter
from riverbed.services.sqs.operations.lookup import check_batch, failure, queue_for
from riverbed.services.sqs.service import SqsContext


def delete_message(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    if not request.get("ReceiptHandle"):
        raise MissingParameter.named("ReceiptHandle")
    svc.delete_message(queue, request["ReceiptHandle"])
    return {}


def delete_message_batch(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    entries = check_batch(request.get("Entries"), "DeleteMessageBatchRequestEntry")
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            svc.delete_message(queue, entry.get("ReceiptHandle"))
        except ServiceError as exc:
            failed.append(failure(entry["Id"], exc))
            continue
        successful.append({"Id": entry["Id"]})
    return {"Successful": successful, "Failed": failed}

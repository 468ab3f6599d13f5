"""ReceiveMessage: short and long polling.

Owns: reading the request (limits in AWS's words, recorded in the sqs snapshot
``test_send_receive_max_number_of_messages`` and ``test_send_receive_wait_time_seconds``) and answering
``{"Messages": [...]}``, or ``{}`` when nothing arrived.  ``WaitTimeSeconds`` (or the queue's
ReceiveMessageWaitTimeSeconds) makes it a long poll on the clock, woken at once by a send.

Must not: hold receive semantics (``service.receive`` / ``receive_wait`` do).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.sqs.errors import invalid_value
from riverbed.services.sqs.operations.lookup import queue_for
from riverbed.services.sqs.service import MAX_VISIBILITY_TIMEOUT, SqsContext

MAX_WAIT_SECONDS = 20
MAX_MESSAGES = 10


async def receive_message(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc, queue = queue_for(ctx, request)
    count = request.get("MaxNumberOfMessages")
    if count is not None and not 1 <= int(count) <= MAX_MESSAGES:
        raise invalid_value(count, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")
    wait = request.get("WaitTimeSeconds")
    if wait is not None and not 0 <= int(wait) <= MAX_WAIT_SECONDS:
        raise invalid_value(wait, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.")
    visibility = request.get("VisibilityTimeout")
    if visibility is not None and not 0 <= int(visibility) <= MAX_VISIBILITY_TIMEOUT:
        raise invalid_value(visibility, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided.")
    system_names = {str(n) for n in (request.get("AttributeNames") or [])}
    system_names |= {str(n) for n in (request.get("MessageSystemAttributeNames") or [])}
    attribute_names = [str(n) for n in (request.get("MessageAttributeNames") or [])]
    seconds = queue.wait_seconds if wait is None else int(wait)
    found = await svc.receive_wait(queue.arn, int(count or 1),
                                   None if visibility is None else int(visibility),
                                   float(seconds), system_names, attribute_names)
    return {"Messages": found} if found else {}

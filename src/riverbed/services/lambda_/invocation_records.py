"""What an asynchronous invocation leaves behind: its invocation record for a destination, its dead-letter message.

Owns: the invocation record AWS sends to an OnSuccess / OnFailure destination (version "1.0", timestamp,
requestContext {requestId, functionArn, condition, approximateInvokeCount}, requestPayload, responseContext
{statusCode, executedVersion, functionError}, responsePayload); the dead-letter message (the event as it came,
with the message attributes RequestID, ErrorCode (Number) and ErrorMessage (the first KB)); choosing how a
destination ARN is reached (a queue, topic or bucket through :class:`~riverbed.core.interfaces.Destinations`,
another function as an Event invocation); the execution role's permission for it; and the metrics AWS counts
when that fails (``DestinationDeliveryFailures``, ``DeadLetterErrors``).

Facts (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html): an S3 bucket
receives the record as an object named ``aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>``;
FIFO queues and topics are unsupported destination types (a delivery failure); the role needs sqs:SendMessage,
sns:Publish, s3:PutObject, lambda:InvokeFunction or events:PutEvents.  The dead-letter attributes as AWS sends
them: sns snapshot, test_sns_topic_as_lambda_dead_letter_queue (ErrorCode "200" for a function error).
EventBridge is not part of riverbed: a record for an event bus counts as a delivery failure.

Must not: decide when an event is discarded or retried (``asynchronous.py``).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from riverbed import ids
from riverbed.clock import iso8601_millis
from riverbed.errors import ServiceError

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.runtime import InvocationResult
    from riverbed.services.lambda_.service import LambdaService

log = logging.getLogger("riverbed.lambda.async")

ERROR_MESSAGE_BYTES = 1024
_ROLE_ACTIONS = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "s3": "s3:PutObject",
                 "lambda": "lambda:InvokeFunction", "events": "events:PutEvents"}


def _json_or_text(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def record(*, now: float, request_id: str, function_arn: str, condition: str, attempts: int, payload: bytes,
           result: InvocationResult | None) -> dict[str, Any]:
    """The invocation record; without a completed invocation (throttled until too old) it has no response."""
    out: dict[str, Any] = {
        "version": "1.0",
        "timestamp": iso8601_millis(now),
        "requestContext": {"requestId": request_id, "functionArn": function_arn, "condition": condition,
                           "approximateInvokeCount": attempts},
        "requestPayload": _json_or_text(payload),
    }
    if result is not None:
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": result.executed_version}
        if result.function_error:
            context["functionError"] = result.function_error
        out["responseContext"] = context
        out["responsePayload"] = _json_or_text(result.payload)
    return out


def dead_letter_attributes(request_id: str, status: int, message: str) -> dict[str, Any]:
    """RequestID, ErrorCode (the HTTP status: 200 for a function error) and ErrorMessage (first KB)."""
    text = message.encode("utf-8")[:ERROR_MESSAGE_BYTES].decode("utf-8", "ignore")
    attributes: dict[str, Any] = {"RequestID": {"DataType": "String", "StringValue": request_id},
                                  "ErrorCode": {"DataType": "Number", "StringValue": str(status)}}
    if text:
        attributes["ErrorMessage"] = {"DataType": "String", "StringValue": text}
    return attributes


def error_message(result: InvocationResult) -> str:
    """The errorMessage of a function error's payload (the whole payload when it has none)."""
    body = _json_or_text(result.payload)
    if isinstance(body, dict) and body.get("errorMessage") is not None:
        return str(body["errorMessage"])
    return result.payload.decode("utf-8", "replace")


class RecordSender:
    """Delivers records and dead-letter messages for one Lambda service; failures are counted, never raised."""

    def __init__(self, service: LambdaService) -> None:
        self.service = service

    def send_record(self, doc: dict[str, Any], target: str, body: dict[str, Any]) -> bool:
        text = json.dumps(body)
        try:
            self._deliver(doc, target, text, None, object_key=self._object_key(doc["name"]))
        except ServiceError as exc:
            log.warning("invocation record of %s not delivered to %s: %s", doc["name"], target, exc.message)
            self.service.metric(doc, "DestinationDeliveryFailures", 1)
            return False
        return True

    def send_dead_letter(self, doc: dict[str, Any], target: str, payload: bytes, attributes: dict[str, Any]) -> bool:
        try:
            if target.split(":")[2:3] not in (["sqs"], ["sns"]):
                raise ServiceError(f"Unsupported dead-letter target {target}")
            self._deliver(doc, target, payload.decode("utf-8", "replace"), attributes)
        except ServiceError as exc:
            log.warning("dead-letter message of %s not delivered to %s: %s", doc["name"], target, exc.message)
            self.service.metric(doc, "DeadLetterErrors", 1)
            return False
        return True

    def _deliver(self, doc: dict[str, Any], target: str, body: str, attributes: dict[str, Any] | None, *,
                 object_key: str = "") -> None:
        parts = target.split(":")
        service = parts[2] if len(parts) >= 6 else ""
        if target.endswith(".fifo"):
            raise ServiceError(f"FIFO destinations are not supported: {target}")
        roles = self.service.roles
        action = _ROLE_ACTIONS.get(service)
        if action is not None and roles is not None and doc.get("role") \
                and roles.missing_actions(doc["account"], str(doc["role"]), [action], target):
            raise ServiceError(f"The function's execution role may not perform {action} on {target}")
        if service == "lambda":
            self.service.invoke_async(target, body.encode("utf-8"), account=doc["account"], region=doc["region"])
            return
        destinations = self.service.destinations
        if destinations is None or service not in ("sqs", "sns", "s3"):
            raise ServiceError(f"Unsupported destination {target}")
        destinations.send(target, body, object_key=object_key, attributes=attributes)

    def _object_key(self, function_name: str) -> str:
        when = datetime.fromtimestamp(self.service.clock.now(), tz=UTC)
        return (f"aws/lambda/async/{function_name}/{when:%Y/%m/%d}/{when:%Y-%m-%dT%H.%M.%S}-{ids.new_uuid()}")

"""Queue attributes: names, defaults, ranges and the checks CreateQueue / SetQueueAttributes apply.

Owns: turning the ``Attributes`` map of a request into normalized string values (the form AWS
returns them in) or the error AWS answers, and the list of attribute names GetQueueAttributes knows.
Defaults and ranges follow the SetQueueAttributes reference
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html);
the 1 MiB MaximumMessageSize default follows the recorded AWS answers (sqs snapshot:
``test_create_and_update_queue_attributes``).

Must not: read or write the store; the dead-letter target's existence is checked through the
``queue_type`` callback the caller passes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from riverbed.services.sqs.errors import InvalidAttributeName, InvalidAttributeValue, invalid_value

MAX_MESSAGE_SIZE = 1_048_576

DEFAULTS: dict[str, str] = {
    "DelaySeconds": "0",
    "MaximumMessageSize": str(MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS: dict[str, str] = {
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
BOOLEANS = frozenset({"ContentBasedDeduplication", "SqsManagedSseEnabled"})
ENUMS: dict[str, frozenset[str]] = {
    "DeduplicationScope": frozenset({"messageGroup", "queue"}),
    "FifoThroughputLimit": frozenset({"perQueue", "perMessageGroupId"}),
}
FIFO_ONLY = frozenset({"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"})
# Attributes that an empty value removes (AWS then stops returning them).
REMOVABLE = frozenset({"Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"})
SETTABLE = frozenset(RANGES) | BOOLEANS | FIFO_ONLY | REMOVABLE
COMPUTED = (
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
)
READABLE = frozenset(SETTABLE | set(COMPUTED) | {"FifoQueue", "All"})

MAX_RECEIVE_COUNT = 1000

# queue_type(arn) -> "fifo" | "standard" | None (no such queue)
QueueType = Callable[[str], str | None]


def fifo_only_error(name: str) -> InvalidAttributeName:
    if name == "ContentBasedDeduplication":
        return InvalidAttributeName(f"Unknown Attribute {name}.")
    return InvalidAttributeName(f"You can specify the {name} only when FifoQueue is set to true.")


def normalize(attributes: dict[str, Any], *, fifo: bool, creating: bool, queue_type: QueueType,
              current: dict[str, str] | None = None) -> dict[str, str]:
    """Checked, normalized values for ``attributes`` (``""`` marks an attribute to remove)."""
    out: dict[str, str] = {}
    for name, raw in attributes.items():
        value = "" if raw is None else str(raw)
        if name == "FifoQueue":
            _check_fifo_flag(value, fifo=fifo, creating=creating)
            continue
        if name in FIFO_ONLY and not fifo:
            raise fifo_only_error(name)
        if name not in SETTABLE:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        out[name] = _normalize_one(name, value, fifo=fifo, queue_type=queue_type)
    merged = dict(current or {})
    merged.update(out)
    if merged.get("KmsMasterKeyId") and merged.get("SqsManagedSseEnabled") == "true" \
            and "SqsManagedSseEnabled" in out and "KmsMasterKeyId" in out:
        raise InvalidAttributeName("You can use one type of server-side encryption (SSE) at one time. "
                                   "You can either enable KMS SSE or SQS SSE.")
    per_group = merged.get("FifoThroughputLimit") == "perMessageGroupId"
    if per_group and merged.get("DeduplicationScope") == "queue" \
            and ("FifoThroughputLimit" in out or "DeduplicationScope" in out):
        raise InvalidAttributeValue("Invalid value for the parameter FifoThroughputLimit. Reason: "
                                    "The perMessageGroupId value is allowed only when the value for "
                                    "DeduplicationScope is messageGroup.")
    return out


def _check_fifo_flag(value: str, *, fifo: bool, creating: bool) -> None:
    if creating:
        if value.lower() == "true" and fifo:
            return
        if not fifo:
            raise InvalidAttributeName("Unknown Attribute FifoQueue.")
        raise InvalidAttributeValue("Invalid value for the parameter FifoQueue.")
    # SetQueueAttributes: the queue type is fixed at creation.
    if fifo and value.lower() == "false":
        raise InvalidAttributeValue("Invalid value for the parameter FifoQueue. "
                                    "Reason: Modifying queue type is not supported.")
    raise InvalidAttributeName("Unknown Attribute FifoQueue.")


def _normalize_one(name: str, value: str, *, fifo: bool, queue_type: QueueType) -> str:
    if name in RANGES:
        low, high = RANGES[name]
        try:
            number = int(value.strip())
        except ValueError:
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
        if not low <= number <= high:
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        return str(number)
    if name in BOOLEANS:
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        return lowered
    if name in ENUMS:
        if value not in ENUMS[name]:
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        return value
    if name == "RedrivePolicy":
        return "" if value == "" else _redrive_policy(value, fifo=fifo, queue_type=queue_type)
    if name in ("Policy", "RedriveAllowPolicy") and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
        if not isinstance(parsed, dict):
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return value


def _redrive_policy(text: str, *, fifo: bool, queue_type: QueueType) -> str:
    try:
        policy = json.loads(text)
    except ValueError:
        policy = None
    if not isinstance(policy, dict):
        raise InvalidAttributeValue("Invalid value for the parameter RedrivePolicy. "
                                    "Reason: Redrive policy is not a valid JSON map.")
    for key in ("deadLetterTargetArn", "maxReceiveCount"):
        if key not in policy:
            raise invalid_value(text, "RedrivePolicy", f"Redrive policy does not contain mandatory "
                                                       f"attribute: {key}.")
    target = policy["deadLetterTargetArn"]
    parts = target.split(":") if isinstance(target, str) else []
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
        raise invalid_value(text, "RedrivePolicy", "Invalid value for deadLetterTargetArn.")
    count = policy["maxReceiveCount"]
    try:
        count_int = int(str(count))
    except ValueError:
        count_int = 0
    if not 1 <= count_int <= MAX_RECEIVE_COUNT:
        reason = (f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to "
                  f"{MAX_RECEIVE_COUNT} both inclusive.")
        raise invalid_value(text, "RedrivePolicy", reason)
    kind = queue_type(target)
    if kind is None:
        raise invalid_value(text, "RedrivePolicy", "Dead letter target does not exist.")
    if (kind == "fifo") != fifo:
        raise invalid_value(text, "RedrivePolicy", "Dead-letter queue must be same type of queue as the "
                                                   "source.")
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count_int}, separators=(",", ":"))


def defaults(fifo: bool) -> dict[str, str]:
    out = dict(DEFAULTS)
    if fifo:
        out.update(FIFO_DEFAULTS)
    return out


def apply(current: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    """``current`` with ``changes`` applied; empty values remove removable attributes."""
    out = dict(current)
    for name, value in changes.items():
        if value == "" and name in REMOVABLE:
            out.pop(name, None)
        else:
            out[name] = value
    if changes.get("KmsMasterKeyId"):
        out["SqsManagedSseEnabled"] = "false"
        out.setdefault("KmsDataKeyReusePeriodSeconds", "300")
    elif "KmsMasterKeyId" in changes and not changes["KmsMasterKeyId"]:
        out.pop("KmsDataKeyReusePeriodSeconds", None)
    if changes.get("SqsManagedSseEnabled") == "true":
        out.pop("KmsMasterKeyId", None)
        out.pop("KmsDataKeyReusePeriodSeconds", None)
    return out

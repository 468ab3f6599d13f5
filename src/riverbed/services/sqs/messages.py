"""SQS messages: checking what a sender gives, receipt handles, and the shape a receiver gets.

Owns: the rules for message bodies (allowed characters, size), message attributes and message system
attributes (names, data types, values), MessageGroupId / MessageDeduplicationId formats, the opaque
receipt-handle format, and building the ``Message`` structure of ReceiveMessage (system attributes and
message attributes filtered by the names the receiver asked for, with their MD5s).

Limits and texts: the SendMessage reference and the recorded answers in the sqs snapshot
(``test_send_message_with_empty_string_attribute``, ``test_message_deduplication_id_invalid``...).

Must not: touch the store or the clock.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from riverbed.services.sqs.errors import (
    InvalidMessageContents,
    InvalidParameterValue,
    MissingParameter,
    ReceiptHandleIsInvalid,
    invalid_value,
)
from riverbed.services.sqs.md5 import binary_value, md5_of_attributes

MAX_ATTRIBUTES = 10
MAX_ATTRIBUTE_NAME = 256
# https://www.w3.org/TR/REC-xml/#charsets, as the SendMessage reference lists them.
_INVALID_BODY = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_TOKEN = re.compile(r"[!-~]{1,128}")   # alphanumeric and punctuation, 1 to 128 characters
_TYPE = re.compile(r"(String|Number|Binary)(\..+)?")
SYSTEM_ATTRIBUTE_NAMES = ("AWSTraceHeader",)
RECEIVABLE_SYSTEM_ATTRIBUTES = frozenset({
    "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
    "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
})
_RECEIPT_PREFIX = "rb1"


def check_body(body: Any) -> str:
    if body is None or body == "":
        raise MissingParameter.named("MessageBody")
    text = str(body)
    if _INVALID_BODY.search(text):
        raise InvalidMessageContents("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD "
                                     "| #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
    return text


def check_attributes(attributes: dict[str, Any] | None, *, system: bool = False) -> dict[str, dict[str, Any]]:
    """Normalized ``{name: {DataType, StringValue | BinaryValue}}`` (BinaryValue as base64 text)."""
    if not attributes:
        return {}
    kind = "system" if system else "user"
    if not system and len(attributes) > MAX_ATTRIBUTES:
        raise InvalidParameterValue(f"Number of message attributes [{len(attributes)}] exceeds the allowed "
                                    f"maximum [{MAX_ATTRIBUTES}].")
    out: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        if system and name not in SYSTEM_ATTRIBUTE_NAMES:
            raise InvalidParameterValue(f"Message system attribute name '{name}' is invalid.")
        _check_attribute_name(name, kind)
        if not isinstance(value, dict):
            raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' must contain a non-empty value "
                                        f"of type 'String'.")
        data_type = value.get("DataType")
        if not data_type:
            raise MissingParameter(f"The message ({kind}) attribute '{name}' must contain a data type.")
        if not _TYPE.fullmatch(data_type):
            raise InvalidParameterValue(f"The type of message ({kind}) attribute '{name}' is invalid. You "
                                        "must use only the following supported type prefixes: Binary, "
                                        "Number, String.")
        if system and data_type != "String":
            raise InvalidParameterValue(f"The type of message (system) attribute '{name}' is invalid. You "
                                        f"must use String.")
        if data_type.startswith("Binary"):
            raw = value.get("BinaryValue")
            if raw in (None, "", b""):
                raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' must contain a non-empty "
                                            f"value of type 'Binary'.")
            try:
                encoded = base64.b64encode(binary_value(raw)).decode("ascii")
            except (binascii.Error, ValueError):
                raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' must contain a non-empty "
                                            f"value of type 'Binary'.") from None
            out[name] = {"DataType": data_type, "BinaryValue": encoded}
            continue
        text = value.get("StringValue")
        if text is None or text == "":
            raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' must contain a non-empty value "
                                        f"of type 'String'.")
        text = str(text)
        if _INVALID_BODY.search(text):
            raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' contains invalid characters.")
        if data_type.startswith("Number") and not _is_number(text):
            raise InvalidParameterValue(f"Can't cast the value of message ({kind}) attribute '{name}' to a "
                                        f"number.")
        out[name] = {"DataType": data_type, "StringValue": text}
    return out


def _check_attribute_name(name: str, kind: str) -> None:
    if not name or len(name.encode("utf-8")) > MAX_ATTRIBUTE_NAME or not _ATTRIBUTE_NAME.fullmatch(name) \
            or name.startswith(".") or name.endswith(".") or ".." in name:
        raise InvalidParameterValue(f"Message ({kind}) attribute name '{name}' is invalid. Names can contain "
                                    "alphanumeric characters, hyphens, underscores and periods, must not "
                                    "start or end with a period, must not contain successive periods and can "
                                    f"be up to {MAX_ATTRIBUTE_NAME} characters long.")
    if kind == "user" and name.lower().startswith(("aws.", "amazon.")):
        raise InvalidParameterValue(f"Message (user) attribute name '{name}' is reserved for use by Amazon.")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity")


def check_token(value: Any, parameter: str) -> str:
    """MessageGroupId / MessageDeduplicationId: alphanumeric and punctuation, 1 to 128 characters."""
    text = "" if value is None else str(value)
    if not _TOKEN.fullmatch(text):
        raise invalid_value(text, parameter, f"{parameter} can only include alphanumeric and punctuation "
                                             "characters. 1 to 128 in length.")
    return text


def message_size(body: str, attributes: dict[str, dict[str, Any]]) -> int:
    """Bytes counted against MaximumMessageSize: the body plus each attribute's name, type and value."""
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            size += len(binary_value(value["BinaryValue"]))
        else:
            size += len(value["StringValue"].encode("utf-8"))
    return size


# --- receipt handles ----------------------------------------------------------------------------

def encode_receipt(queue_arn: str, seq: int, token: str) -> str:
    raw = f"{_RECEIPT_PREFIX}\x1f{queue_arn}\x1f{seq}\x1f{token}".encode()
    return base64.b64encode(raw).decode("ascii")


def decode_receipt(handle: Any) -> tuple[str, int, str]:
    """``(queue ARN, message sequence, receive token)``; ReceiptHandleIsInvalid for anything else."""
    text = str(handle or "")
    try:
        prefix, queue_arn, seq, token = base64.b64decode(text, validate=True).decode().split("\x1f")
        if prefix != _RECEIPT_PREFIX:
            raise ValueError(prefix)
        return queue_arn, int(seq), token
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid_receipt(text) from None


def invalid_receipt(handle: Any) -> ReceiptHandleIsInvalid:
    return ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')


# --- what a receiver gets ----------------------------------------------------------------------------

def wanted_attribute(names: list[str], name: str) -> bool:
    """MessageAttributeNames semantics: ``All`` / ``.*`` for all, ``prefix.*`` for a prefix, else exact.

    A prefix filter returned both ``Hello`` and ``Help.Me`` in the recorded AWS run (sqs snapshot
    ``test_receive_message_message_attribute_names_filters``), so the prefix is the text before ``.*``
    and need not end at a period.
    """
    for wanted in names:
        if wanted in ("All", ".*") or wanted == name:
            return True
        if wanted.endswith(".*") and name.startswith(wanted[:-2]):
            return True
    return False


def received_message(data: dict[str, Any], receipt: str, system: dict[str, str],
                     system_names: set[str], attribute_names: list[str]) -> dict[str, Any]:
    """The ReceiveMessage ``Message`` structure for one stored message."""
    out: dict[str, Any] = {"MessageId": data["id"], "ReceiptHandle": receipt, "MD5OfBody": data["md5"],
                           "Body": data["body"]}
    if system_names:
        wanted = RECEIVABLE_SYSTEM_ATTRIBUTES if "All" in system_names else system_names
        chosen = {k: v for k, v in system.items() if k in wanted}
        if chosen:
            out["Attributes"] = chosen
    user = data.get("attrs") or {}
    if user and attribute_names:
        chosen_attrs = {k: v for k, v in user.items() if wanted_attribute(attribute_names, k)}
        if chosen_attrs:
            out["MD5OfMessageAttributes"] = md5_of_attributes(chosen_attrs)
            out["MessageAttributes"] = chosen_attrs
    return out

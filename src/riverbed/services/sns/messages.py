"""What a publisher gives SNS: the message, its subject, structure and attributes, checked as SNS does.

Owns: the :class:`Notification` a Publish becomes (id, timestamp, per-protocol messages, attributes,
FIFO group / deduplication id / sequence number), and the checks on each part with AWS's recorded texts
(sns snapshot ``test_empty_sns_message``, ``test_publish_too_long_message``,
``test_message_structure_json_exc``, ``test_empty_or_wrong_message_attributes``,
``test_publish_with_empty_subject``).  The 256 KiB limit (262,144 bytes, attributes included) is the
Publish reference's.

Must not: look topics up or deliver.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from riverbed.services.sns.errors import ParameterValueInvalid, invalid

MAX_MESSAGE_BYTES = 262_144
MAX_SUBJECT = 100
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.-]")
_SUBJECT_BAD = re.compile(r"[\x00-\x1f\x7f]")
_TYPE = re.compile(r"(String|Number|Binary)(\..*)?")


@dataclass
class Notification:
    message_id: str
    topic_arn: str
    message: str
    timestamp: float
    subject: str | None = None
    per_protocol: dict[str, str] | None = None
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_id: str | None = None
    dedup_id: str | None = None
    sequence_number: str | None = None

    def message_for(self, protocol: str) -> str:
        """MessageStructure=json: the protocol's own entry, else ``default``."""
        if self.per_protocol is None:
            return self.message
        value = self.per_protocol.get(protocol)
        return value if isinstance(value, str) else self.message


def check_message(message: Any, structure: Any) -> tuple[str, dict[str, str] | None]:
    """``(default message, per-protocol messages or None)``."""
    if message is None or message == "":
        raise invalid("Empty message")
    text = str(message)
    if structure is None or structure == "":
        return text, None
    if structure != "json":
        raise invalid("MessageStructure")
    try:
        parsed = json.loads(text)
    except ValueError:
        raise invalid("Message Structure - JSON message body failed to parse") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("default"), str):
        raise invalid("Message Structure - No default entry in JSON message body")
    return parsed["default"], {k: v for k, v in parsed.items() if isinstance(v, str)}


def check_subject(subject: Any) -> str | None:
    if subject is None:
        return None
    text = str(subject)
    if not text or len(text) >= MAX_SUBJECT or _SUBJECT_BAD.search(text):
        raise invalid("Subject")
    return text


def check_size(message: str, attributes: dict[str, dict[str, Any]]) -> None:
    if message_size(message, attributes) > MAX_MESSAGE_BYTES:
        raise invalid("Message too long")


def message_size(message: str, attributes: dict[str, dict[str, Any]]) -> int:
    size = len(message.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            size += len(base64.b64decode(value["BinaryValue"]))
        else:
            size += len(value["StringValue"].encode("utf-8"))
    return size


def check_attributes(attributes: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Normalized ``{name: {DataType, StringValue | BinaryValue (base64 text)}}``."""
    out: dict[str, dict[str, Any]] = {}
    for name, value in (attributes or {}).items():
        _check_name(name)
        value = value if isinstance(value, dict) else {}
        data_type = str(value.get("DataType") or "")
        match = _TYPE.fullmatch(data_type)
        if not match:
            raise ParameterValueInvalid(f"The message attribute '{name}' has an invalid message attribute "
                                        f"type, the set of supported type prefixes is Binary, Number, and "
                                        f"String.")
        kind = match.group(1)
        if kind == "Binary":
            raw = value.get("BinaryValue")
            if raw is None and value.get("StringValue") is not None:
                raise ParameterValueInvalid(f"The message attribute '{name}' with type 'Binary' must use "
                                            f"field 'Binary'.")
            decoded = _binary(raw)
            if not decoded:
                raise ParameterValueInvalid(f"The message attribute '{name}' must contain non-empty message "
                                            "attribute value for message attribute type 'Binary'.")
            out[name] = {"DataType": data_type, "BinaryValue": base64.b64encode(decoded).decode("ascii")}
            continue
        text = value.get("StringValue")
        if text is None and value.get("BinaryValue") is not None:
            raise ParameterValueInvalid(f"The message attribute '{name}' with type '{kind}' must use field "
                                        "'String'.")
        if text is None or text == "":
            raise ParameterValueInvalid(f"The message attribute '{name}' must contain non-empty message "
                                        f"attribute value for message attribute type '{kind}'.")
        text = str(text)
        if kind == "Number" and not _is_number(text):
            raise ParameterValueInvalid(f"Could not cast message attribute '{name}' value to number.")
        if data_type.startswith("String.Array") and not _is_json_array(text):
            raise ParameterValueInvalid(f"The message attribute '{name}' with type 'String.Array' has an "
                                        f"invalid value: it must be a JSON array.")
        out[name] = {"DataType": data_type, "StringValue": text}
    return out


def _check_name(name: str) -> None:
    if len(name.encode("utf-8")) >= 256:
        raise ParameterValueInvalid("Length of message attribute name must be less than 256 bytes.")
    for char in name:
        if not _NAME_CHARS.fullmatch(char):
            raise ParameterValueInvalid(f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in "
                                        f"the message attribute name. Can only include alphanumeric "
                                        "characters, hyphens, underscores, or dots.")
    if name.startswith("."):
        raise ParameterValueInvalid("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise ParameterValueInvalid("Invalid message attribute name ending with character '.' was found.")
    if ".." in name:
        raise ParameterValueInvalid("Message attribute name can not have successive '.' character.")


def _binary(raw: Any) -> bytes:
    if raw is None:
        return b""
    if isinstance(raw, (bytes, bytearray)):
        return bytes(raw)
    try:
        return base64.b64decode(str(raw))
    except (binascii.Error, ValueError):
        return b""


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_json_array(text: str) -> bool:
    try:
        return isinstance(json.loads(text), list)
    except ValueError:
        return False

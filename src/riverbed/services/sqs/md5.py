"""MD5 digests SQS returns with messages, computed exactly as AWS does (botocore verifies them).

Owns: ``MD5OfMessageBody`` / ``MD5OfBody`` (MD5 of the UTF-8 body) and ``MD5OfMessageAttributes`` /
``MD5OfMessageSystemAttributes``.  The attribute digest, per the SQS developer guide
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html):
for each attribute in ascending order of name, append the name, the data type and the value, each as a
4-byte big-endian length followed by its bytes (UTF-8 for text), with a one-byte transport type before
the value: 1 for string values (String and Number types and their custom subtypes), 2 for binary.

Must not: validate attributes (``messages`` does) or know about queues.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

STRING_TRANSPORT = 1
BINARY_TRANSPORT = 2


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def binary_value(value: Any) -> bytes:
    """The bytes of a BinaryValue: raw bytes, or base64 text as it arrives on the JSON wire."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return base64.b64decode(str(value))


def md5_of_attributes(attributes: dict[str, dict[str, Any]] | None) -> str | None:
    """The digest of message (or message system) attributes; None when there are none."""
    if not attributes:
        return None
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = str(value.get("DataType", ""))
        digest.update(_length_prefixed(name.encode("utf-8")))
        digest.update(_length_prefixed(data_type.encode("utf-8")))
        if data_type.startswith("Binary"):
            digest.update(bytes([BINARY_TRANSPORT]))
            digest.update(_length_prefixed(binary_value(value.get("BinaryValue", b""))))
        else:
            digest.update(bytes([STRING_TRANSPORT]))
            digest.update(_length_prefixed(str(value.get("StringValue", "")).encode("utf-8")))
    return digest.hexdigest()

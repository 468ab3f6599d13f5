"""XML text for the query protocol's answers: escaping and scalar formatting.

Owns: how one scalar is written inside an XML element (text escaping, booleans, numbers, ISO 8601
timestamps, base64 blobs).  AWS escapes carriage returns as ``&#xD;`` so that XML parsers, which
normalise line ends, hand back the exact text (SQS message bodies depend on it).

Must not: know about shapes, operations or envelopes (``query`` builds those) or call the clock:
timestamps arrive as values to format, never as "now".
"""

from __future__ import annotations

import base64
import math
from datetime import UTC, datetime
from typing import Any

__all__ = ["escape", "format_scalar", "iso8601"]

_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#xD;",
            ord('"'): "&quot;"}


def escape(text: str) -> str:
    """Text content or attribute value, escaped for XML."""
    return text.translate(_ESCAPES)


def iso8601(value: Any) -> str:
    """``2024-01-02T03:04:05.678Z`` from epoch seconds, a datetime or an already formatted string."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        when = datetime.fromtimestamp(float(value), tz=UTC)
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def format_scalar(shape_type: str, value: Any) -> str:
    """The escaped text of a scalar of the given shape type."""
    if shape_type == "boolean":
        return "true" if value else "false"
    if shape_type == "timestamp":
        return escape(iso8601(value))
    if shape_type == "blob":
        if isinstance(value, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(value)).decode("ascii")
        return escape(str(value))  # blobs travel as base64 text already
    if shape_type in ("double", "float"):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return repr(number)
    if shape_type in ("integer", "long"):
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))

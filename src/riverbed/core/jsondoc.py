"""JSON documents in request bodies and payloads, with the Jackson-style texts AWS's Java front ends use.

Owns: parsing a JSON document and, when it is malformed, raising ``InvalidRequestContentException``
worded as Lambda words it (lambda snapshot, test_lambda_invoke_payload_encoding_error): the REST-JSON
protocol uses it for bodies, and Lambda's Invoke for payloads.

Must not: know any protocol's framing or any operation.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from riverbed.errors import ServiceError

_CONTENT_PREFIX = "Could not parse request body into json: Could not parse payload into json: "
_SOURCE = " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: {}, column: {}]"
_VALUE_TOKENS = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


def content_error(detail: str) -> ServiceError:
    return ServiceError(_CONTENT_PREFIX + detail, code="InvalidRequestContentException")


def jackson_kind(doc: Any) -> str:
    if isinstance(doc, list):
        return "Array"
    if isinstance(doc, str):
        return "String"
    if isinstance(doc, bool):
        return "Boolean"
    if isinstance(doc, (int, float)):
        return "Number"
    return "Null"


def parse_json_body(body: bytes) -> Any:
    """The JSON document in ``body``; InvalidRequestContentException worded like Lambda's if malformed.

    Also the check Lambda applies to an Invoke payload (lambda snapshot,
    test_lambda_invoke_payload_encoding_error).
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    raise content_error(_describe_json_error(bytes(body)))


def _describe_json_error(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 2
        return f"Invalid UTF-8 start byte 0x{raw[exc.start]:02x}\n" + _SOURCE.format(line, column)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        pos, line, column = exc.pos, exc.lineno, exc.colno
        char = text[pos] if pos < len(text) else ""
        msg = exc.msg
        if not char:
            detail = "Unexpected end-of-input"
        elif msg.startswith("Expecting property name"):
            detail = f"Unexpected character ({_char(char)}): was expecting double-quote to start field name"
        elif msg.startswith("Expecting ',' delimiter"):
            detail = f"Unexpected character ({_char(char)}): was expecting comma to separate Object entries"
        elif msg.startswith("Expecting ':' delimiter"):
            detail = f"Unexpected character ({_char(char)}): was expecting a colon to separate field name and value"
        elif msg.startswith("Extra data"):
            detail = f"Unexpected character ({_char(char)}): Expected space separating root-level values"
        elif char.isalpha():
            word = re.match(r"[A-Za-z0-9_$]+", text[pos:])
            detail = f"Unrecognized token '{word.group(0) if word else char}': was expecting {_VALUE_TOKENS}"
        else:
            detail = f"Unexpected character ({_char(char)}): expected a valid value {_VALUE_TOKENS}"
        return detail + "\n" + _SOURCE.format(line, column)
    except RecursionError:
        return "Document nesting depth exceeds the maximum allowed"
    return "Unexpected end-of-input"  # orjson refused what json accepts (e.g. NaN, lone surrogates)


def _char(c: str) -> str:
    return f"'{c}' (code {ord(c)})"

"""The REST-JSON protocol (Lambda): routes, requests and responses driven by ``http`` traits in the model.

Owns: matching ``(method, path)`` to an operation from each ``requestUri`` template (``{Label}``,
greedy ``{Key+}``, literal query parts such as ``?List=ALL``), assembling a request dict from URI
labels, query string, headers and the body (a blob ``payload`` stays raw bytes; a JSON body is parsed,
and malformed JSON answers ``InvalidRequestContentException`` with Jackson-style wording as Lambda
does), and writing results and errors back: status from ``responseCode`` or a ``statusCode`` member,
header members to headers, a blob payload as the raw body, the rest as JSON.

An output with no body members (DeleteFunction, TagResource...) answers 204, as Lambda does
(lambda_api snapshot); error bodies carry ``Type`` and ``message``/``Message`` as the error shape spells
them, plus ``err.extra`` members, with the code in ``x-amzn-ErrorType``.

Must not: validate constraints (``validate`` does) or know any operation's meaning.  Paths given to
``match`` are already percent-decoded (ASGI ``scope['path']``).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import orjson

from riverbed.core.jsondoc import content_error, jackson_kind, parse_json_body
from riverbed.core.models import ServiceModel
from riverbed.errors import ServiceError
from riverbed.protocol.binding import bind_locations, compile_uri_template, input_members

__all__ = ["RestJsonRouter", "parse_json_body", "parse_restjson_request", "serialize_restjson_error",
           "serialize_restjson_response"]



class RestJsonRouter:
    """Finds the operation for a request line; built once per service model."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        routes: dict[str, list[tuple[tuple[int, int, int, int], Any, dict[str, str | None], str]]] = {}
        for name, op in model.operations.items():
            http = op.get("http") or {}
            uri = http.get("requestUri", "/")
            path, _, query = uri.partition("?")
            required: dict[str, str | None] = {}
            for part in filter(None, query.split("&")):
                k, eq, v = part.partition("=")
                required[k] = v if eq else None
            regex, literal, labels, greedy = compile_uri_template(path)
            # Most specific first: literal query parts, more literal text, fewer and non-greedy labels.
            rank = (-len(required), -literal, greedy, labels)
            routes.setdefault(http.get("method", "POST").upper(), []).append((rank, regex, required, name))
        for items in routes.values():
            items.sort(key=lambda r: r[0])
        self._routes = routes

    def match(self, method: str, path: str,
              query: dict[str, list[str]] | None = None) -> tuple[str, dict[str, str]] | None:
        """``(operation, path_params)`` for a decoded path, or None.

        Templates with literal query parts (``?List=ALL``) need ``query`` to be chosen; without it they
        are tried only after every template without query parts.
        """
        candidates = self._routes.get(method.upper(), ())
        fallback = None
        for _, regex, required, name in candidates:
            m = regex.match(path)
            if m is None:
                continue
            if required:
                if query is None:
                    if fallback is None:
                        fallback = (name, m.groupdict())
                    continue
                if not all(k in query and (v is None or v in query[k]) for k, v in required.items()):
                    continue
            return name, {k: v for k, v in m.groupdict().items()}
        return fallback


# --- requests ----------------------------------------------------------------------------------------

def parse_restjson_request(model: ServiceModel, operation: str, path_params: dict[str, str],
                           query: dict[str, list[str]], headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """The request dict: body members first, then URI, query string and header members."""
    found = input_members(model, operation)
    if found is None:
        return {}
    members, payload = found
    params: dict[str, Any] = {}
    if payload:
        target = model.shapes[members[payload]["shape"]]
        if body:
            if target["type"] == "blob":
                params[payload] = bytes(body)
            elif target["type"] == "string":
                params[payload] = bytes(body).decode("utf-8", "replace")
            else:
                params[payload] = parse_json_body(body)
    elif body and body.strip():
        doc = parse_json_body(body)
        if not isinstance(doc, dict):
            raise content_error("Cannot deserialize value of type `java.util.LinkedHashMap` from "
                                 f"{jackson_kind(doc)} value")
        for member, ref in members.items():
            if "location" in ref:
                continue
            value = doc.get(ref.get("locationName", member))
            if value is not None:
                params[member] = value
    return bind_locations(model, members, params, path_params, query, headers, _coerce)


def _coerce(shape_type: str, text: str, name: str) -> Any:
    try:
        if shape_type in ("integer", "long"):
            return int(text)
        if shape_type in ("double", "float"):
            return float(text)
    except ValueError:
        raise ServiceError(f"Invalid value for {name}: {text}", code="InvalidParameterValueException") from None
    if shape_type == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise ServiceError(f"Invalid value for {name}: {text}", code="InvalidParameterValueException")
    if shape_type == "timestamp":
        return _epoch(text, name)
    return text


def _epoch(text: str, name: str) -> float | int:
    raw = text.strip()
    try:
        number = float(raw)
    except ValueError:
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            raise ServiceError(f"Invalid value for {name}: {text}",
                               code="InvalidParameterValueException") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        number = when.timestamp()
    return int(number) if number.is_integer() else number


# --- malformed JSON, worded as Lambda's Jackson parser words it ---------------------------------------

def _json_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=UTC)
        return when.timestamp()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def _header_text(shape_type: str, value: Any) -> str:
    if shape_type == "boolean" or isinstance(value, bool):
        return "true" if value else "false"
    if shape_type == "timestamp" and not isinstance(value, str):
        when = value if isinstance(value, datetime) else datetime.fromtimestamp(float(value), tz=UTC)
        return when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return str(value)


def serialize_restjson_response(model: ServiceModel, operation: str,
                                result: dict[str, Any] | None) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers, body)`` for an operation's result dict."""
    op = model.operations[operation]
    status = int((op.get("http") or {}).get("responseCode", 200))
    headers: dict[str, str] = {}
    result = result or {}
    output_ref = op.get("output")
    if not output_ref:
        return (204 if status == 200 else status), headers, b""
    shape = model.shapes[output_ref["shape"]]
    members: dict[str, dict[str, Any]] = shape.get("members", {})
    payload = shape.get("payload")
    body_members: dict[str, Any] = {}
    has_body_members = False
    status_member = None
    for member, ref in members.items():
        location = ref.get("location")
        value = result.get(member)
        if location is None and member != payload:
            has_body_members = True
            if value is not None:
                body_members[ref.get("locationName", member)] = value
            continue
        if value is None:
            continue
        if location == "statusCode":
            status_member = int(value)
        elif location == "header":
            headers[ref.get("locationName", member)] = _header_text(model.shapes[ref["shape"]]["type"], value)
        elif location == "headers":
            prefix = ref.get("locationName", "")
            for k, v in value.items():
                headers[prefix + k] = str(v)
    if payload:
        value = result.get(payload)
        target = model.shapes[members[payload]["shape"]]
        if target["type"] in ("blob", "string"):
            if value is None:
                body = b""
            elif isinstance(value, (bytes, bytearray, memoryview)):
                body = bytes(value)
            else:
                body = str(value).encode("utf-8")
        else:
            body = _dumps(value) if value is not None else b"{}"
    elif has_body_members:
        body = _dumps(body_members)
    else:
        body = b""
        if status == 200:
            status = 204  # Lambda answers 204 when nothing is returned (DeleteFunction, TagResource...)
    if status_member is not None:
        status = status_member
    return status, headers, body


def serialize_restjson_error(err: ServiceError, model: ServiceModel | None = None) -> tuple[int, dict[str, str],
                                                                                             bytes]:
    """``(status, headers, body)`` for an error; pass ``model`` to spell members as its error shape does."""
    shape: dict[str, Any] = {}
    if model is not None:
        shape_name = model.error_shape_name(err.code)
        if shape_name:
            shape = model.shapes[shape_name]
    members: dict[str, dict[str, Any]] = shape.get("members", {})
    body: dict[str, Any] = {}
    if not shape or "Type" in members:
        body["Type"] = "User" if err.sender else "Service"
    message_key = "Message" if "Message" in members and "message" not in members else "message"
    body[message_key] = err.message
    headers = {"x-amzn-ErrorType": err.code, "Content-Type": "application/json"}
    for key, value in (err.extra or {}).items():
        if key.startswith("__"):
            continue
        ref = members.get(key, {})
        if ref.get("location") == "header":
            if value is not None:
                headers[ref.get("locationName", key)] = str(value)
        else:
            body[key] = value
    headers.update(err.headers or {})
    status = err.status
    error_trait = shape.get("error") or {}
    if type(err) is ServiceError and status == 400 and error_trait.get("httpStatusCode"):
        status = int(error_trait["httpStatusCode"])  # a one-off error(...) takes the model's status
    return status, headers, _dumps(body)

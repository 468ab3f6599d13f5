"""The REST-XML protocol (S3): routes, requests and responses driven by the ``http`` traits in the model.

Owns: matching ``(method, raw path, query, headers)`` to an operation — several S3 operations share
one ``requestUri`` (``PUT /{Bucket}/{Key+}`` is PutObject, CopyObject, UploadPart or UploadPartCopy),
so a template also needs its literal query parts (``?uploads``) and its *required* query-string and
header members (``uploadId``, ``x-amz-copy-source``) to be present, most demanding first; decoding
``aws-chunked`` bodies (``Content-Encoding: aws-chunked``, with or without chunk signatures, with
trailing ``x-amz-checksum-*`` headers, as SDKs send streaming uploads); verifying the request payload
against ``Content-MD5``, ``x-amz-content-sha256`` and the ``x-amz-checksum-*`` header of operations
with the ``httpChecksum`` trait; assembling the request dict from URI labels, query string, headers
and the payload (raw bytes for a blob payload, parsed XML for a structure); and writing results and
errors back: headers (RFC 7231 dates), the raw body of a blob payload, XML elsewhere, S3's
``<Error><Code/><Message/>...`` body, no body at all for HEAD requests and 304s.

Must not: validate constraints (``validate`` does) or know what an operation means.
"""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, cast
from urllib.parse import unquote

from riverbed.core import checksums
from riverbed.core.models import ServiceModel
from riverbed.core.payload import BodyStream, Payload
from riverbed.errors import ServiceError
from riverbed.protocol.binding import bind_locations, compile_uri_template, input_members
from riverbed.protocol.xml import escape, format_scalar

__all__ = ["RestXmlRouter", "decode_aws_chunked", "parse_restxml_request", "serialize_restxml_error",
           "serialize_restxml_response"]

# Literal query parts SDKs add for tracing only (``?x-id=GetObject``); they never decide the operation.
_IGNORED_LITERALS = frozenset({"x-id"})

Route = tuple[tuple[int, int, int, int], Any, dict[str, str | None], list[str], list[str], str]


def _malformed() -> ServiceError:
    return ServiceError("The XML you provided was not well-formed or did not validate against our published schema",
                        code="MalformedXML")


class RestXmlRouter:
    """Finds the operation for a request; built once per service model."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        routes: dict[str, list[Route]] = {}
        for name, op in model.operations.items():
            http = op.get("http") or {}
            path, _, query = http.get("requestUri", "/").partition("?")
            literal: dict[str, str | None] = {}
            for part in filter(None, query.split("&")):
                k, eq, v = part.partition("=")
                if k not in _IGNORED_LITERALS:
                    literal[k] = v if eq else None
            need_query: list[str] = []
            need_headers: list[str] = []
            input_ref = op.get("input")
            if input_ref:
                shape = model.shapes[input_ref["shape"]]
                for member in shape.get("required", ()):
                    ref = shape["members"][member]
                    if ref.get("location") == "querystring":
                        need_query.append(ref.get("locationName", member))
                    elif ref.get("location") == "header":
                        need_headers.append(ref.get("locationName", member).lower())
            regex, literal_len, _, greedy = compile_uri_template(path)
            rank = (-len(literal), -(len(need_query) + len(need_headers)), -literal_len, greedy)
            routes.setdefault(http.get("method", "POST").upper(), []).append(
                (rank, regex, literal, need_query, need_headers, name))
        for items in routes.values():
            items.sort(key=lambda r: r[0])
        self._routes = routes

    def match(self, method: str, raw_path: str, query: dict[str, list[str]],
              headers: dict[str, str]) -> tuple[str, dict[str, str]] | None:
        """``(operation, labels)`` for an undecoded path; label values come back percent-decoded."""
        for _, regex, literal, need_query, need_headers, name in self._routes.get(method.upper(), ()):
            m = regex.match(raw_path)
            if m is None:
                continue
            if not all(k in query and (v is None or v in query[k]) for k, v in literal.items()):
                continue
            if not all(k in query for k in need_query) or not all(h in headers for h in need_headers):
                continue
            return name, {k: unquote(v) for k, v in m.groupdict().items()}
        return None




# --- aws-chunked bodies ---------------------------------------------------------------------------------

def decode_aws_chunked(body: bytes) -> tuple[bytes, dict[str, str]]:
    """``(payload, trailing headers)`` of an aws-chunked body.

    Each chunk is ``<hex size>[;chunk-signature=...]\\r\\n<data>\\r\\n``; a zero-size chunk ends the
    data, followed by trailer lines ``name:value\\r\\n`` and an empty line
    (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
    """
    out = bytearray()
    pos = 0
    view = memoryview(body)
    while True:
        end = body.find(b"\r\n", pos)
        if end < 0:
            raise _incomplete()
        size_text = body[pos:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise _incomplete() from None
        pos = end + 2
        if size == 0:
            break
        if pos + size > len(body):
            raise _incomplete()
        out += view[pos:pos + size]
        pos += size
        if body[pos:pos + 2] == b"\r\n":
            pos += 2
    trailers: dict[str, str] = {}
    for line in body[pos:].split(b"\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.decode("latin-1").partition(":")
        if sep and not name.startswith("x-amz-trailer-signature"):
            trailers[name.strip().lower()] = value.strip()
    return bytes(out), trailers


def _incomplete() -> ServiceError:
    return ServiceError("You did not provide the number of bytes specified by the Content-Length HTTP header.",
                        code="IncompleteBody")


# --- requests ----------------------------------------------------------------------------------------

def verify_payload(model: ServiceModel, operation: str, headers: dict[str, str], payload: bytes | Payload) -> None:
    """Refuse a payload that does not match the digests its headers declare (a spooled ``Payload`` was hashed
    as it arrived)."""
    spooled = payload if isinstance(payload, Payload) else None
    md5 = headers.get("content-md5")
    if md5 is not None:
        try:
            declared = base64.b64decode(md5, validate=True)
        except ValueError:
            declared = b""
        if len(declared) != 16:
            raise ServiceError("The Content-MD5 you specified was invalid.", code="InvalidDigest")
        digest = bytes.fromhex(spooled.md5) if spooled else hashlib.md5(cast("bytes", payload)).digest()
        if digest != declared:
            raise ServiceError("The Content-MD5 you specified did not match what we received.", code="BadDigest")
    sha = headers.get("x-amz-content-sha256", "")
    if len(sha) == 64 and (spooled.sha256 if spooled else hashlib.sha256(cast("bytes", payload)).hexdigest()) \
            != sha.lower():
        raise ServiceError("The provided 'x-amz-content-sha256' header does not match what was computed.",
                           code="XAmzContentSHA256Mismatch")
    if not model.operations[operation].get("httpChecksum"):
        return
    for algorithm in checksums.ALGORITHMS:
        value = headers.get(checksums.header_name(algorithm))
        if value is None:
            continue
        computed = spooled.checksum(algorithm) if spooled else checksums.checksum(algorithm, cast("bytes", payload))
        if computed != value:
            raise ServiceError(f"The {algorithm} you specified did not match the calculated checksum.",
                               code="BadDigest")


def parse_restxml_request(model: ServiceModel, operation: str, labels: dict[str, str],
                          query: dict[str, list[str]], headers: dict[str, str], spooled: bytes | Payload
                          ) -> dict[str, Any]:
    """The request dict: URI labels, query string, header members and the payload member (a spooled
    blob payload stays a ``Payload``: the service renames its file into place)."""
    found = input_members(model, operation)
    if found is None:
        return {}
    members, payload = found
    params: dict[str, Any] = {}
    body = spooled if isinstance(spooled, bytes) else b""
    if payload:
        target = model.shapes[members[payload]["shape"]]
        if target["type"] != "blob" and isinstance(spooled, Payload):
            body = spooled.read()
        if target["type"] == "blob":
            params[payload] = spooled if isinstance(spooled, Payload) else bytes(body)
        elif target["type"] == "string":
            if body:
                params[payload] = body.decode("utf-8", "replace")
        elif body.strip():
            params[payload] = _parse_xml(model, members[payload]["shape"], body)
    return bind_locations(model, members, params, labels, query, headers, _coerce)


def _coerce(shape_type: str, text: str, name: str = "") -> Any:
    try:
        if shape_type in ("integer", "long"):
            return int(text)
        if shape_type in ("double", "float"):
            return float(text)
    except ValueError:
        raise ServiceError(f"Invalid argument: {text}", code="InvalidArgument") from None
    if shape_type == "boolean":
        return text.strip().lower() == "true"
    if shape_type == "timestamp":
        return _epoch(text)
    return text


def _epoch(text: str) -> float:
    raw = text.strip()
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ServiceError(f"Invalid date: {text}", code="InvalidArgument") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _parse_xml(model: ServiceModel, shape_name: str, body: bytes) -> Any:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise _malformed() from None
    return _element_value(model, shape_name, root)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _element_value(model: ServiceModel, shape_name: str, element: ET.Element) -> Any:
    shape = model.shapes[shape_name]
    t = shape["type"]
    if t == "structure":
        out: dict[str, Any] = {}
        children = list(element)
        for member, ref in shape.get("members", {}).items():
            target = model.shapes[ref["shape"]]
            if target["type"] == "list" and (target.get("flattened") or ref.get("flattened")):
                name = ref.get("locationName") or target["member"].get("locationName") or member
                found = [c for c in children if _local(c.tag) == name]
                if found:
                    out[member] = [_element_value(model, target["member"]["shape"], c) for c in found]
                continue
            name = ref.get("locationName", member)
            for child in children:
                if _local(child.tag) == name:
                    out[member] = _element_value(model, ref["shape"], child)
                    break
        return out
    if t == "list":
        name = shape["member"].get("locationName", "member")
        return [_element_value(model, shape["member"]["shape"], c) for c in element if _local(c.tag) == name]
    text = element.text or ""
    if t == "blob":
        return base64.b64decode(text)
    try:
        return _coerce(t, text)
    except ServiceError:
        raise _malformed() from None


# --- responses ---------------------------------------------------------------------------------------------

def _header_text(shape: dict[str, Any], value: Any) -> str:
    t = shape["type"]
    if t == "boolean" or isinstance(value, bool):
        return "true" if value else "false"
    if t == "timestamp" and not isinstance(value, str):
        when = value if isinstance(value, datetime) else datetime.fromtimestamp(float(value), tz=UTC)
        return when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return str(value)


def serialize_restxml_response(model: ServiceModel, operation: str, result: dict[str, Any],
                               namespace: str = "") -> tuple[int, list[tuple[str, str]], bytes | BodyStream]:
    """``(status, headers, body)`` for an operation's result dict."""
    op = model.operations[operation]
    status = int((op.get("http") or {}).get("responseCode", 200))
    headers: list[tuple[str, str]] = []
    output_ref = op.get("output")
    if not output_ref:
        return status, headers, b""
    shape = model.shapes[output_ref["shape"]]
    members: dict[str, dict[str, Any]] = shape.get("members", {})
    payload = shape.get("payload")
    body_members: dict[str, Any] = {}
    for member, ref in members.items():
        value = result.get(member)
        location = ref.get("location")
        if location is None and member != payload:
            if value is not None:
                body_members[member] = value
            continue
        if value is None:
            continue
        if location == "header":
            headers.append((ref.get("locationName", member), _header_text(model.shapes[ref["shape"]], value)))
        elif location == "headers":
            prefix = ref.get("locationName", "")
            headers.extend((prefix + k, str(v)) for k, v in value.items())
        elif location == "statusCode":
            status = int(value)
    if any(name == "Content-Range" for name, _ in headers) and status == 200:
        status = 206   # RFC 9110 §15.3.7: a success answer carrying Content-Range is Partial Content
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    if payload:
        value = result.get(payload)
        ref = members[payload]
        target = model.shapes[ref["shape"]]
        if isinstance(value, BodyStream):   # a large object, sent from its file as it is read
            return status, headers, value
        if target["type"] in ("blob", "string"):
            body = b"" if value is None else bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) \
                else str(value).encode("utf-8")
            return status, headers, body
        if value is None:
            return status, headers, b""
        root = ref.get("locationName", ref["shape"])
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        _structure(model, out, root, ref["shape"], value, xmlns)
        headers.append(("Content-Type", "application/xml"))
        return status, headers, "".join(out).encode("utf-8")
    if not body_members:
        return status, headers, b""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    scalar_members = [m for m in members if members[m].get("location") is None]
    if len(scalar_members) == 1 and model.shapes[members[scalar_members[0]]["shape"]]["type"] not in (
            "structure", "list", "map"):
        # An answer with one scalar member is that element alone (GetBucketLocation's
        # <LocationConstraint>us-west-2</LocationConstraint>, which botocore reads from the root's text).
        member = scalar_members[0]
        ref = members[member]
        name = ref.get("locationName", member)
        text = format_scalar(model.shapes[ref["shape"]]["type"], body_members[member])
        out.append(f"<{name}{xmlns}>{text}</{name}>")
    else:
        root = shape.get("locationName") or operation + "Result"
        _structure(model, out, root, output_ref["shape"], body_members, xmlns)
    headers.append(("Content-Type", "application/xml"))
    return status, headers, "".join(out).encode("utf-8")


def _structure(model: ServiceModel, out: list[str], name: str, shape_name: str, value: dict[str, Any],
               attrs: str = "") -> None:
    shape = model.shapes[shape_name]
    out.append(f"<{name}{attrs}>")
    for member, ref in shape.get("members", {}).items():
        if ref.get("location") is not None or value.get(member) is None:
            continue
        _element(model, out, member, ref, value[member])
    out.append(f"</{name}>")


def _element(model: ServiceModel, out: list[str], member: str, ref: dict[str, Any], value: Any) -> None:
    shape_name = ref["shape"]
    shape = model.shapes[shape_name]
    t = shape["type"]
    name = ref.get("locationName", member)
    if t == "structure":
        _structure(model, out, name, shape_name, value)
    elif t == "list":
        item_ref = shape["member"]
        if shape.get("flattened") or ref.get("flattened"):
            item = dict(item_ref, locationName=ref.get("locationName") or item_ref.get("locationName") or member)
            for v in value:
                _element(model, out, member, item, v)
        else:
            out.append(f"<{name}>")
            item = dict(item_ref, locationName=item_ref.get("locationName", "member"))
            for v in value:
                _element(model, out, "member", item, v)
            out.append(f"</{name}>")
    elif t == "map":
        out.append(f"<{name}>")
        for k, v in value.items():
            out.append(f"<entry><key>{escape(str(k))}</key>")
            _element(model, out, "value", shape["value"], v)
            out.append("</entry>")
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{format_scalar(t, value)}</{name}>")


def serialize_restxml_error(err: ServiceError, request_id: str, model: ServiceModel | None = None,
                            with_body: bool = True) -> tuple[int, list[tuple[str, str]], bytes]:
    """``(status, headers, body)`` of an S3-style ``<Error>`` answer (no body for HEAD requests or a 304)."""
    status = err.status
    if model is not None and type(err) is ServiceError and status == 400:
        shape_name = model.error_shape_name(err.code)
        trait = model.shapes[shape_name].get("error", {}) if shape_name else {}
        if trait.get("httpStatusCode"):
            status = int(trait["httpStatusCode"])  # a one-off error(...) takes the model's status
    headers = list(err.headers.items())
    if not with_body or status == 304:
        return status, headers, b""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<Error>', f"<Code>{escape(err.code)}</Code>",
           f"<Message>{escape(err.message)}</Message>"]
    for key, value in (err.extra or {}).items():
        if not key.startswith("__") and value is not None:
            out.append(f"<{key}>{escape(str(value))}</{key}>")
    out.append(f"<RequestId>{escape(request_id)}</RequestId></Error>")
    headers.append(("Content-Type", "application/xml"))
    return status, headers, "".join(out).encode("utf-8")

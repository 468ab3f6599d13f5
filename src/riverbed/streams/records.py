"""Stream records: the shape of one change, exactly as DynamoDB Streams returns it.

Owns: building the record for an INSERT / MODIFY / REMOVE under a
StreamViewType (spec/streams.md §4-5), which images it carries, turning a
stored record into the Lambda event form (``eventSourceARN``, lower-case
``userIdentity``): as a dict, or as its JSON joined from the stored bytes
(``lambda_event_json``, what a trigger sends, so it never decodes or
re-encodes a record it only passes on).

Also owns the record's compact stored form (``encode_record``/``record_json``).

Must not: decide *whether* a write produces a record (``items.py`` does, in
the write's transaction), where it is stored (``log.py``), or how big an item
is: ``SizeBytes`` is DynamoDB's measure and comes from the writer (nothing
here imports a service).
"""

from __future__ import annotations

import os
from random import getrandbits
from typing import Any

import orjson

TTL_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
NEW_IMAGE_VIEWS = ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
OLD_IMAGE_VIEWS = ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
_EVENT_SOURCE_MEMBER = len(b',"eventSourceARN":')


def build_record(*, event_name: str, keys: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any] | None,
                 view_type: str, region: str, created: float, sequence_number: str, event_version: str,
                 service_identity: bool = False, size_bytes: int | None = None) -> dict[str, Any]:
    """The record, with ``SizeBytes`` as measured by the writer.

    A writer that does not measure (``size_bytes`` None: unit tests, tools) gets the JSON length of the
    keys and the images the view carries -- an approximation, not DynamoDB's item size.
    """
    dyn: dict[str, Any] = {
        # AWS rounds ApproximateCreationDateTime down to the whole second (epoch seconds on the wire).
        "ApproximateCreationDateTime": int(created),
        "Keys": keys,
    }
    if new is not None and view_type in NEW_IMAGE_VIEWS:
        dyn["NewImage"] = new
    if old is not None and view_type in OLD_IMAGE_VIEWS:
        dyn["OldImage"] = old
    if size_bytes is None:
        size_bytes = sum(len(orjson.dumps(dyn[m])) for m in ("Keys", "NewImage", "OldImage") if m in dyn)
    dyn["SequenceNumber"] = sequence_number
    dyn["SizeBytes"] = max(1, size_bytes)
    dyn["StreamViewType"] = view_type
    record: dict[str, Any] = {
        "eventID": os.urandom(16).hex(),
        "eventName": event_name,
        "eventVersion": event_version,
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dyn,
    }
    if service_identity:
        record["userIdentity"] = dict(TTL_IDENTITY)
    return record


def to_lambda_event_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """The record as a Lambda handler sees it: plus ``eventSourceARN``; identity members in lower case."""
    out = dict(record)
    ident = out.get("userIdentity")
    if ident:
        out["userIdentity"] = {"type": ident.get("Type"), "principalId": ident.get("PrincipalId")}
    out["eventSourceARN"] = stream_arn
    return out


# --- the stored form -------------------------------------------------------------------------------------
# A record is stored without what its row or its stream already say: the sequence number (the row's seq),
# the creation time (the row's ``created``), the constant members and their names.  What is kept: a format
# byte, flags (event name, view type, service identity), the raw event id, SizeBytes, the region and the
# event version (JSON text), then the JSON members Keys/NewImage/OldImage exactly as the record carries
# them.  ``record_json`` puts the record's JSON back together by joining bytes, never re-encoding an image,
# so it is byte for byte what ``orjson.dumps(build_record(...))`` gives.  A stored record that starts with
# ``{`` is that JSON itself (written before this form existed) and is returned unchanged.
_STORED_V1 = 1
_EVENTS = ("INSERT", "MODIFY", "REMOVE")
_VIEWS = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
_IDENTITY_JSON = b',"userIdentity":' + orjson.dumps(TTL_IDENTITY)


def encode_record(*, event_name: str, keys: dict[str, Any], old: dict[str, Any] | None,
                  new: dict[str, Any] | None, view_type: str, region: str, event_version: str,
                  service_identity: bool = False, size_bytes: int | None = None) -> bytes:
    """The stored form of the record ``build_record`` would build with the same arguments."""
    images: dict[str, Any] = {"Keys": keys}
    if new is not None and view_type in NEW_IMAGE_VIEWS:
        images["NewImage"] = new
    if old is not None and view_type in OLD_IMAGE_VIEWS:
        images["OldImage"] = old
    body = orjson.dumps(images)
    if size_bytes is None:
        size_bytes = sum(len(orjson.dumps(images[m])) for m in images)
    flags = _EVENTS.index(event_name) | _VIEWS.index(view_type) << 2 | (16 if service_identity else 0)
    region_json, version_json = orjson.dumps(region), orjson.dumps(event_version)
    event_id = getrandbits(128).to_bytes(16, "little")   # an id, not a secret: no system call per record
    return b"".join((bytes((_STORED_V1, flags)), event_id, max(1, size_bytes).to_bytes(4, "little"),
                     bytes((len(region_json),)), region_json, bytes((len(version_json),)), version_json,
                     body[1:-1]))


def record_json(stored: bytes, sequence_number: str, created: float) -> bytes:
    """The record's JSON (as GetRecords returns it) from its stored form and its row's seq and time."""
    if stored[:1] == b"{":
        return stored
    return _join(stored, sequence_number, created, _IDENTITY_JSON, b"}")


# The Lambda event form of the TTL identity: lower-case member names, in to_lambda_event_record's order.
_EVENT_IDENTITY_JSON = b',"userIdentity":' + orjson.dumps(
    {"type": TTL_IDENTITY["Type"], "principalId": TTL_IDENTITY["PrincipalId"]})


def event_source_member(stream_arn: str) -> bytes:
    """What ``lambda_event_json`` appends to a record: the ``eventSourceARN`` member and the closing brace."""
    return b',"eventSourceARN":' + orjson.dumps(stream_arn) + b"}"


def lambda_event_json(stored: bytes, sequence_number: str, created: float, source_member: bytes) -> bytes:
    """``orjson.dumps(to_lambda_event_record(record, arn))`` built from the stored form by joining bytes.

    ``source_member`` is ``event_source_member(arn)``.  A trigger hands records to a function in this
    form without decoding them (a filter or the failure policy decodes one only when it looks inside).
    """
    if stored[:1] == b"{":
        arn = orjson.loads(source_member[_EVENT_SOURCE_MEMBER:-1])
        return orjson.dumps(to_lambda_event_record(orjson.loads(stored), arn))
    return _join(stored, sequence_number, created, _EVENT_IDENTITY_JSON, source_member)


def _join(stored: bytes, sequence_number: str, created: float, identity: bytes, tail: bytes) -> bytes:
    flags = stored[1]
    event_id = stored[2:18].hex()
    size = int.from_bytes(stored[18:22], "little")
    end = 23 + stored[22]
    region_json = stored[23:end]
    version_json = stored[end + 1:end + 1 + stored[end]]
    body = stored[end + 1 + stored[end]:]
    return b"".join((
        b'{"eventID":"', event_id.encode(), b'","eventName":"', _EVENTS[flags & 3].encode(),
        b'","eventVersion":', version_json, b',"eventSource":"aws:dynamodb","awsRegion":', region_json,
        b',"dynamodb":{"ApproximateCreationDateTime":', str(int(created)).encode(), b",", body,
        b',"SequenceNumber":"', sequence_number.encode(), b'","SizeBytes":', str(size).encode(),
        b',"StreamViewType":"', _VIEWS[flags >> 2 & 3].encode(), b'"}',
        identity if flags & 16 else b"", tail))

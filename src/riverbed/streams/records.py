"""Stream records: the shape of one change, exactly as DynamoDB Streams returns it.

Owns: building the record for an INSERT / MODIFY / REMOVE under a
StreamViewType (spec/streams.md §4-5), its SizeBytes, and turning a stored
record into the Lambda event form (``eventSourceARN``, lower-case
``userIdentity``).

Must not: decide *whether* a write produces a record (``items.py`` does, in
the write's transaction) or where it is stored (``log.py``).
"""

from __future__ import annotations

import os
from typing import Any

from riverbed.services.dynamodb.types import item_size

TTL_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


def build_record(*, event_name: str, keys: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any] | None,
                 view_type: str, region: str, created: float, sequence_number: str, event_version: str,
                 service_identity: bool = False, new_size: int | None = None) -> dict[str, Any]:
    dyn: dict[str, Any] = {
        # AWS rounds ApproximateCreationDateTime down to the whole second (epoch seconds on the wire).
        "ApproximateCreationDateTime": int(created),
        "Keys": keys,
    }
    size = item_size(keys)
    if new is not None and view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        dyn["NewImage"] = new
        size += new_size if new_size is not None else item_size(new)
    if old is not None and view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        dyn["OldImage"] = old
        size += item_size(old)
    dyn["SequenceNumber"] = sequence_number
    dyn["SizeBytes"] = max(1, size)
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

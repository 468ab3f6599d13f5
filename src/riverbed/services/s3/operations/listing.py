"""ListObjectsV2 and ListObjects (version 1).

V2 pages with an opaque ``ContinuationToken`` (here the base64 of the last key or common prefix) or
``StartAfter``; V1 with ``Marker``, and answers ``NextMarker`` only when a delimiter was given
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from riverbed.services.s3 import errors, listing
from riverbed.services.s3.operations.buckets import owner
from riverbed.services.s3.service import S3Context


def _max_keys(req: dict[str, Any]) -> int:
    value: int | None = req.get("MaxKeys")
    if value is None:
        return 1000
    if value < 0:
        raise errors.invalid_argument("Provided max-keys not an integer or within integer range", "max-keys",
                                      str(value))
    return min(value, 1000)


def list_objects_v2(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket = req["Bucket"]
    ctx.backend.bucket(bucket)
    prefix, delimiter, encoding = req.get("Prefix") or "", req.get("Delimiter") or "", req.get("EncodingType")
    marker = req.get("StartAfter") or ""
    token = req.get("ContinuationToken")
    if token is not None:
        try:
            marker = max(marker, base64.urlsafe_b64decode(token.encode()).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise errors.invalid_argument("The continuation token provided is incorrect", "continuation-token",
                                          token) from None
    max_keys = _max_keys(req)
    page = listing.walk(ctx.backend.objects(bucket, prefix), prefix, delimiter, marker, max_keys)
    out: dict[str, Any] = {
        "Name": bucket, "Prefix": listing.encode(prefix, encoding), "MaxKeys": max_keys,
        "KeyCount": len(page.contents) + len(page.prefixes), "IsTruncated": page.truncated,
        "Contents": [listing.entry(d, encoding, owner(ctx) if req.get("FetchOwner") else None)
                     for d in page.contents] or None,
        "CommonPrefixes": [{"Prefix": listing.encode(p, encoding)} for p in page.prefixes] or None,
    }
    if delimiter:
        out["Delimiter"] = listing.encode(delimiter, encoding)
    if encoding:
        out["EncodingType"] = encoding
    if token is not None:
        out["ContinuationToken"] = token
    if req.get("StartAfter"):
        out["StartAfter"] = listing.encode(req["StartAfter"], encoding)
    if page.truncated:
        out["NextContinuationToken"] = base64.urlsafe_b64encode(page.last.encode()).decode()
    return out


def list_objects(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket = req["Bucket"]
    ctx.backend.bucket(bucket)
    prefix, delimiter, encoding = req.get("Prefix") or "", req.get("Delimiter") or "", req.get("EncodingType")
    marker = req.get("Marker") or ""
    max_keys = _max_keys(req)
    page = listing.walk(ctx.backend.objects(bucket, prefix), prefix, delimiter, marker, max_keys)
    out: dict[str, Any] = {
        "Name": bucket, "Prefix": listing.encode(prefix, encoding), "Marker": listing.encode(marker, encoding),
        "MaxKeys": max_keys, "IsTruncated": page.truncated,
        "Contents": [listing.entry(d, encoding, owner(ctx)) for d in page.contents] or None,
        "CommonPrefixes": [{"Prefix": listing.encode(p, encoding)} for p in page.prefixes] or None,
    }
    if delimiter:
        out["Delimiter"] = listing.encode(delimiter, encoding)
        if page.truncated:
            out["NextMarker"] = listing.encode(page.last, encoding)
    if encoding:
        out["EncodingType"] = encoding
    return out

"""PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects.

PutObject: the bytes go to a blob file first, then the document commits (see ``service``); the
checksums the request carries were verified against the payload by the wire and are stored; a
``ChecksumAlgorithm`` without a value has S3 compute it.  GetObject/HeadObject apply the conditional
headers, then the range, then the response-* overrides.  Deleting a missing key succeeds (204), as on S3.
"""

from __future__ import annotations

from typing import Any

from riverbed.core import checksums
from riverbed.core.payload import Payload
from riverbed.services.s3 import errors, tags, versions
from riverbed.services.s3 import objects as o
from riverbed.services.s3.blobs import BlobStore
from riverbed.services.s3.service import S3Context, S3Service


def put_object(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket, key = req["Bucket"], req["Key"]
    s3 = ctx.backend
    s3.bucket(bucket)
    o.check_write_conditions(s3.object(bucket, key), req, key)
    body: bytes | Payload = req.get("Body") or b""
    values = o.request_checksums(req)
    algorithm = (req.get("ChecksumAlgorithm") or "").upper()
    if algorithm in checksums.ALGORITHMS and algorithm not in values:
        values[algorithm] = body.checksum(algorithm) if isinstance(body, Payload) else \
            checksums.checksum(algorithm, body)
    blob, size, md5 = s3.blobs.store_body(body)
    doc = o.new_record(key, blob, size, o.quoted(md5), ctx.clock.now(), req)
    o.with_checksum(doc, values)
    found = tags.check(tags.tag_set(tags.from_header(req.get("Tagging"))), tags.MAX_OBJECT_TAGS)
    if found:
        doc["Tags"], doc["TagCount"] = found, len(found)
    s3.save_object(bucket, doc)
    out: dict[str, Any] = {"ETag": doc["ETag"], **o.checksum_fields(doc), **version_member(s3, bucket, doc)}
    return out


def version_member(s3: S3Service, bucket: str, doc: dict[str, Any]) -> dict[str, Any]:
    """``x-amz-version-id`` of a write: sent once the bucket has a versioning state ("null" when Suspended)."""
    return {"VersionId": doc["VersionId"]} if s3.bucket(bucket).get("Versioning") else {}


def _read(ctx: S3Context, req: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], tuple[int, int] | None]:
    method = "HEAD" if ctx.operation == "HeadObject" else "GET"
    doc = ctx.backend.version(req["Bucket"], req["Key"], req.get("VersionId"), method)
    o.check_read_conditions(doc, req)
    out = o.head_fields(doc, req)
    part = req.get("PartNumber")
    span = o.byte_range(req.get("Range"), doc["Size"])
    if part is not None:
        span = _part_span(doc, part)
    if span is not None:
        start, end = span
        out["ContentRange"] = f"bytes {start}-{end}/{doc['Size']}"
        out["ContentLength"] = end - start + 1
        if "ChecksumType" in out and (start, end) != (0, doc["Size"] - 1):
            for a in checksums.ALGORITHMS:   # a range's bytes have no stored checksum to check against
                out.pop(checksums.member_name(a), None)
            out.pop("ChecksumType")
    return doc, out, span


def _part_span(doc: dict[str, Any], part: int) -> tuple[int, int]:
    sizes = doc.get("PartSizes") or [doc["Size"]]
    if part < 1 or part > len(sizes):
        raise errors.invalid_range(f"parts={part}", doc["Size"]) if doc["Size"] else \
            errors.invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
                                    str(part))
    start = sum(sizes[:part - 1])
    return start, start + sizes[part - 1] - 1


def get_object(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    return ctx.backend.retry_gone(lambda: _get_object(ctx, req))


# Bodies larger than this are sent from their file as they are read (BodyStream), never whole in memory.
STREAMED_BODY = 1024 * 1024


def _get_object(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    doc, out, span = _read(ctx, req)
    start, end = span if span is not None else (0, doc["Size"] - 1)
    blobs = ctx.backend.blobs
    if doc["Size"] == 0:
        out["Body"] = b""
    elif end - start + 1 > STREAMED_BODY and isinstance(blobs, BlobStore):
        out["Body"] = blobs.stream(doc["Blob"], start, end)
    elif span is None:
        out["Body"] = blobs.read(doc["Blob"])
    else:
        out["Body"] = blobs.read(doc["Blob"], span[0], span[1])
    return out


def head_object(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    return _read(ctx, req)[1]


def delete_object(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.bucket(req["Bucket"])
    versions.check_id(req.get("VersionId"))
    existing = ctx.backend.object(req["Bucket"], req["Key"])
    if existing is not None and req.get("IfMatch") is not None and not o._etag_matches(req["IfMatch"],
                                                                                        existing["ETag"]):
        raise errors.precondition_failed("If-Match")
    return ctx.backend.delete_object(req["Bucket"], req["Key"], req.get("VersionId"))


def delete_objects(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket = req["Bucket"]
    ctx.backend.bucket(bucket)
    spec = req.get("Delete") or {}
    entries = spec.get("Objects") or []
    if not entries:
        raise errors.malformed_xml()
    if len(entries) > 1000:
        raise errors.malformed_xml()
    deleted: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        key, version_id = entry.get("Key", ""), entry.get("VersionId")
        if version_id is not None and version_id != versions.NULL and len(version_id) != versions.ID_LENGTH:
            # In a DeleteResult S3 reports a malformed id as NoSuchVersion (versity/versitygw#2119, from AWS).
            failed.append({"Key": key, "VersionId": version_id, "Code": "NoSuchVersion",
                           "Message": "The specified version does not exist."})
            continue
        result = ctx.backend.delete_object(bucket, key, version_id)
        item: dict[str, Any] = {"Key": key}
        if version_id is not None:
            item["VersionId"] = version_id
        if result.get("DeleteMarker"):
            item["DeleteMarker"] = True
            item["DeleteMarkerVersionId"] = result["VersionId"]
        deleted.append(item)
    out: dict[str, Any] = {}
    if not spec.get("Quiet"):
        out["Deleted"] = deleted or None
    if failed:
        out["Errors"] = failed
    return out

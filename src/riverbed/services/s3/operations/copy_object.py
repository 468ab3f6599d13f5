"""CopyObject: a new object from an existing one's bytes, with its metadata copied or replaced.

The source is ``bucket/key[?versionId=...]``, percent-encoded; copying an object onto itself without
changing anything is refused with S3's text; ``x-amz-copy-source-if-*`` conditions answer 412.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from riverbed.core import checksums
from riverbed.errors import ServiceError
from riverbed.services.s3 import errors, tags
from riverbed.services.s3 import objects as o
from riverbed.services.s3.operations.objects import version_member
from riverbed.services.s3.service import S3Context

_SELF_COPY = ("This copy request is illegal because it is trying to copy an object to itself without changing the "
              "object's metadata, storage class, website redirect location or encryption attributes.")


def parse_copy_source(source: str) -> tuple[str, str, str | None]:
    path, _, query = source.partition("?")
    path = unquote(path).lstrip("/")
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise errors.invalid_argument("Invalid copy source object key", "x-amz-copy-source", source)
    version = None
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "versionId":
            version = unquote(value)
    return bucket, key, version


def source_object(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket, key, version = parse_copy_source(req["CopySource"])
    try:
        doc = ctx.backend.version(bucket, key, version, "GET")
    except ServiceError as err:
        if err.code == "MethodNotAllowed":   # S3 API reference, CopyObject: a delete marker is no source
            raise errors.invalid_request("The source of a copy request may not specifically refer to a delete "
                                         "marker by version id.") from None
        raise
    o.check_read_conditions(doc, req, prefix="CopySourceIf")
    return doc


def copy_object(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    return ctx.backend.retry_gone(lambda: _copy_object(ctx, req))


def _copy_object(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    s3 = ctx.backend
    s3.bucket(req["Bucket"])
    src = source_object(ctx, req)
    src_bucket, src_key, _ = parse_copy_source(req["CopySource"])
    replace = req.get("MetadataDirective") == "REPLACE"
    if (src_bucket, src_key) == (req["Bucket"], req["Key"]) and not replace and not req.get("StorageClass") \
            and not req.get("WebsiteRedirectLocation") and not req.get("ServerSideEncryption") \
            and not req.get("ChecksumAlgorithm"):
        raise errors.invalid_request(_SELF_COPY)
    o.check_write_conditions(s3.object(req["Bucket"], req["Key"]), req, req["Key"])
    blob = s3.blobs.copy(src["Blob"])
    fields = req if replace else {**{k: src.get(k) for k in o.CONTENT_FIELDS}, "Metadata": src.get("Metadata"),
                                  "StorageClass": req.get("StorageClass") or src.get("StorageClass")}
    doc = o.new_record(req["Key"], blob, src["Size"], src["ETag"], ctx.clock.now(), fields)
    copied = tags.from_header(req.get("Tagging")) if req.get("TaggingDirective") == "REPLACE" else src.get("Tags")
    if copied:
        doc["Tags"], doc["TagCount"] = dict(copied), len(copied)
    for name in ("PartsCount", "PartSizes"):
        if src.get(name):
            doc[name] = src[name]
    algorithm = (req.get("ChecksumAlgorithm") or "").upper()
    if algorithm in checksums.ALGORITHMS:
        h = checksums.hasher(algorithm)
        for chunk in s3.blobs.chunks(blob):
            h.update(chunk)
        o.with_checksum(doc, {algorithm: checksums.encode(h.digest())})
    elif src.get("Checksums"):
        o.with_checksum(doc, dict(src["Checksums"]), src.get("ChecksumType", "FULL_OBJECT"))
    s3.save_object(req["Bucket"], doc)
    result: dict[str, Any] = {"ETag": doc["ETag"], "LastModified": doc["LastModified"]}
    result.update({k: v for k, v in o.checksum_fields(doc).items()})
    out: dict[str, Any] = {"CopyObjectResult": result, **version_member(s3, req["Bucket"], doc)}
    if s3.bucket(src_bucket).get("Versioning"):
        out["CopySourceVersionId"] = src["VersionId"]
    return out

"""What S3 keeps about an object and how it answers for it: ETags, checksums, headers, conditions, ranges.

Owns: the object document (key, blob id, size, ETag, last-modified time, the content headers and user
metadata it was written with, its checksums and checksum type, parts count), the ETag rule (the MD5 of
the bytes; for a multipart object the MD5 of the parts' binary MD5s followed by ``-N``), the
conditional-request rules of GetObject/HeadObject/PutObject/CopyObject
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html: If-Match wins over
If-Unmodified-Since, If-None-Match over If-Modified-Since, dates compared to the second), byte ranges
(``bytes=a-b``, ``bytes=a-``, ``bytes=-n``; a malformed range is ignored and the whole object served,
as S3 does), and the response-* overrides.

Must not: touch the store or the blob files (``service`` does).
"""

from __future__ import annotations

import re
from typing import Any

from riverbed.core import checksums
from riverbed.services.s3 import errors

# Content headers stored with an object and given back on GET/HEAD (request member = response member).
CONTENT_FIELDS = ("ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl",
                  "Expires", "WebsiteRedirectLocation")
OVERRIDES = {"ResponseContentType": "ContentType", "ResponseContentLanguage": "ContentLanguage",
             "ResponseExpires": "Expires", "ResponseCacheControl": "CacheControl",
             "ResponseContentDisposition": "ContentDisposition", "ResponseContentEncoding": "ContentEncoding"}
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def quoted(md5_hex: str) -> str:
    return f'"{md5_hex}"'


def new_record(key: str, blob: str, size: int, etag: str, now: float, req: dict[str, Any]) -> dict[str, Any]:
    """The document of an object written by PutObject/CompleteMultipartUpload/CopyObject ``req``."""
    doc: dict[str, Any] = {"Key": key, "Blob": blob, "Size": size, "ETag": etag, "LastModified": int(now),
                           "VersionId": "null", "StorageClass": req.get("StorageClass") or "STANDARD"}
    for name in CONTENT_FIELDS:
        if req.get(name) is not None:
            doc[name] = req[name]
    doc.setdefault("ContentType", DEFAULT_CONTENT_TYPE)
    doc["Metadata"] = {k.lower(): v for k, v in (req.get("Metadata") or {}).items()}
    return doc


def request_checksums(req: dict[str, Any]) -> dict[str, str]:
    """The checksums a write request carries (already verified against the payload by the wire)."""
    return {a: req[checksums.member_name(a)] for a in checksums.ALGORITHMS if req.get(checksums.member_name(a))}


def with_checksum(doc: dict[str, Any], values: dict[str, str], checksum_type: str = "FULL_OBJECT") -> None:
    if values:
        doc["Checksums"] = values
        doc["ChecksumType"] = checksum_type


def checksum_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """``ChecksumCRC32: ...`` members (and ``ChecksumType``) of an object, for answers that include them."""
    out: dict[str, Any] = {checksums.member_name(a): v for a, v in (doc.get("Checksums") or {}).items()}
    if out:
        out["ChecksumType"] = doc.get("ChecksumType", "FULL_OBJECT")
    return out


def head_fields(doc: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    """The GetObject/HeadObject answer's header members for an object."""
    out: dict[str, Any] = {"LastModified": doc["LastModified"], "ETag": doc["ETag"], "ContentLength": doc["Size"],
                           "AcceptRanges": "bytes", "Metadata": dict(doc.get("Metadata") or {})}
    for name in CONTENT_FIELDS:
        if doc.get(name) is not None:
            out[name] = doc[name]
    if doc.get("StorageClass", "STANDARD") != "STANDARD":
        out["StorageClass"] = doc["StorageClass"]
    if doc.get("VersionId") not in (None, "null"):
        out["VersionId"] = doc["VersionId"]
    if doc.get("PartsCount") and req.get("PartNumber") is not None:   # named only when a part is asked for
        out["PartsCount"] = doc["PartsCount"]
    if doc.get("TagCount"):
        out["TagCount"] = doc["TagCount"]
    if req.get("ChecksumMode") == "ENABLED":
        out.update(checksum_fields(doc))
    for override, field in OVERRIDES.items():
        if req.get(override) is not None:
            out[field] = req[override]
    return out


def _seconds(value: Any) -> int:
    return int(float(value))


def check_read_conditions(doc: dict[str, Any], req: dict[str, Any], prefix: str = "If") -> None:
    """412/304 for GET/HEAD conditions (``prefix="CopySourceIf"`` for CopyObject's source: 412 only)."""
    etag, modified = doc["ETag"], _seconds(doc["LastModified"])
    match, none_match = req.get(prefix + "Match"), req.get(prefix + "NoneMatch")
    since, unmodified = req.get(prefix + "ModifiedSince"), req.get(prefix + "UnmodifiedSince")
    header = "x-amz-copy-source-If" if prefix != "If" else "If"
    if match is not None:
        if not _etag_matches(match, etag):
            raise errors.precondition_failed(f"{header}-Match")
    elif unmodified is not None and modified > _seconds(unmodified):
        raise errors.precondition_failed(f"{header}-Unmodified-Since")
    failed = errors.not_modified if prefix == "If" else None
    if none_match is not None:
        if _etag_matches(none_match, etag):
            raise failed() if failed else errors.precondition_failed(f"{header}-None-Match")
    elif since is not None and modified <= _seconds(since):
        raise failed() if failed else errors.precondition_failed(f"{header}-Modified-Since")


def check_write_conditions(existing: dict[str, Any] | None, req: dict[str, Any], key: str) -> None:
    """Conditional writes: ``If-None-Match: *`` refuses to overwrite, ``If-Match`` needs that ETag."""
    if req.get("IfNoneMatch") is not None and existing is not None:
        raise errors.precondition_failed("If-None-Match")
    match = req.get("IfMatch")
    if match is not None:
        if existing is None:
            raise errors.no_such_key(key)
        if not _etag_matches(match, existing["ETag"]):
            raise errors.precondition_failed("If-Match")


def _etag_matches(condition: str, etag: str) -> bool:
    wanted = {c.strip() for c in condition.split(",")}
    return "*" in wanted or etag in wanted or etag.strip('"') in {w.strip('"') for w in wanted}


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Inclusive ``(start, end)`` for a Range header, None to serve everything; 416 when unsatisfiable."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return None
    if not m.group(1):
        length = int(m.group(2))
        if length == 0:
            raise errors.invalid_range(header, size)
        return max(0, size - length), size - 1
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if m.group(2) and end < start:
        return None
    if start >= size:
        raise errors.invalid_range(header, size)
    return start, min(end, size - 1)

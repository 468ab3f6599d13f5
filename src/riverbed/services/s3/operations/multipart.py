"""CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload,
ListParts, ListMultipartUploads.

Each part is its own blob and its own document (``s3-part``), so parts uploaded concurrently never
overwrite each other's bookkeeping; Complete joins the chosen parts into one new blob, commits the
object and drops the upload in one transaction, then deletes the part blobs.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from riverbed import ids
from riverbed.core import checksums
from riverbed.core.payload import Payload
from riverbed.services.s3 import errors, multipart, tags
from riverbed.services.s3 import objects as o
from riverbed.services.s3.operations.buckets import owner
from riverbed.services.s3.operations.copy_object import source_object
from riverbed.services.s3.operations.objects import version_member
from riverbed.services.s3.service import PART, UPLOAD, S3Context
from riverbed.storage.base import Txn


def _upload(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.bucket(req["Bucket"])
    doc = ctx.store.get_doc(UPLOAD, f"{req['Bucket']}/{req['UploadId']}")
    if doc is None or doc["Key"] != req["Key"]:
        raise errors.no_such_upload(req["UploadId"])
    return doc


def _parts(ctx: S3Context, bucket: str, upload_id: str) -> dict[int, dict[str, Any]]:
    return {d["PartNumber"]: d for _, d in ctx.store.list_docs(PART, f"{bucket}/{upload_id}/")}


def create_multipart_upload(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket, key = req["Bucket"], req["Key"]
    ctx.backend.bucket(bucket)
    algorithm = (req.get("ChecksumAlgorithm") or "").upper() or None
    kind = multipart.checksum_type(algorithm, req.get("ChecksumType"))
    if kind == "FULL_OBJECT" and algorithm in ("SHA1", "SHA256"):
        raise errors.invalid_request(f"The FULL_OBJECT checksum type cannot be used with the {algorithm.lower()} "
                                     "checksum algorithm.")
    upload_id = base64.urlsafe_b64encode(ids.new_uuid().encode()).decode().rstrip("=")
    doc = {"Key": key, "UploadId": upload_id, "Initiated": ctx.clock.now(), "ChecksumAlgorithm": algorithm,
           "ChecksumType": kind, "Request": {k: v for k, v in req.items() if k != "Body"}}
    with ctx.store.transaction() as txn:
        txn.put_doc(UPLOAD, f"{bucket}/{upload_id}", doc)
    out: dict[str, Any] = {"Bucket": bucket, "Key": key, "UploadId": upload_id}
    if algorithm:
        out["ChecksumAlgorithm"] = algorithm
        out["ChecksumType"] = kind
    return out


def _save_part(ctx: S3Context, req: dict[str, Any], blob: str, size: int, etag: str,
               values: dict[str, str]) -> dict[str, Any]:
    number = req["PartNumber"]
    key = f"{req['Bucket']}/{req['UploadId']}/{number:05d}"
    part = {"PartNumber": number, "Blob": blob, "Size": size, "ETag": etag, "LastModified": int(ctx.clock.now()),
            "Checksums": values}
    with ctx.store.transaction() as txn:
        old = txn.get_doc(PART, key)
        txn.put_doc(PART, key, part)
    if old is not None:
        ctx.backend.blobs.delete(old["Blob"])
    return part


def _part_checksums(upload: dict[str, Any], values: dict[str, str], data_chunks: list[bytes]) -> dict[str, str]:
    algorithm = upload.get("ChecksumAlgorithm")
    if algorithm and algorithm not in values:
        h = checksums.hasher(algorithm)
        for chunk in data_chunks:
            h.update(chunk)
        values[algorithm] = checksums.encode(h.digest())
    return values


def upload_part(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    upload = _upload(ctx, req)
    multipart.check_part_number(req["PartNumber"])
    body: bytes | Payload = req.get("Body") or b""
    values = o.request_checksums(req)
    algorithm = upload.get("ChecksumAlgorithm")
    if isinstance(body, Payload) and algorithm and algorithm not in values:
        values[algorithm] = body.checksum(algorithm)   # computed as it arrived when the request named it
    values = _part_checksums(upload, values, [body] if isinstance(body, bytes) else [])
    blob, size, md5 = ctx.backend.blobs.store_body(body)
    part = _save_part(ctx, req, blob, size, o.quoted(md5), values)
    return {"ETag": part["ETag"], **{checksums.member_name(a): v for a, v in values.items()}}


def upload_part_copy(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    return ctx.backend.retry_gone(lambda: _upload_part_copy(ctx, req))


def _upload_part_copy(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    upload = _upload(ctx, req)
    multipart.check_part_number(req["PartNumber"])
    src = source_object(ctx, req)
    span = o.byte_range(req.get("CopySourceRange"), src["Size"])
    data = ctx.backend.blobs.read(src["Blob"], *span) if span else ctx.backend.blobs.read(src["Blob"])
    values = _part_checksums(upload, {}, [data])
    blob = ctx.backend.blobs.write(data)
    part = _save_part(ctx, req, blob, len(data), o.quoted(hashlib.md5(data).hexdigest()), values)
    result = {"ETag": part["ETag"], "LastModified": part["LastModified"],
              **{checksums.member_name(a): v for a, v in values.items()}}
    return {"CopyPartResult": result}


def complete_multipart_upload(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    return ctx.backend.retry_gone(lambda: _complete_multipart_upload(ctx, req))


def _complete_multipart_upload(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket, key, upload_id = req["Bucket"], req["Key"], req["UploadId"]
    s3 = ctx.backend
    upload = _upload(ctx, req)
    stored = _parts(ctx, bucket, upload_id)
    chosen = multipart.check_completion(upload, stored, (req.get("MultipartUpload") or {}).get("Parts") or [])
    o.check_write_conditions(s3.object(bucket, key), req, key)
    algorithm, kind = upload.get("ChecksumAlgorithm"), upload.get("ChecksumType")
    whole = checksums.hasher(algorithm) if algorithm and kind == "FULL_OBJECT" else None

    def chunks() -> Any:
        for part in chosen:
            yield from s3.blobs.chunks(part["Blob"])

    blob = s3.blobs.write_chunks(chunks(), whole.update if whole else None)
    etag = multipart.multipart_etag([p["ETag"] for p in chosen])
    doc = o.new_record(key, blob, sum(p["Size"] for p in chosen), etag, ctx.clock.now(), upload["Request"])
    found = tags.from_header(upload["Request"].get("Tagging"))
    if found:
        doc["Tags"], doc["TagCount"] = found, len(found)
    doc["PartsCount"] = len(chosen)
    doc["PartSizes"] = [p["Size"] for p in chosen]
    if algorithm and whole is not None:
        o.with_checksum(doc, {algorithm: checksums.encode(whole.digest())}, "FULL_OBJECT")
    elif algorithm and all(algorithm in (p.get("Checksums") or {}) for p in chosen):
        o.with_checksum(doc, {algorithm: multipart.composite(algorithm, [p["Checksums"][algorithm] for p in chosen])},
                        "COMPOSITE")

    def drop_upload(txn: Txn) -> None:
        txn.delete_doc(UPLOAD, f"{bucket}/{upload_id}")
        for number in stored:
            txn.delete_doc(PART, f"{bucket}/{upload_id}/{number:05d}")

    s3.save_object(bucket, doc, also=drop_upload)
    for part in stored.values():
        s3.blobs.delete(part["Blob"])
    return {"Location": f"http://{ctx.host}/{bucket}/{key}", "Bucket": bucket, "Key": key, "ETag": etag,
            **o.checksum_fields(doc), **version_member(s3, bucket, doc)}


def abort_multipart_upload(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket, upload_id = req["Bucket"], req["UploadId"]
    _upload(ctx, req)
    stored = _parts(ctx, bucket, upload_id)
    with ctx.store.transaction() as txn:
        txn.delete_doc(UPLOAD, f"{bucket}/{upload_id}")
        for number in stored:
            txn.delete_doc(PART, f"{bucket}/{upload_id}/{number:05d}")
    for part in stored.values():
        ctx.backend.blobs.delete(part["Blob"])
    return {}


def list_parts(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    upload = _upload(ctx, req)
    marker = req.get("PartNumberMarker") or 0
    marker = int(marker)
    limit = min(req.get("MaxParts") or 1000, 1000)
    parts = [p for n, p in sorted(_parts(ctx, req["Bucket"], req["UploadId"]).items()) if n > marker]
    page = parts[:limit]
    out: dict[str, Any] = {
        "Bucket": req["Bucket"], "Key": req["Key"], "UploadId": req["UploadId"], "PartNumberMarker": marker,
        "MaxParts": limit, "IsTruncated": len(parts) > limit, "StorageClass": "STANDARD",
        "Initiator": owner(ctx), "Owner": owner(ctx),
        "Parts": [{"PartNumber": p["PartNumber"], "LastModified": p["LastModified"], "ETag": p["ETag"],
                   "Size": p["Size"], **{checksums.member_name(a): v for a, v in (p.get("Checksums") or {}).items()}}
                  for p in page] or None,
    }
    if page:
        out["NextPartNumberMarker"] = page[-1]["PartNumber"]
    if upload.get("ChecksumAlgorithm"):
        out["ChecksumAlgorithm"] = upload["ChecksumAlgorithm"]
        out["ChecksumType"] = upload["ChecksumType"]
    return out


def list_multipart_uploads(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket = req["Bucket"]
    ctx.backend.bucket(bucket)
    prefix = req.get("Prefix") or ""
    limit = min(req.get("MaxUploads") or 1000, 1000)
    key_marker, id_marker = req.get("KeyMarker") or "", req.get("UploadIdMarker") or ""
    uploads = sorted((d for _, d in ctx.store.list_docs(UPLOAD, f"{bucket}/")),
                     key=lambda d: (d["Key"], d["Initiated"], d["UploadId"]))
    uploads = [u for u in uploads if u["Key"].startswith(prefix)
               and (u["Key"] > key_marker or (u["Key"] == key_marker and id_marker and u["UploadId"] > id_marker))]
    page = uploads[:limit]
    out: dict[str, Any] = {
        "Bucket": bucket, "KeyMarker": key_marker, "UploadIdMarker": id_marker, "MaxUploads": limit,
        "IsTruncated": len(uploads) > limit, "Prefix": prefix or None,
        "Uploads": [{"UploadId": u["UploadId"], "Key": u["Key"], "Initiated": u["Initiated"],
                     "StorageClass": "STANDARD", "Owner": owner(ctx), "Initiator": owner(ctx),
                     **({"ChecksumAlgorithm": u["ChecksumAlgorithm"], "ChecksumType": u["ChecksumType"]}
                        if u.get("ChecksumAlgorithm") else {})} for u in page] or None,
    }
    if len(uploads) > limit:
        out["NextKeyMarker"] = page[-1]["Key"]
        out["NextUploadIdMarker"] = page[-1]["UploadId"]
    return out

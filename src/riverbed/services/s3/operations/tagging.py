"""PutBucketTagging, GetBucketTagging, DeleteBucketTagging, PutObjectTagging, GetObjectTagging,
DeleteObjectTagging.  A bucket without tags answers NoSuchTagSet; an object without tags an empty set."""

from __future__ import annotations

from typing import Any

from riverbed.errors import ServiceError
from riverbed.services.s3 import tags
from riverbed.services.s3.service import BUCKET, S3Context


def _update_bucket(ctx: S3Context, name: str, field: str, value: Any) -> None:
    ctx.backend.bucket(name)
    with ctx.store.transaction() as txn:
        doc = txn.get_doc(BUCKET, name)
        if doc is not None:
            if value is None:
                doc.pop(field, None)
            else:
                doc[field] = value
            txn.put_doc(BUCKET, name, doc)


def put_bucket_tagging(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    found = tags.check((req.get("Tagging") or {}).get("TagSet") or [], tags.MAX_BUCKET_TAGS)
    _update_bucket(ctx, req["Bucket"], "Tags", found)
    return {}


def get_bucket_tagging(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    found = ctx.backend.bucket(req["Bucket"]).get("Tags")
    if not found:
        raise ServiceError("The TagSet does not exist", code="NoSuchTagSet", status=404,
                           extra={"BucketName": req["Bucket"]})
    return {"TagSet": tags.tag_set(found)}


def delete_bucket_tagging(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    _update_bucket(ctx, req["Bucket"], "Tags", None)
    return {}


def _update_object(ctx: S3Context, req: dict[str, Any], found: dict[str, str]) -> dict[str, Any]:
    def change(doc: dict[str, Any]) -> None:
        doc["Tags"] = found
        doc["TagCount"] = len(found)

    doc = ctx.backend.update_version(req["Bucket"], req["Key"], req.get("VersionId"), change)
    out: dict[str, Any] = {}
    if doc.get("VersionId") not in (None, "null"):
        out["VersionId"] = doc["VersionId"]
    return out


def put_object_tagging(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    found = tags.check((req.get("Tagging") or {}).get("TagSet") or [], tags.MAX_OBJECT_TAGS)
    return _update_object(ctx, req, found)


def get_object_tagging(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.version(req["Bucket"], req["Key"], req.get("VersionId"), "GET")
    out: dict[str, Any] = {"TagSet": tags.tag_set(doc.get("Tags") or {})}
    if doc.get("VersionId") not in (None, "null"):
        out["VersionId"] = doc["VersionId"]
    return out


def delete_object_tagging(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    return _update_object(ctx, req, {})

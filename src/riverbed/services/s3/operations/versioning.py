"""PutBucketVersioning, GetBucketVersioning, ListObjectVersions.

A bucket starts unversioned; once Enabled or Suspended it never returns to that state, and
GetBucketVersioning answers no ``Status`` until it was first set
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html).  ListObjectVersions
walks keys in UTF-8 binary order and each key's versions newest first; every version, delete marker
or new common prefix counts towards ``MaxKeys``; ``KeyMarker`` alone resumes after that key's last
version, ``KeyMarker`` + ``VersionIdMarker`` after that version
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.s3 import errors, listing, versions
from riverbed.services.s3.operations.buckets import owner
from riverbed.services.s3.operations.listing import _max_keys
from riverbed.services.s3.service import BUCKET, S3Context


def put_bucket_versioning(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket = req["Bucket"]
    ctx.backend.bucket(bucket)
    status = (req.get("VersioningConfiguration") or {}).get("Status")
    if status not in (versions.ENABLED, versions.SUSPENDED):
        raise errors.malformed_xml()
    with ctx.store.transaction() as txn:
        doc = txn.get_doc(BUCKET, bucket)
        if doc is None:
            raise errors.no_such_bucket(bucket)
        doc["Versioning"] = status
        txn.put_doc(BUCKET, bucket, doc)
    return {}


def get_bucket_versioning(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    status = ctx.backend.bucket(req["Bucket"]).get("Versioning")
    return {"Status": status} if status else {}


def list_object_versions(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    bucket = req["Bucket"]
    ctx.backend.bucket(bucket)
    prefix, delimiter, encoding = req.get("Prefix") or "", req.get("Delimiter") or "", req.get("EncodingType")
    key_marker, id_marker = req.get("KeyMarker") or "", req.get("VersionIdMarker") or ""
    if id_marker and not key_marker:
        raise errors.invalid_argument("A version-id marker cannot be specified without a key marker.",
                                      "version-id-marker", id_marker)
    if id_marker:
        versions.check_id(id_marker)
    max_keys = _max_keys(req)
    me = owner(ctx)
    found: list[dict[str, Any]] = []
    markers: list[dict[str, Any]] = []
    prefixes: list[str] = []
    truncated = False
    next_key = next_id = ""
    for key, chain in ctx.backend.versioned_keys(bucket, prefix):
        if key < key_marker or (key == key_marker and not id_marker):
            continue
        if delimiter and (cut := key.find(delimiter, len(prefix))) >= 0:
            common = key[:cut + len(delimiter)]
            if common <= key_marker or (prefixes and prefixes[-1] == common):
                continue
            if len(found) + len(markers) + len(prefixes) >= max_keys:
                truncated = True
                break
            prefixes.append(common)
            next_key, next_id = common, ""
            continue
        start = 0
        if key == key_marker:
            at = next((i for i, v in enumerate(chain) if v["VersionId"] == id_marker), None)
            start = len(chain) if at is None else at + 1
        for position, version in enumerate(chain[start:], start):
            if len(found) + len(markers) + len(prefixes) >= max_keys:
                truncated = True
                break
            entry: dict[str, Any] = {"Key": listing.encode(key, encoding), "VersionId": version["VersionId"],
                                     "IsLatest": position == 0, "LastModified": version["LastModified"],
                                     "Owner": me}
            if versions.is_marker(version):
                markers.append(entry)
            else:
                plain = listing.entry(version, encoding)
                found.append({**entry, **{k: plain[k] for k in ("ETag", "Size", "StorageClass",
                                                                "ChecksumAlgorithm", "ChecksumType") if k in plain}})
            next_key, next_id = key, version["VersionId"]
        if truncated:
            break
    out: dict[str, Any] = {
        "Name": bucket, "Prefix": listing.encode(prefix, encoding), "KeyMarker": listing.encode(key_marker, encoding),
        "VersionIdMarker": id_marker, "MaxKeys": max_keys, "IsTruncated": truncated,
        "Versions": found or None, "DeleteMarkers": markers or None,
        "CommonPrefixes": [{"Prefix": listing.encode(p, encoding)} for p in prefixes] or None,
    }
    if delimiter:
        out["Delimiter"] = listing.encode(delimiter, encoding)
    if encoding:
        out["EncodingType"] = encoding
    if truncated:
        out["NextKeyMarker"] = listing.encode(next_key, encoding)
        if next_id:
            out["NextVersionIdMarker"] = next_id
    return out

"""CreateBucket, HeadBucket, ListBuckets, DeleteBucket, GetBucketLocation.

Re-creating a bucket you own answers 200 in us-east-1 and BucketAlreadyOwnedByYou elsewhere; a
name another account holds answers BucketAlreadyExists
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html).
"""

from __future__ import annotations

import base64
from typing import Any

from riverbed.errors import ServiceError
from riverbed.services.s3 import buckets, errors
from riverbed.services.s3.service import BUCKET, HISTORY, OBJECT, S3Context


def owner(ctx: S3Context) -> dict[str, str]:
    return {"DisplayName": "webfile", "ID": ctx.account.rjust(64, "0")}


def create_bucket(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    name = req["Bucket"]
    buckets.check_name(name)
    config = req.get("CreateBucketConfiguration") or {}
    region = buckets.check_location(ctx.region, config.get("LocationConstraint"))
    existing = ctx.store.get_doc(BUCKET, name)
    if existing is not None:
        if existing["Account"] != ctx.account:
            raise ServiceError("The requested bucket name is not available. The bucket namespace is shared by all "
                               "users of the system. Please select a different name and try again.",
                               code="BucketAlreadyExists", status=409, extra={"BucketName": name})
        if ctx.region != "us-east-1":
            raise ServiceError("Your previous request to create the named bucket succeeded and you already own it.",
                               code="BucketAlreadyOwnedByYou", status=409, extra={"BucketName": name})
        return {"Location": f"/{name}"}
    with ctx.store.transaction() as txn:
        txn.put_doc(BUCKET, name, {"Name": name, "Account": ctx.account, "Region": region,
                                   "CreationDate": ctx.clock.now()})
    return {"Location": f"/{name}"}


def head_bucket(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.bucket(req["Bucket"])
    return {"BucketRegion": doc["Region"]}


def list_buckets(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    prefix = req.get("Prefix") or ""
    after = base64.urlsafe_b64decode(req["ContinuationToken"]).decode() if req.get("ContinuationToken") else ""
    limit = req.get("MaxBuckets") or 10000
    docs = [d for _, d in ctx.store.list_docs(BUCKET, prefix) if d["Account"] == ctx.account
            and d["Name"] > after and (not req.get("BucketRegion") or d["Region"] == req["BucketRegion"])]
    out: dict[str, Any] = {
        "Buckets": [{"Name": d["Name"], "CreationDate": d["CreationDate"], "BucketRegion": d["Region"]}
                    for d in docs[:limit]],
        "Owner": owner(ctx)}
    if prefix:
        out["Prefix"] = prefix
    if len(docs) > limit:
        out["ContinuationToken"] = base64.urlsafe_b64encode(docs[limit - 1]["Name"].encode()).decode()
    return out


def delete_bucket(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    name = req["Bucket"]
    ctx.backend.bucket(name)
    with ctx.store.transaction() as txn:
        if txn.list_docs(OBJECT, f"{name}/") or txn.list_docs(HISTORY, f"{name}/"):
            raise errors.bucket_not_empty(name)
        txn.delete_doc(BUCKET, name)
    return {}


def get_bucket_location(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    region = ctx.backend.bucket(req["Bucket"])["Region"]
    # us-east-1 buckets answer an empty <LocationConstraint/> (botocore reads it as None).
    return {"LocationConstraint": "" if region == "us-east-1" else region}

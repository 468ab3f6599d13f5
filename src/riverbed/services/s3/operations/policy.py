"""PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy: the policy document is kept as given.

riverbed does not evaluate bucket policies (every signed request is allowed); it checks that the text
is a JSON object, as S3 does before anything else, and gives it back byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

from riverbed.errors import ServiceError
from riverbed.services.s3.operations.tagging import _update_bucket
from riverbed.services.s3.service import S3Context


def put_bucket_policy(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    text = req.get("Policy") or ""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not text.lstrip().startswith("{"):
        raise ServiceError("Policies must be valid JSON and the first byte must be '{'", code="MalformedPolicy")
    _update_bucket(ctx, req["Bucket"], "Policy", text)
    return {}


def get_bucket_policy(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    text = ctx.backend.bucket(req["Bucket"]).get("Policy")
    if text is None:
        raise ServiceError("The bucket policy does not exist", code="NoSuchBucketPolicy", status=404,
                           extra={"BucketName": req["Bucket"]})
    return {"Policy": text}


def delete_bucket_policy(ctx: S3Context, req: dict[str, Any]) -> dict[str, Any]:
    _update_bucket(ctx, req["Bucket"], "Policy", None)
    return {}

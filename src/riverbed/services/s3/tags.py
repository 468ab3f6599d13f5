"""Tag sets of buckets and objects: their limits and S3's texts, and the ``x-amz-tagging`` header form.

Limits: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html (10 per object, keys
up to 128 and values up to 256 characters) and 50 per bucket.

Must not: store anything.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from riverbed.errors import ServiceError

MAX_OBJECT_TAGS = 10
MAX_BUCKET_TAGS = 50


def from_header(value: str | None) -> dict[str, str]:
    """``k1=v1&k2=v2`` (PutObject's ``x-amz-tagging``) as a dict."""
    return dict(parse_qsl(value or "", keep_blank_values=True))


def check(tag_set: list[dict[str, Any]], limit: int) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in tag_set:
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if key in tags:
            raise ServiceError("Cannot provide multiple Tags with the same key", code="InvalidTag")
        if not key or len(key) > 128:
            raise ServiceError("The TagKey you have provided is invalid", code="InvalidTag")
        if len(value) > 256:
            raise ServiceError("The TagValue you have provided is invalid", code="InvalidTag")
        tags[key] = value
    if len(tags) > limit:
        if limit == MAX_OBJECT_TAGS:
            raise ServiceError("Object tags cannot be greater than 10", code="BadRequest")
        raise ServiceError("Bucket tag count cannot be greater than 50", code="BadRequest")
    return tags


def tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]

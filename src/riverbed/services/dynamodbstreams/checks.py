"""Request checks shared by the DynamoDB Streams operations: stream ARNs, page limits, shard filters.

Owns: telling a malformed stream ARN (ValidationException, "Invalid StreamArn") from a well-formed one that
names no stream (ResourceNotFoundException), and the upper bounds of ``Limit`` that the botocore model does
not carry (it only says ``min 1``).  Must not: read records or shards beyond looking a stream up.

Sources: ScyllaDB Alternator's test/alternator/test_streams.py, run against DynamoDB
(test_describe_nonexistent_stream, test_get_shard_iterator_for_nonexistent_stream,
test_list_streams_with_nonexistent_last_stream: a string that is not a stream ARN is a ValidationException);
the text "Invalid StreamArn" is DynamoDB's (amazon-archives/logstash-input-dynamodb#18, an AWS error
quoted in full).  The Limit bounds are the API reference's ("The upper limit is 100" / "1000").
"""

from __future__ import annotations

import re
from typing import Any

from riverbed.errors import ResourceNotFoundException, ValidationException

__all__ = ["check_limit", "check_shard_filter", "check_stream_arn", "require_stream"]

# arn:<partition>:dynamodb:<region>:<account>:table/<table name>/stream/<label>
_STREAM_ARN = re.compile(r"arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[a-zA-Z0-9_.-]{3,255}/stream/\S+")


def check_stream_arn(arn: str) -> None:
    """ValidationException unless ``arn`` has the shape of a DynamoDB stream ARN."""
    if _STREAM_ARN.fullmatch(arn) is None:
        raise ValidationException("Invalid StreamArn")


def require_stream(ctx: Any, arn: str) -> Any:
    """The stream named by a well-formed ARN, or ResourceNotFoundException (recorded AWS text)."""
    check_stream_arn(arn)
    stream = ctx.backend.streams.get(arn)
    if stream is None:
        raise ResourceNotFoundException(f"Requested resource not found: Stream: {arn} not found")
    return stream


def check_limit(req: dict[str, Any], upper: int) -> int:
    """The request's ``Limit`` (default ``upper``), or AWS's constraint error when it is above ``upper``."""
    limit = req.get("Limit")
    if limit is None:
        return upper
    if limit > upper:
        raise ValidationException(f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                                  f"constraint: Member must have value less than or equal to {upper}")
    return int(limit)


def check_shard_filter(shard_filter: dict[str, Any] | None) -> None:
    """A ShardFilter needs both members (the model marks neither required; DynamoDB rejects either missing)."""
    if shard_filter is None:
        return
    missing = [name for name in ("Type", "ShardId") if shard_filter.get(name) is None]
    if missing:
        parts = [f"Value null at 'shardFilter.{name[:1].lower()}{name[1:]}' failed to satisfy constraint: "
                 "Member must not be null" for name in missing]
        count = len(parts)
        raise ValidationException(f"{count} validation error{'s' if count > 1 else ''} detected: "
                                  + "; ".join(parts))

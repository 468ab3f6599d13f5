"""DescribeStream. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ResourceNotFoundException, ValidationException
from riverbed.services.dynamodbstreams.service import StreamsContext


def require_stream(ctx: StreamsContext, arn: str) -> Any:
    stream = ctx.backend.streams.get(arn)
    if stream is None:
        raise ResourceNotFoundException(f"Requested resource not found: Stream: {arn} not found")
    return stream


def describe_stream(ctx: StreamsContext, req: dict[str, Any]) -> dict[str, Any]:
    limit = req.get("Limit", 100)
    if limit > 100:
        raise ValidationException("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: "
                                  "Member must have value less than or equal to 100" % limit)
    stream = require_stream(ctx, req["StreamArn"])
    shards = list(stream.shards)
    shard_filter = req.get("ShardFilter")
    if shard_filter and shard_filter.get("Type") == "CHILD_SHARDS":
        parent = shard_filter.get("ShardId")
        shards = [s for s in shards if s.parent == parent]
    start = req.get("ExclusiveStartShardId")
    if start:
        ids = [s.shard_id for s in shards]
        if start not in ids:
            raise ResourceNotFoundException(f"Requested resource not found: Shard: {start} not found")
        shards = shards[ids.index(start) + 1:]
    page = shards[:limit]
    desc = stream.describe()
    desc["Shards"] = [s.describe() for s in page]
    if len(shards) > limit:
        desc["LastEvaluatedShardId"] = page[-1].shard_id
    return {"StreamDescription": desc}

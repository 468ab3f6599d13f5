"""DescribeStream. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html"""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodbstreams.checks import check_limit, check_shard_filter, require_stream
from riverbed.services.dynamodbstreams.service import StreamsContext

__all__ = ["describe_stream", "require_stream"]


def describe_stream(ctx: StreamsContext, req: dict[str, Any]) -> dict[str, Any]:
    limit = check_limit(req, 100)
    shard_filter = req.get("ShardFilter")
    check_shard_filter(shard_filter)
    stream = require_stream(ctx, req["StreamArn"])
    shards = list(stream.shards)
    if shard_filter is not None and shard_filter["Type"] == "CHILD_SHARDS":
        parent = shard_filter["ShardId"]
        shards = [s for s in shards if s.parent == parent]
    start = req.get("ExclusiveStartShardId")
    if start:
        # An unknown ExclusiveStartShardId is not an error: DynamoDB answers with no further shards
        # (Alternator test_streams.py::test_describe_stream_with_nonexistent_last_shard, run against DynamoDB).
        ids = [s.shard_id for s in shards]
        shards = shards[ids.index(start) + 1:] if start in ids else []
    page = shards[:limit]
    desc = stream.describe()
    desc["Shards"] = [s.describe() for s in page]
    if len(shards) > limit:
        desc["LastEvaluatedShardId"] = page[-1].shard_id
    return {"StreamDescription": desc}

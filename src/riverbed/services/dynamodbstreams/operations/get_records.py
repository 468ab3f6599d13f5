"""GetRecords: up to 1,000 records or 1 MB from an iterator's position; no NextShardIterator past a closed end.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html
"""

from __future__ import annotations

from typing import Any

import orjson

from riverbed.errors import ResourceNotFoundException, TrimmedDataAccessException
from riverbed.services.dynamodbstreams.checks import check_limit
from riverbed.services.dynamodbstreams.service import StreamsContext
from riverbed.streams.iterators import Position

MAX_BYTES = 1024 * 1024


def get_records(ctx: StreamsContext, req: dict[str, Any]) -> dict[str, Any]:
    # Above 1000 is a ValidationException naming the limit, not LimitExceededException (issue 16).
    limit = check_limit(req, 1000)
    now = ctx.clock.now()
    pos = ctx.backend.iterators.decode(req["ShardIterator"], now)
    log = ctx.backend.streams
    stream = log.get(pos.stream_arn)
    shard = stream.shard(pos.shard_id) if stream is not None else None
    if stream is None or shard is None:
        raise ResourceNotFoundException(f"Requested resource not found: Shard: {pos.shard_id} in Stream: "
                                        f"{pos.stream_arn} not found")
    ctx.backend.key_check(stream.arn)
    if pos.seq < shard.trimmed_below:
        raise TrimmedDataAccessException("The operation attempted to read past the oldest stream record in a shard.")
    rows, nxt = log.read(shard, pos.seq, limit, MAX_BYTES)
    records = [orjson.loads(data) for _, _, data in rows]
    out: dict[str, Any] = {"Records": records}
    if not log.finished(shard, nxt):
        out["NextShardIterator"] = ctx.backend.iterators.encode(Position(stream.arn, shard.shard_id, nxt, now))
    ctx.backend.records_read(stream, len(records), sum(len(d) for _, _, d in rows))
    return out

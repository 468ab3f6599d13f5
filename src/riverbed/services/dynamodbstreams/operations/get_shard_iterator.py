"""GetShardIterator. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html"""

from __future__ import annotations

from typing import Any

from riverbed import ids
from riverbed.errors import ResourceNotFoundException, TrimmedDataAccessException, ValidationException
from riverbed.services.dynamodbstreams.operations.describe_stream import require_stream
from riverbed.services.dynamodbstreams.service import StreamsContext
from riverbed.streams.iterators import Position


def get_shard_iterator(ctx: StreamsContext, req: dict[str, Any]) -> dict[str, Any]:
    log = ctx.backend.streams
    stream = require_stream(ctx, req["StreamArn"])
    shard = stream.shard(req["ShardId"])
    if shard is None:
        raise ResourceNotFoundException(f"Requested resource not found: Shard: {req['ShardId']} in Stream: "
                                        f"{stream.arn} not found")
    kind = req["ShardIteratorType"]
    seq_text = req.get("SequenceNumber")
    if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        if seq_text is None:
            raise ValidationException(f"SequenceNumber must be specified for iterator type {kind}")
        try:
            seq = ids.sequence_counter(seq_text)
        except ValueError:
            raise ValidationException(f"Invalid SequenceNumber: {seq_text}") from None
        upper = shard.end if shard.end is not None else log.latest_position(shard)
        if seq < shard.start or seq > upper:
            raise ValidationException(f"Invalid SequenceNumber {seq_text} for shard {shard.shard_id}: the sequence "
                                      "number is outside the shard's range")
        if seq < shard.trimmed_below:
            raise TrimmedDataAccessException("The operation attempted to read past the oldest stream record in a "
                                             "shard.")
        position = seq if kind == "AT_SEQUENCE_NUMBER" else seq + 1
    elif kind == "AT_TIMESTAMP":
        # Newer API: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html
        when = req.get("Timestamp")
        if when is None:
            raise ValidationException("Timestamp must be specified for iterator type AT_TIMESTAMP")
        if float(when) > ctx.clock.now():
            raise ValidationException("The timestamp provided is in the future")
        position = log.position_at_time(shard, float(when))
    else:
        if seq_text is not None:
            raise ValidationException(f"Sequence number must not be specified for iterator type {kind}")
        position = log.first_position(shard) if kind == "TRIM_HORIZON" else log.latest_position(shard)
    it = ctx.backend.iterators.encode(Position(stream.arn, shard.shard_id, position, ctx.clock.now()))
    return {"ShardIterator": it}

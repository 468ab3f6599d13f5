"""ListStreams. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_ListStreams.html

Streams of deleted tables (and disabled streams) stay listed, DISABLED, under their table's name until the
retention loop drops them 24 hours later: "the corresponding stream on that table goes into the DISABLED state,
and the stream is automatically deleted after 24 hours" (API_DeleteTable.html); scylladb's alternator
test_streams.py, run against DynamoDB, records such streams lingering in ListStreams.
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ResourceNotFoundException
from riverbed.services.dynamodbstreams.checks import check_limit, check_stream_arn
from riverbed.services.dynamodbstreams.service import StreamsContext


def list_streams(ctx: StreamsContext, req: dict[str, Any]) -> dict[str, Any]:
    limit = check_limit(req, 100)
    if req.get("ExclusiveStartStreamArn") is not None:
        check_stream_arn(req["ExclusiveStartStreamArn"])
    streams = [s for s in ctx.backend.streams.all() if s.account == ctx.account and s.region == ctx.region]
    if req.get("TableName"):
        streams = [s for s in streams if s.table_name == req["TableName"]]
    streams.sort(key=lambda s: (s.table_name, s.label))
    start = req.get("ExclusiveStartStreamArn")
    if start:
        arns = [s.arn for s in streams]
        if start not in arns:
            raise ResourceNotFoundException(f"Requested resource not found: Stream: {start} not found")
        streams = streams[arns.index(start) + 1:]
    page = streams[:limit]
    out: dict[str, Any] = {"Streams": [{"StreamArn": s.arn, "TableName": s.table_name, "StreamLabel": s.label}
                                       for s in page]}
    if len(streams) > limit:
        out["LastEvaluatedStreamArn"] = page[-1].arn
    return out

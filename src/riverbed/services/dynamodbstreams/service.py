"""The DynamoDB Streams service object: what its operations share.

Owns: the change log handle (``streams``), the shard-iterator codec (``iterators``, replaced on
reset together with the secret it signs with) and the read metrics AWS reports for GetRecords
(``ReturnedRecordsCount``, ``ReturnedBytes``, dimensions TableName, Operation and StreamLabel, as AWS
lists them: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html).

Must not: implement operations (``operations/``) or the log (``riverbed.streams``).
"""

from __future__ import annotations

from collections.abc import Callable

from riverbed.core.context import RequestContext
from riverbed.core.interfaces import MetricsSink
from riverbed.streams.iterators import IteratorCodec
from riverbed.streams.log import Stream, StreamLog


class StreamsService:
    def __init__(self, streams: StreamLog, iterators: IteratorCodec, metrics: MetricsSink) -> None:
        self.streams = streams
        self.iterators = iterators
        self.metrics = metrics
        # Raises while a stream's table cannot use its customer managed KMS key (DynamoDB's check; set by wiring).
        self.key_check: Callable[[str], None] = lambda stream_arn: None

    def records_read(self, stream: Stream, count: int, size: int) -> None:
        dims = {"TableName": stream.table_name, "Operation": "GetRecords", "StreamLabel": stream.label}
        self.metrics.put("AWS/DynamoDB", "ReturnedRecordsCount", dims, count)
        self.metrics.put("AWS/DynamoDB", "ReturnedBytes", dims, size, "Bytes")


StreamsContext = RequestContext[StreamsService]

"""DynamoDB Streams operations, one module each."""

from __future__ import annotations

from riverbed.services.dynamodbstreams.operations.describe_stream import describe_stream
from riverbed.services.dynamodbstreams.operations.get_records import get_records
from riverbed.services.dynamodbstreams.operations.get_shard_iterator import get_shard_iterator
from riverbed.services.dynamodbstreams.operations.list_streams import list_streams

OPERATIONS = {
    "ListStreams": list_streams,
    "DescribeStream": describe_stream,
    "GetShardIterator": get_shard_iterator,
    "GetRecords": get_records,
}

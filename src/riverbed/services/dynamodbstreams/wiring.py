"""Building DynamoDB Streams: the service object over the change log and its description.

Owns: the Streams description (JSON 1.0, ``DynamoDBStreams_20120810``, DynamoDB's error namespace and
Coral dialect).

Must not: hold Streams logic (``riverbed.streams`` is the log; ``operations/`` the API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from riverbed.core.interfaces import MetricsSink
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.dynamodbstreams.operations import OPERATIONS
from riverbed.services.dynamodbstreams.service import StreamsService
from riverbed.streams.iterators import IteratorCodec
from riverbed.streams.log import StreamLog

JAVA_PACKAGE = "com.amazonaws.dynamodb.v20120810"


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The stream a request reads, for --iam strict (actions dynamodb:*); ListStreams has none ("*")."""
    if request.get("StreamArn"):
        return [str(request["StreamArn"])]
    if request.get("ShardIterator"):
        return [str(request["ShardIterator"]).split("|", 1)[0]]   # iterators open with their stream's ARN
    return ["*"]


def build(streams: StreamLog, iterators: IteratorCodec, metrics: MetricsSink,
          policies: Callable[[str], str | None] | None = None,
          key_check: Callable[[str], None] | None = None) -> tuple[StreamsService, Component]:
    """``policies``: a stream's resource-based policy (DynamoDB keeps them with the table), for the gateway;
    ``key_check``: raises while the stream's table cannot use its KMS key (GetRecords is refused)."""
    service = StreamsService(streams, iterators, metrics)
    if key_check is not None:
        service.key_check = key_check
    description = ServiceDescription("dynamodbstreams", "json", dict(OPERATIONS), backend=service,
                                     target_prefix="DynamoDBStreams_20120810", error_prefix=f"{JAVA_PACKAGE}#",
                                     validation_package=JAVA_PACKAGE, max_request_bytes=1024 * 1024,
                                     action_prefix="dynamodb", resources=resource_arns,
                                     resource_policy=policies)
    return service, Component("dynamodbstreams", [description])

"""Building SQS: the service object on the store's message section, its description, expiry loop, reset.

Owns: SQS's description for the gateway, with its wire quirks as data — JSON 1.0 (``X-Amz-Target:
AmazonSQS.*``; errors carry ``x-amzn-query-error``), the query protocol (SigV4 signing name ``sqs``),
form posts to a queue URL (the path names ``QueueUrl``), the 2012-11-05 element names and namespace,
and SQS's validation dialect.

Must not: hold SQS logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riverbed.core.authorization import arn
from riverbed.core.interfaces import MetricsSink
from riverbed.core.service import Component, ServiceDescription
from riverbed.errors import ServiceError
from riverbed.services.sqs import OPERATIONS
from riverbed.services.sqs.movetasks import decode_handle
from riverbed.services.sqs.service import SqsService
from riverbed.services.sqs.wire import QUERY_NAMES, QUERY_NAMESPACE

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The queue a request acts on (its URL names the owner), for --iam strict."""
    if request.get("SourceArn"):      # message move tasks act on their source (dead-letter) queue
        return [str(request["SourceArn"])]
    if request.get("TaskHandle"):
        try:
            return [decode_handle(request["TaskHandle"])[1]]
        except ServiceError:
            return ["*"]
    url = str(request.get("QueueUrl") or "")
    segments = [s for s in url.split("://", 1)[-1].split("/")[1:] if s]
    if len(segments) == 2:
        return [arn("sqs", region, segments[0], segments[1])]
    if request.get("QueueName"):
        return [arn("sqs", region, account, str(request["QueueName"]))]
    return ["*"]


def build(store: Store, clock: Clock, metrics: MetricsSink | None = None) -> tuple[SqsService, Component]:
    service = SqsService(store, clock, metrics)
    description = ServiceDescription(
        "sqs", "json", dict(OPERATIONS), backend=service, target_prefix="AmazonSQS",
        error_prefix="com.amazonaws.sqs#", signing_names=("sqs",), query_error_headers=True,
        path_member="QueueUrl", legacy_query_names=QUERY_NAMES, xml_namespace=QUERY_NAMESPACE,
        validation_style="sqs", max_request_bytes=2 * 1024 * 1024, resources=resource_arns,
        access_denied=("AccessDenied", 403), resource_policy=service.resource_policy)
    return service, Component("sqs", [description], loops=[("sqs-retention", service.run_expiry),
                                                          ("sqs-move-tasks", service.move_tasks.run)],
                              on_reset=[service.reset], pending=[service.move_tasks.pending])

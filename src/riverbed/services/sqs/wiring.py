"""Building SQS: the service object on the store's message section, its description, expiry loop, reset.

Owns: SQS's description for the gateway, with its wire quirks as data — JSON 1.0 (``X-Amz-Target:
AmazonSQS.*``; errors carry ``x-amzn-query-error``), the query protocol (SigV4 signing name ``sqs``),
form posts to a queue URL (the path names ``QueueUrl``), the 2012-11-05 element names and namespace,
and SQS's validation dialect.

Must not: hold SQS logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riverbed.core.interfaces import MetricsSink
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.sqs import OPERATIONS
from riverbed.services.sqs.service import SqsService
from riverbed.services.sqs.wire import QUERY_NAMES, QUERY_NAMESPACE

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def build(store: Store, clock: Clock, metrics: MetricsSink | None = None) -> tuple[SqsService, Component]:
    service = SqsService(store, clock, metrics)
    description = ServiceDescription(
        "sqs", "json", dict(OPERATIONS), backend=service, target_prefix="AmazonSQS",
        error_prefix="com.amazonaws.sqs#", signing_names=("sqs",), query_error_headers=True,
        path_member="QueueUrl", legacy_query_names=QUERY_NAMES, xml_namespace=QUERY_NAMESPACE,
        validation_style="sqs", max_request_bytes=2 * 1024 * 1024)
    return service, Component("sqs", [description], loops=[("sqs-retention", service.run_expiry)],
                              on_reset=[service.reset])

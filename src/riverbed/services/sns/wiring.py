"""Building SNS: the service object (fan-out to SQS and Lambda through their interfaces), its description.

Owns: SNS's description for the gateway (query protocol, SigV4 signing name ``sns``) and its reset.

Must not: hold SNS logic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from riverbed.core.authorization import arn
from riverbed.core.interfaces import Functions, MessageQueues, MetricsSink
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.sns import OPERATIONS
from riverbed.services.sns.service import SnsService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The topic a request acts on, for --iam strict (a subscription counts as its topic's)."""
    for member in ("TopicArn", "TargetArn", "ResourceArn"):
        if request.get(member):
            return [str(request[member])]
    if request.get("SubscriptionArn"):
        return [str(request["SubscriptionArn"]).rsplit(":", 1)[0]]
    if request.get("Name") and operation == "CreateTopic":
        return [arn("sns", region, account, str(request["Name"]))]
    return ["*"]


def build(store: Store, clock: Clock, *, queues: MessageQueues, functions: Functions,
          endpoint_url: Callable[[], str], metrics: MetricsSink | None = None) -> tuple[SnsService, Component]:
    service = SnsService(store, clock, queues=queues, functions=functions, endpoint_url=endpoint_url,
                         metrics=metrics)
    description = ServiceDescription("sns", "query", dict(OPERATIONS), backend=service, signing_names=("sns",),
                                     validation_style="query", max_request_bytes=2 * 1024 * 1024,
                                     resources=resource_arns, access_denied=("AuthorizationError", 403),
                                     resource_policy=service.resource_policy)
    return service, Component("sns", [description], on_reset=[service.reset])

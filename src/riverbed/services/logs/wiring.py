"""Building CloudWatch Logs: the service, its description (JSON 1.1, ``Logs_20140328``) and retention loop.

Must not: hold Logs logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riverbed.core.authorization import arn
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.logs import OPERATIONS
from riverbed.services.logs.service import LogsService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The log group (and stream) a request acts on, for --iam strict: ``log-group:G:log-stream:S``, which
    both ``log-group:/aws/lambda/*`` and ``log-group:G:*`` style policies match."""
    group = request.get("logGroupName")
    if not group:
        return [str(request["resourceArn"])] if request.get("resourceArn") else ["*"]
    stream = request.get("logStreamName") or ""
    return [arn("logs", region, account, f"log-group:{group}:log-stream:{stream}")]


def build(store: Store, clock: Clock) -> tuple[LogsService, Component]:
    service = LogsService(store, clock)
    description = ServiceDescription("logs", "json", dict(OPERATIONS), backend=service,
                                     target_prefix="Logs_20140328", json_version="1.1", resources=resource_arns)
    return service, Component("logs", [description], loops=[("logs-retention", service.run_retention)])

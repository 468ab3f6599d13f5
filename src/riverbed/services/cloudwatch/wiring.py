"""Building CloudWatch: the service (data points, alarms), its description, loops and hooks.

Owns: CloudWatch's description for the gateway — JSON 1.0 (``GraniteServiceVersion20100801``,
awsQueryCompatible, which current botocore speaks) and the query protocol (SigV4 name ``monitoring``,
which the AWS CLI v1 and older SDKs speak) over one operation table — the alarm evaluation loop and the
loop that flushes this node's data points to the store (on every node: each flushes its own).

Must not: hold CloudWatch logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riverbed.core.authorization import arn
from riverbed.core.interfaces import Topics
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.cloudwatch import OPERATIONS
from riverbed.services.cloudwatch.service import CloudWatchService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The alarms a request names, for --iam strict; metrics have no resource ("*")."""
    names = list(request.get("AlarmNames") or []) + ([request["AlarmName"]] if request.get("AlarmName") else [])
    if request.get("ResourceARN"):
        return [str(request["ResourceARN"])]
    return [arn("cloudwatch", region, account, f"alarm:{n}") for n in names] or ["*"]


def build(store: Store, clock: Clock, *, topics: Topics, retention_seconds: float = 15 * 86400
          ) -> tuple[CloudWatchService, Component]:
    service = CloudWatchService(store, clock, topics=topics, retention_seconds=retention_seconds)
    description = ServiceDescription(
        "cloudwatch", "json", dict(OPERATIONS), backend=service, target_prefix="GraniteServiceVersion20100801",
        error_prefix="com.amazonaws.cloudwatch.v2010_08_01#", signing_names=("monitoring",),
        query_error_headers=True, validation_style="query", resources=resource_arns,
        access_denied=("AccessDenied", 403), xml_namespace="http://monitoring.amazonaws.com/doc/2010-08-01/")
    return service, Component(
        "cloudwatch", [description],
        loops=[("cloudwatch-alarms", service.run_evaluation), ("cloudwatch-flush", service.run_flushing)],
        on_stop=[service.flush_once], on_reset=[service.reset], pending=[service.pending])

"""Building the trigger engine: pollers per (mapping, shard), and the event-source-mapping API actions.

Owns: the :class:`Triggers` supervisor with the interfaces it calls (Lambda to invoke, SQS/SNS as
on-failure destinations, the metrics sink), its loop and hooks, and the description that adds the
mapping actions to the Lambda REST-JSON service (they share Lambda's validation dialect).

Must not: hold trigger logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riverbed.core.interfaces import Destinations, Functions, MetricsSink, RoleGuard, TableKeys
from riverbed.core.service import Component, ServiceDescription
from riverbed.triggers.operations import OPERATIONS
from riverbed.triggers.supervisor import Triggers

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.storage.base import Store
    from riverbed.streams.log import StreamLog


def mapping_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The event source mapping a request acts on, for --iam strict ("*" for Create and List)."""
    if request.get("UUID"):
        return [f"arn:aws:lambda:{region}:{account}:event-source-mapping:{request['UUID']}"]
    return ["*"]


def build(store: Store, clock: Clock, streams: StreamLog, settings: Settings, *, functions: Functions,
          destinations: Destinations, metrics: MetricsSink, roles: RoleGuard | None = None,
          table_keys: TableKeys | None = None) -> tuple[Triggers, Component]:
    triggers = Triggers(store, clock, streams, settings, functions=functions, destinations=destinations,
                        metrics=metrics, roles=roles, table_keys=table_keys)
    description = ServiceDescription("lambda", "rest-json", dict(OPERATIONS), backend=triggers,
                                     validation_style="lambda", resources=mapping_arns,
                                     access_denied=("AccessDeniedException", 403))
    return triggers, Component("triggers", [description], loops=[("triggers", triggers.run)],
                               on_stop=[triggers.stop], on_reset=[triggers.reset])

"""Building CloudWatch Logs: the service, its description (JSON 1.1, ``Logs_20140328``) and retention loop.

Must not: hold Logs logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riverbed.core.service import Component, ServiceDescription
from riverbed.services.logs import OPERATIONS
from riverbed.services.logs.service import LogsService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def build(store: Store, clock: Clock) -> tuple[LogsService, Component]:
    service = LogsService(store, clock)
    description = ServiceDescription("logs", "json", dict(OPERATIONS), backend=service,
                                     target_prefix="Logs_20140328", json_version="1.1")
    return service, Component("logs", [description], loops=[("logs-retention", service.run_retention)])

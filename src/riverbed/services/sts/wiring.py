"""Building STS: its service object (with IAM's Permissions handed over) and its description
(query protocol, SigV4 signing name ``sts``).

Must not: hold STS logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riverbed.core.interfaces import Permissions
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.sts.operations import OPERATIONS
from riverbed.services.sts.service import StsService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """AssumeRole acts on the role; the rest on "*" (GetCallerIdentity needs no permission)."""
    return [str(request["RoleArn"])] if request.get("RoleArn") else ["*"]


def build(store: Store, clock: Clock, *, permissions: Permissions) -> tuple[StsService, Component]:
    service = StsService(store, clock, permissions)
    description = ServiceDescription("sts", "query", dict(OPERATIONS), backend=service, signing_names=("sts",),
                                     validation_style="query", resources=resource_arns,
                                     unauthorized_operations=frozenset({"GetCallerIdentity"}),
                                     access_denied=("AccessDenied", 403))
    return service, Component("sts", [description])

"""Building IAM: its service object (also the :class:`~riverbed.core.interfaces.Permissions` others call)
and its description (query protocol, SigV4 signing name ``iam``, IAM's own validation dialect).

Must not: hold IAM logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riverbed.core.service import Component, ServiceDescription
from riverbed.services.iam.operations import OPERATIONS
from riverbed.services.iam.service import IamService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The role, user or policy a request acts on, for --iam strict (IAM is global: no region)."""
    for member, kind in (("RoleName", "role"), ("UserName", "user")):
        if request.get(member):
            return [f"arn:aws:iam::{account}:{kind}/{request[member]}"]
    for member in ("PolicyArn", "PolicySourceArn"):
        if request.get(member):
            return [str(request[member])]
    if request.get("PolicyName") and operation == "CreatePolicy":
        return [f"arn:aws:iam::{account}:policy/{request['PolicyName']}"]
    return ["*"]


def build(store: Store, clock: Clock) -> tuple[IamService, Component]:
    service = IamService(store, clock)
    description = ServiceDescription("iam", "query", dict(OPERATIONS), backend=service, signing_names=("iam",),
                                     validation_style="iam", resources=resource_arns,
                                     access_denied=("AccessDenied", 403))
    return service, Component("iam", [description], on_reset=[service.reset])

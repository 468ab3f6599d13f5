"""Building KMS: its service object and its description (JSON 1.1, ``X-Amz-Target: TrentService.*``;
errors name their code without a namespace, as KMS sends them).

Must not: hold KMS logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riverbed.core.authorization import arn, named
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.kms.operations import OPERATIONS
from riverbed.services.kms.service import KmsService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The key (or alias) a request names, for --iam strict; Decrypt without KeyId and CreateKey: "*"."""
    key = request.get("KeyId") or request.get("DestinationKeyId") or request.get("TargetKeyId")
    if not key:
        return ["*"]
    return [named(key, lambda k: arn("kms", region, account, k if k.startswith("alias/") else f"key/{k}"))]


def build(store: Store, clock: Clock) -> tuple[KmsService, Component]:
    service = KmsService(store, clock)
    description = ServiceDescription("kms", "json", dict(OPERATIONS), backend=service, target_prefix="TrentService",
                                     json_version="1.1", resources=resource_arns,
                                     resource_policy=service.resource_policy)
    return service, Component("kms", [description])

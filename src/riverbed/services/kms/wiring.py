"""Building KMS: its service object and its description (JSON 1.1, ``X-Amz-Target: TrentService.*``;
errors name their code without a namespace, as KMS sends them).

Must not: hold KMS logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riverbed.core.service import Component, ServiceDescription
from riverbed.services.kms.operations import OPERATIONS
from riverbed.services.kms.service import KmsService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def build(store: Store, clock: Clock) -> tuple[KmsService, Component]:
    service = KmsService(store, clock)
    description = ServiceDescription("kms", "json", dict(OPERATIONS), backend=service, target_prefix="TrentService",
                                     json_version="1.1")
    return service, Component("kms", [description])

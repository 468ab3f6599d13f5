"""Building IAM: its service object (also the :class:`~riverbed.core.interfaces.Permissions` others call)
and its description (query protocol, SigV4 signing name ``iam``, IAM's own validation dialect).

Must not: hold IAM logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riverbed.core.service import Component, ServiceDescription
from riverbed.services.iam.operations import OPERATIONS
from riverbed.services.iam.service import IamService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store


def build(store: Store, clock: Clock) -> tuple[IamService, Component]:
    service = IamService(store, clock)
    description = ServiceDescription("iam", "query", dict(OPERATIONS), backend=service, signing_names=("iam",),
                                     validation_style="iam")
    return service, Component("iam", [description], on_reset=[service.reset])

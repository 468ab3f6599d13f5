"""Wiring SNS into the application: the domain object, the query-protocol route, reset.

Owns: building :class:`SnsService`, exposing it as ``app.sns`` (the in-process API: ``publish``,
``topic_exists``) and registering the query protocol for SigV4 signing name ``sns``.  SNS delivers to
SQS through ``app.sqs`` and to Lambda through ``app.invoke_async`` when those are wired.

Must not: hold SNS logic.
"""

from __future__ import annotations

from typing import Any

from riverbed.protocol.gateway import ServiceSpec
from riverbed.services.sns import OPERATIONS
from riverbed.services.sns.service import SnsService


def wire(app: Any) -> SnsService:
    service = SnsService(app)
    app.sns = service
    app.gateway.register(ServiceSpec("sns", "query", OPERATIONS, signing_names=("sns",)))
    app.on_reset(service.reset)
    return service

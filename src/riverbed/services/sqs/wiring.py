"""Wiring SQS into the application: the domain object, the gateway routes, the expiry loop, reset.

Owns: building :class:`SqsService` on the store's message logs, exposing it as
``app.sqs`` (the in-process API: ``send_message``, ``queue_exists``, ``deliver``), and registering both
protocols:

* JSON 1.0 (``X-Amz-Target: AmazonSQS.*``; errors carry ``x-amzn-query-error``);
* the query protocol (SigV4 signing name ``sqs``, and form posts to a queue URL, whose path the gateway
  turns into ``QueueUrl`` before validating).

Must not: hold SQS logic.
"""

from __future__ import annotations

from typing import Any

from riverbed.protocol.gateway import ServiceSpec
from riverbed.services.sqs import OPERATIONS
from riverbed.services.sqs.service import SqsService


def wire(app: Any) -> SqsService:
    service = SqsService(app)
    app.sqs = service
    app.gateway.register(ServiceSpec("sqs", "json", dict(OPERATIONS), target_prefix="AmazonSQS",
                                     error_prefix="com.amazonaws.sqs#", signing_names=("sqs",),
                                     query_error_headers=True))
    app.add_loop("sqs-retention", service.run_expiry)
    app.on_reset(service.reset)
    return service


"""Wiring SQS into the application: the domain object, the gateway routes, the expiry loop, reset.

Owns: building :class:`SqsService` on the store's connection (``SqliteQueues(app.store._db)`` until the
store interface grows a queue section), exposing it as ``app.sqs`` (the in-process API: ``send_message``,
``queue_exists``, ``deliver``), and registering both protocols:

* JSON 1.0 (``X-Amz-Target: AmazonSQS.*``; errors carry ``x-amzn-query-error``);
* the query protocol (SigV4 signing name ``sqs``, and unsigned form posts to a queue URL).

The gateway adds ``QueueUrl`` from the request path of a queue-URL post only after its own validation
step, which would then refuse the post for lacking ``QueueUrl``; so the spec turns gateway validation
off and each operation runs the same ``validate_input`` itself, first thing, for both protocols.

Must not: hold SQS logic.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from riverbed.protocol.gateway import ServiceSpec
from riverbed.services.sqs import OPERATIONS
from riverbed.services.sqs.service import SqsService
from riverbed.storage.queues import SqliteQueues


def wire(app: Any) -> SqsService:
    service = SqsService(app, SqliteQueues(app.store._db))
    app.sqs = service
    operations = {name: _validated(app, name, func) for name, func in OPERATIONS.items()}
    app.gateway.register(ServiceSpec("sqs", "json", operations, target_prefix="AmazonSQS",
                                     error_prefix="com.amazonaws.sqs#", validate=False,
                                     signing_names=("sqs",), query_error_headers=True))
    app.add_loop("sqs-retention", service.run_expiry)
    app.on_reset(service.reset)
    return service


def _validated(app: Any, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def check(request: dict[str, Any]) -> None:
        from riverbed.protocol.validate import validate_input

        validate_input(app.gateway.model("sqs"), name, request)

    if inspect.iscoroutinefunction(func):
        async def run_async(ctx: Any, request: dict[str, Any]) -> Any:
            check(request)
            return await func(ctx, request)
        return run_async

    def run(ctx: Any, request: dict[str, Any]) -> Any:
        check(request)
        return func(ctx, request)
    return run

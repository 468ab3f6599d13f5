"""Wiring the Lambda service into the app: service object, runtime, routes, background loop, hooks.

Owns: where the runtime unpacks code (``<data_dir>/lambda``, or a temporary directory that is removed
on stop when riverbed runs in memory), the REST-JSON ServiceSpec, the ``/_riverbed/code`` and
``/_riverbed/logs`` routes, the idle-worker reaper loop, and the app-level testing API entry points
``app.register_function`` and ``app.invoke_async``.

Must not: hold service logic.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from riverbed.protocol.gateway import ServiceSpec
from riverbed.runtime import Runtime
from riverbed.services.lambda_.control import CODE_PREFIX, LOGS_PREFIX, make_routes
from riverbed.services.lambda_.operations import OPERATIONS, validate
from riverbed.services.lambda_.service import LambdaService

MAX_REAP_INTERVAL = 30.0


def wire(app: Any) -> None:
    settings = app.settings
    temporary = settings.memory
    if temporary:
        work_dir = Path(tempfile.mkdtemp(prefix="riverbed-lambda-"))
    else:
        work_dir = Path(settings.data_dir) / "lambda"
        work_dir.mkdir(parents=True, exist_ok=True)
    runtime = Runtime(clock=app.clock, work_dir=work_dir, endpoint_url=lambda: app.endpoint_url,
                      account_concurrency=settings.lambda_account_concurrency,
                      idle_seconds=settings.lambda_idle_seconds)
    service = LambdaService(app, runtime)
    app.lambda_ = service
    app.register_function = service.register_function
    app.invoke_async = service.invoke_async

    # One REST-JSON spec serves every Lambda action; other packages' Lambda actions (event source
    # mappings) register into it later and share its validator.
    app.gateway.register(ServiceSpec("lambda", "rest-json", dict(OPERATIONS), validator=validate))
    code_route, logs_route = make_routes(service)
    app.gateway.mount(CODE_PREFIX, code_route)
    app.gateway.mount(LOGS_PREFIX, logs_route)
    if hasattr(app, "add_pending_probe"):
        app.add_pending_probe(service.pending_work)

    interval = max(1.0, min(MAX_REAP_INTERVAL, settings.lambda_idle_seconds / 4))

    async def reaper() -> None:
        service.attach_loop()
        while True:
            await app.clock.sleep(interval)
            await runtime.reap_once()

    async def stop() -> None:
        await runtime.close()
        if temporary:
            shutil.rmtree(work_dir, ignore_errors=True)

    app.add_loop("lambda-reaper", reaper)
    app.on_stop(stop)
    app.on_reset(service.reset)


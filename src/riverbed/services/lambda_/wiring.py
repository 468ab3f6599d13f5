"""Building the Lambda service: its service object, worker runtime, description, reaper loop and hooks.

Owns: where the runtime unpacks code (``<data_dir>/lambda``, or a temporary directory that is removed
on stop when riverbed runs in memory), the REST-JSON description (Lambda's own validation dialect;
``Runtime`` values outside the model's enum are left to the service, which words that error itself),
and the idle-worker reaper loop.

Must not: hold service logic.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from riverbed.core.interfaces import FunctionLogs, MetricsSink, ObjectStore, RoleGuard
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.lambda_.operations import OPERATIONS
from riverbed.services.lambda_.service import LambdaService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.core.interfaces import ObjectStore
    from riverbed.storage.base import Store

MAX_REAP_INTERVAL = 30.0


def build(store: Store, clock: Clock, settings: Settings, endpoint_url: Callable[[], str], *,
          roles: RoleGuard | None = None, metrics: MetricsSink | None = None,
          logs: FunctionLogs | None = None, objects: ObjectStore | None = None) -> tuple[LambdaService, Component]:
    from riverbed.runtime import Runtime

    temporary = settings.memory
    if temporary:
        work_dir = Path(tempfile.mkdtemp(prefix="riverbed-lambda-"))
    else:
        work_dir = Path(settings.data_dir) / "lambda"
        work_dir.mkdir(parents=True, exist_ok=True)
    runtime = Runtime(clock=clock, work_dir=work_dir, endpoint_url=endpoint_url,
                      account_concurrency=settings.lambda_account_concurrency,
                      idle_seconds=settings.lambda_idle_seconds)
    service = LambdaService(store, clock, settings, runtime, roles=roles, metrics=metrics, logs=logs,
                            objects=objects)
    interval = max(1.0, min(MAX_REAP_INTERVAL, settings.lambda_idle_seconds / 4))

    async def reaper() -> None:
        service.attach_loop()
        while True:
            await clock.sleep(interval)
            await runtime.reap_once()

    async def stop() -> None:
        await runtime.close()
        if temporary:
            shutil.rmtree(work_dir, ignore_errors=True)

    # One REST-JSON description serves every Lambda action; the event-source-mapping actions join it
    # with the trigger engine as their backend.
    description = ServiceDescription("lambda", "rest-json", dict(OPERATIONS), backend=service,
                                     validation_style="lambda", service_checked_enums=frozenset({"Runtime"}))
    return service, Component("lambda", [description], loops=[("lambda-reaper", reaper)], on_stop=[stop],
                              on_reset=[service.reset], pending=[service.pending_work])

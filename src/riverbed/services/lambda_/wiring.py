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
from typing import TYPE_CHECKING, Any

from riverbed.core.authorization import arn, named
from riverbed.core.interfaces import FunctionLogs, MetricsSink, ObjectStore, RoleGuard, Sessions
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.lambda_.operations import OPERATIONS
from riverbed.services.lambda_.service import LambdaService

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.core.interfaces import ObjectStore
    from riverbed.storage.base import Store

MAX_REAP_INTERVAL = 30.0


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The function a request acts on (name, partial or full ARN; a qualifier stays), for --iam strict."""
    name = request.get("FunctionName") or request.get("Resource")
    if not name:
        return ["*"]
    text = str(name)
    if not text.startswith("arn:") and text.count(":") >= 2:     # ACCOUNT:function:NAME partial ARN
        return [f"arn:aws:lambda:{region}:{text}"]
    return [named(text, lambda n: arn("lambda", region, account, f"function:{n}"))]


def build(store: Store, clock: Clock, settings: Settings, endpoint_url: Callable[[], str], *,
          roles: RoleGuard | None = None, metrics: MetricsSink | None = None,
          logs: FunctionLogs | None = None, objects: ObjectStore | None = None,
          sessions: Sessions | None = None) -> tuple[LambdaService, Component]:
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
                            objects=objects, sessions=sessions)
    runtime.credentials_for = service.worker_credentials
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
                                     validation_style="lambda", service_checked_enums=frozenset({"Runtime"}),
                                     resources=resource_arns, access_denied=("AccessDeniedException", 403),
                                     resource_policy=service.resource_policy,
                                     # IAM's names (Service Authorization Reference, AWS Lambda actions)
                                     action_names={"Invoke": "InvokeFunction", "InvokeAsync": "InvokeFunction",
                                                   "InvokeWithResponseStream": "InvokeFunction"})
    return service, Component("lambda", [description], loops=[("lambda-reaper", reaper)], on_stop=[stop],
                              on_reset=[service.reset], pending=[service.pending_work])

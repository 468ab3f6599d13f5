"""Event (asynchronous) invocations: queued, run in the background, retried on function errors.

Owns: AWS's asynchronous retry policy, simplified -- a function error is retried up to two more
times, one minute and then two minutes later (clock time, as *pipeline* waits so ``drain()`` on a
manual clock never stalls); a throttle is retried with backoff (1 s doubling to 5 min) until the
event is six hours old, except that a function with reserved concurrency 0 drops the event at once
(AWS's ``ZeroReservedConcurrency`` condition, lambda snapshot test_reserved_concurrency).  Every
attempt keeps the first request id, as AWS does.

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html

Must not: report to destinations or dead-letter queues (not wired yet), or block the caller.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from riverbed.errors import ServiceError, TooManyRequestsException
from riverbed.services.lambda_ import functions

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.services.lambda_.names import FunctionRef
    from riverbed.services.lambda_.service import LambdaService

log = logging.getLogger("riverbed.lambda.async")

RETRY_DELAYS = (60.0, 120.0)        # before the 2nd and the 3rd attempt
MAX_EVENT_AGE = 6 * 3600.0
THROTTLE_FIRST_DELAY = 1.0
THROTTLE_MAX_DELAY = 300.0


class AsyncInvocations:
    def __init__(self, service: LambdaService) -> None:
        self.service = service
        self._tasks: set[asyncio.Task[None]] = set()
        self.dropped: list[dict[str, Any]] = []   # most recent discarded events (for the dashboard/tests)

    def submit(self, ref: FunctionRef, payload: bytes, request_id: str) -> None:
        """Start the background attempts (must run on the server's loop)."""
        task = asyncio.get_running_loop().create_task(self.deliver(ref, payload, request_id),
                                                      name=f"lambda-event:{ref.name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> int:
        return sum(1 for task in self._tasks if not task.done())

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            self.service.call_on_loop(task.cancel)

    async def deliver(self, ref: FunctionRef, payload: bytes, request_id: str) -> None:
        """Run one event to success or to exhaustion of its attempts."""
        clock = self.service.clock
        received = clock.now()
        failures = 0
        throttle_delay = THROTTLE_FIRST_DELAY
        while True:
            doc = functions.get_qualified(self.service.store, ref, ref.qualifier, route=self.service.routing)
            if doc is None:
                self._drop(ref, request_id, "FunctionNotFound", failures)
                return
            try:
                result = await self.service.run(doc, payload, request_id=request_id)
            except TooManyRequestsException:
                if self.service.spec_for(doc).reserved_concurrency == 0:
                    self._drop(ref, request_id, "ZeroReservedConcurrency", failures)
                    return
                if clock.now() - received + throttle_delay > MAX_EVENT_AGE:
                    self._drop(ref, request_id, "EventAgeExceeded", failures)
                    return
                await clock.sleep(throttle_delay, pipeline=True)
                throttle_delay = min(throttle_delay * 2, THROTTLE_MAX_DELAY)
                continue
            except ServiceError as exc:
                log.warning("event invocation of %s failed: %s", ref.name, exc.message)
                self._drop(ref, request_id, exc.code, failures)
                return
            if result.function_error is None:
                return
            failures += 1
            if failures > len(RETRY_DELAYS):
                self._drop(ref, request_id, "RetriesExhausted", failures)
                return
            await clock.sleep(RETRY_DELAYS[failures - 1], pipeline=True)

    def _drop(self, ref: FunctionRef, request_id: str, condition: str, attempts: int) -> None:
        log.info("dropped event %s for %s: %s after %d attempts", request_id, ref.name, condition, attempts)
        self.dropped.append({"requestId": request_id, "functionArn": ref.arn(ref.qualifier or "$LATEST"),
                             "condition": condition, "approximateInvokeCount": attempts})
        del self.dropped[:-100]

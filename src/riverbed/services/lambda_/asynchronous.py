"""Event (asynchronous) invocations: queued, run in the background, retried, and reported when they end.

Owns: AWS's asynchronous retry policy with the qualifier's EventInvokeConfig (``event_invoke.effective``):
a function error is retried up to MaximumRetryAttempts (default 2) more times, one minute and then two
minutes later; a throttle is retried with backoff (1 s doubling to 5 min); an event older than
MaximumEventAgeInSeconds (default 6 h) is not run again (``EventAgeExceeded``); a function with reserved
concurrency 0 discards the event at once (AWS's ``ZeroReservedConcurrency`` condition, lambda snapshot
test_reserved_concurrency).  Waits are clock time, as *pipeline* waits, so ``drain()`` on a manual clock
never stalls.  Every attempt keeps the first request id, as AWS does.

When an event ends (``invocation_records.py`` builds and sends what follows): a success goes to the OnSuccess
destination as an invocation record (condition ``Success``); a discarded event goes to the OnFailure
destination as a record (``RetriesExhausted``, ``EventAgeExceeded``...) *and* to the function's dead-letter
queue or topic (DeadLetterConfig of ``$LATEST``, which versions share) as the event itself with RequestID /
ErrorCode / ErrorMessage attributes -- AWS delivers to both when both are set ("You can configure
destinations in addition to or instead of a dead-letter queue", PutFunctionEventInvokeConfig).
``approximateInvokeCount`` counts every attempt, throttled ones included.

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html

Must not: block the caller, or know how a queue, topic or bucket receives a message (``Destinations``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from riverbed.errors import ServiceError, TooManyRequestsException
from riverbed.services.lambda_ import event_invoke, functions, invocation_records
from riverbed.services.lambda_.names import LATEST

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.runtime import InvocationResult
    from riverbed.services.lambda_.names import FunctionRef
    from riverbed.services.lambda_.service import LambdaService

log = logging.getLogger("riverbed.lambda.async")

RETRY_DELAYS = (60.0, 120.0)        # before the 2nd and the 3rd attempt
MAX_EVENT_AGE = float(event_invoke.DEFAULT_EVENT_AGE)
THROTTLE_FIRST_DELAY = 1.0
THROTTLE_MAX_DELAY = 300.0


class AsyncInvocations:
    def __init__(self, service: LambdaService) -> None:
        self.service = service
        self.records = invocation_records.RecordSender(service)
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
        """Run one event to success or until it is discarded, then report it."""
        clock = self.service.clock
        received = clock.now()
        attempts = failures = 0
        throttle_delay = THROTTLE_FIRST_DELAY
        last: InvocationResult | None = None
        while True:
            doc = functions.get_qualified(self.service.store, ref, ref.qualifier, route=self.service.routing)
            if doc is None:
                self._drop(ref, request_id, "FunctionNotFound", attempts)
                return
            settings = event_invoke.effective(self.service.store, ref, ref.qualifier)
            ended = Ending(self, ref, doc, payload, request_id, settings)
            if clock.now() - received > settings["max_age"]:
                ended.discard("EventAgeExceeded", attempts, last, 429 if last is None else 200)
                return
            attempts += 1
            try:
                result = await self.service.run(doc, payload, request_id=request_id)
            except TooManyRequestsException as exc:
                if self.service.spec_for(doc).reserved_concurrency == 0:
                    ended.discard("ZeroReservedConcurrency", attempts, last, exc.status, exc.message)
                    return
                if clock.now() - received + throttle_delay > settings["max_age"]:
                    ended.discard("EventAgeExceeded", attempts, last, exc.status, exc.message)
                    return
                await clock.sleep(throttle_delay, pipeline=True)
                throttle_delay = min(throttle_delay * 2, THROTTLE_MAX_DELAY)
                continue
            except ServiceError as exc:
                log.warning("event invocation of %s failed: %s", ref.name, exc.message)
                ended.discard("RetriesExhausted", attempts, last, exc.status, exc.message)
                return
            if result.function_error is None:
                ended.succeed(attempts, result)
                return
            last = result
            failures += 1
            if failures > min(settings["retries"], len(RETRY_DELAYS)):
                ended.discard("RetriesExhausted", attempts, result, 200)
                return
            delay = RETRY_DELAYS[failures - 1]
            if clock.now() - received + delay > settings["max_age"]:
                ended.discard("EventAgeExceeded", attempts, result, 200)
                return
            await clock.sleep(delay, pipeline=True)

    def _drop(self, ref: FunctionRef, request_id: str, condition: str, attempts: int) -> None:
        log.info("dropped event %s for %s: %s after %d attempts", request_id, ref.name, condition, attempts)
        self.dropped.append({"requestId": request_id, "functionArn": ref.arn(ref.qualifier or LATEST),
                             "condition": condition, "approximateInvokeCount": attempts})
        del self.dropped[:-100]


class Ending:
    """How one event ends: the destinations and dead-letter target it is reported to."""

    def __init__(self, owner: AsyncInvocations, ref: FunctionRef, doc: dict[str, Any], payload: bytes,
                 request_id: str, settings: dict[str, Any]) -> None:
        self.owner, self.ref, self.doc, self.payload = owner, ref, doc, payload
        self.request_id, self.settings = request_id, settings

    def _record(self, condition: str, attempts: int, result: InvocationResult | None) -> dict[str, Any]:
        return invocation_records.record(now=self.owner.service.clock.now(), request_id=self.request_id,
                                         function_arn=self.ref.arn(self.ref.qualifier or LATEST),
                                         condition=condition, attempts=attempts, payload=self.payload, result=result)

    def succeed(self, attempts: int, result: InvocationResult) -> None:
        target = self.settings["on_success"]
        if target:
            self.owner.records.send_record(self.doc, target, self._record("Success", attempts, result))

    def discard(self, condition: str, attempts: int, result: InvocationResult | None, status: int,
                message: str | None = None) -> None:
        self.owner._drop(self.ref, self.request_id, condition, attempts)
        target = self.settings["on_failure"]
        if target:
            self.owner.records.send_record(self.doc, target, self._record(condition, attempts, result))
        latest = functions.get_function(self.owner.service.store, self.ref) or {}
        dead_letter = latest.get("dead_letter_target")
        if dead_letter:
            if message is None:
                message = invocation_records.error_message(result) if result is not None else condition
            attributes = invocation_records.dead_letter_attributes(self.request_id, status, message)
            self.owner.records.send_dead_letter(self.doc, dead_letter, self.payload, attributes)

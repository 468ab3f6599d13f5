"""In-process functions: a Python callable registered as a Lambda function (testing API).

Owns: running a registered callable in a thread of the server process with a
real :class:`LambdaContext`, the same event/response marshalling and error
objects as the worker process, and capture of what it prints.  Printing is
captured by routing ``sys.stdout``/``sys.stderr`` through a proxy that sends
writes from the invoking thread to that invocation's buffer and everything
else to the original stream (threads the handler starts itself are not
captured; ``logging`` goes wherever the host process configured it).

Known limits, by nature of running in-process: the function's environment
variables are not applied (``os.environ`` is process-wide), and a timeout is
*reported* (``Sandbox.Timedout``) but the thread cannot be killed -- it runs
on, and whatever it prints afterwards is dropped.  ``sys.exit()`` in the
callable is reported as ``Runtime.ExitError`` instead of ending the server.

Must not: block the event loop (the callable runs in its own thread, so a
debugger breakpoint inside it works), nor kill or replace the server's streams
for other threads.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from riverbed.runtime import child
from riverbed.runtime.context import LambdaContext
from riverbed.runtime.logs import error_block
from riverbed.runtime.spec import Outcome, exit_reason

_local = threading.local()
_active = 0  # in-process invocations running (any Runtime): the stream proxies stay while > 0
RUNTIME_FILES = {os.path.abspath(__file__), os.path.abspath(child.__file__)}


class _RoutedStream:
    """Stands in for sys.stdout/sys.stderr: the capturing thread's writes go to its buffer."""

    def __init__(self, original: Any) -> None:
        self._original = original

    def write(self, text: str) -> int:
        buffer = getattr(_local, "buffer", None)
        if buffer is not None:
            buffer.append(text)
            return len(text)
        return int(self._original.write(text))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if getattr(_local, "buffer", None) is None:
            self._original.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


def _install_streams() -> None:
    # Checked on every call: pytest and others swap sys.stdout between tests.
    if not isinstance(sys.stdout, _RoutedStream):
        sys.stdout = _RoutedStream(sys.stdout)
    if not isinstance(sys.stderr, _RoutedStream):
        sys.stderr = _RoutedStream(sys.stderr)


def uninstall_streams() -> None:
    """Put the original streams back, unless an in-process invocation is still running."""
    if _active:
        return
    if isinstance(sys.stdout, _RoutedStream):
        sys.stdout = sys.stdout._original
    if isinstance(sys.stderr, _RoutedStream):
        sys.stderr = sys.stderr._original


def _max_rss_mb() -> int:
    try:
        return child.max_rss_mb()
    except Exception:
        return 0


def _finished(_: object) -> None:
    global _active
    _active -= 1


async def run_inprocess(func: Callable[..., Any], payload: bytes, *, request_id: str,
                        context: LambdaContext, timeout_s: float, ensure_ascii: bool) -> Outcome:
    """Run ``func(event, context)`` in a new thread; wait at most ``timeout_s`` real seconds."""
    _install_streams()
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Outcome] = loop.create_future()
    buffer: list[str] = []

    def settle(outcome: Outcome) -> None:
        if not done.done():
            done.set_result(outcome)

    def target() -> None:
        _local.buffer = buffer
        try:
            try:
                event = child.unmarshal_event(payload)
                body = child.marshal_response(func(event, context), ensure_ascii)
                outcome = Outcome(body=body, error_type=None, output="", max_memory_used_mb=0)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) or exc.code is None else 1
                outcome = Outcome.exited(request_id=request_id, reason=exit_reason(code), output="",
                                         max_memory_used_mb=0)
            except BaseException as exc:
                error = child.error_from_exception(exc, request_id, RUNTIME_FILES)
                buffer.append(error_block(error))
                outcome = Outcome(body=child.to_json(error, ensure_ascii), error_type=error["errorType"],
                                  output="", max_memory_used_mb=0)
        finally:
            _local.buffer = None
        outcome.output = "".join(buffer)
        outcome.max_memory_used_mb = _max_rss_mb()
        try:
            loop.call_soon_threadsafe(settle, outcome)
        except RuntimeError:
            pass  # the loop has closed (timed-out thread finishing after shutdown)

    global _active
    thread = threading.Thread(target=target, name=f"riverbed-inprocess-{context.function_name}", daemon=True)
    _active += 1
    done.add_done_callback(_finished)
    thread.start()
    try:
        return await asyncio.wait_for(asyncio.shield(done), timeout_s)
    except TimeoutError:
        # The thread cannot be stopped; the caller turns this into the platform's timeout answer.
        return Outcome(body=b"", error_type="Sandbox.Timedout", output="".join(buffer),
                       max_memory_used_mb=_max_rss_mb(), status="timeout", alive=False)

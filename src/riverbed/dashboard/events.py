"""Live updates for the dashboard: one server-sent-event stream per open page, woken by changes.

Owns: :class:`Changes`, a version number that moves when something the pages show changed -- a
committed stream record (the stream log's after-commit wake-ups, ``StreamLog.wait``) or a data point
(every invocation, error, throttle and iterator age goes through the metrics sink, which ``Changes``
joins) -- and the ``text/event-stream`` answer that tells the page to fetch its view again.

Nothing here polls: a page's stream sleeps until a wake-up, then sends one ``change`` event and waits
out a short debounce, so a pipeline writing 1,000 records a second costs each open page at most a few
events a second and the write path only a counter increment (see bench/bench_dashboard.py).

Must not: read or serialize state (the page fetches its view from ``api.py``), or slow the write path.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

DEBOUNCE_SECONDS = 0.25     # at most four change events a second per page
KEEPALIVE_SECONDS = 15.0    # a comment line keeps proxies from closing an idle stream

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Changes:
    """A change counter with async waiters; also a ``MetricsSink`` (every data point is a change)."""

    def __init__(self, streams: Any) -> None:
        self.streams = streams
        self.version = 0
        self.closed = False
        self._waiters: list[asyncio.Future[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduled = False

    # --- MetricsSink --------------------------------------------------------------------------------
    def put(self, namespace: str, name: str, dimensions: dict[str, str], value: float, unit: str = "Count") -> None:
        self.bump()


    def put_values(self, namespace: str, name: str, dimensions: dict[str, str], values: Sequence[float],
                   unit: str = "Count") -> None:
        """A batch of values of one series: one change, as for ``put``."""
        if values:
            self.put(namespace, name, dimensions, values[-1], unit)

    def bump(self) -> None:
        """Record a change; wake the waiting pages (from any thread, once per turn of the loop)."""
        self.version += 1
        if self._waiters and not self._scheduled and self._loop is not None:
            self._scheduled = True
            try:
                self._loop.call_soon_threadsafe(self._wake)
            except RuntimeError:   # the loop has closed
                self._scheduled = False

    def _wake(self) -> None:
        self._scheduled = False
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def close(self) -> None:
        """The server is shutting down: end every page's stream so connections can close."""
        self.closed = True
        self._wake()

    async def next_change(self, seen: int, timeout: float) -> int:
        """The version once it differs from ``seen`` (or the same one after ``timeout`` seconds)."""
        if self.version != seen or self.closed:
            return self.version
        loop = asyncio.get_running_loop()
        self._loop = loop
        fut: asyncio.Future[None] = loop.create_future()
        self._waiters.append(fut)
        appended = asyncio.ensure_future(self.streams.wait(None, timeout))
        try:
            done, _ = await asyncio.wait({fut, appended}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if appended in done and appended.result():
                self.version += 1
        finally:
            for task in (fut, appended):
                if not task.done():
                    task.cancel()
            if fut in self._waiters:
                self._waiters.remove(fut)
        return self.version


def event_stream(changes: Changes) -> Callable[[dict[str, Any], Receive, Send], Awaitable[None]]:
    """The ASGI callable answering ``GET /_riverbed/ui/events`` with ``text/event-stream``."""

    async def handler(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache"),
                                (b"x-accel-buffering", b"no")]})
        gone = asyncio.Event()

        async def watch_disconnect() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    gone.set()
                    changes._wake()
                    return

        watcher = asyncio.ensure_future(watch_disconnect())
        seen = changes.version
        try:
            await send({"type": "http.response.body", "body": f"retry: 1000\nevent: hello\ndata: {seen}\n\n".encode(),
                        "more_body": True})
            while not gone.is_set() and not changes.closed:
                version = await changes.next_change(seen, KEEPALIVE_SECONDS)
                if gone.is_set() or changes.closed:
                    break
                if version == seen:
                    await send({"type": "http.response.body", "body": b": keepalive\n\n", "more_body": True})
                    continue
                seen = version
                await send({"type": "http.response.body", "body": f"event: change\ndata: {version}\n\n".encode(),
                            "more_body": True})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(gone.wait(), DEBOUNCE_SECONDS)
        except OSError:   # the client went away mid-write
            pass
        finally:
            watcher.cancel()
        with contextlib.suppress(OSError, RuntimeError):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    return handler

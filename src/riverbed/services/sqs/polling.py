"""Long-poll wake-ups: receivers waiting on a queue are woken in-process when a message commits.

Owns: the set of waiting receivers per queue (asyncio futures, each on its own event loop) and waking
them from any thread, plus :func:`wait_for_wake`, which races a wake-up against a clock sleep so that
the wait itself runs on ``app.clock`` (a ManualClock ``advance`` ends it just like real time).

Must not: read the store or decide what a receiver gets.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any


class Waiters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_queue: dict[str, set[asyncio.Future[None]]] = {}

    def register(self, queue: str) -> asyncio.Future[None]:
        """A future (on the running loop) that completes at the next :meth:`notify` of ``queue``."""
        future = asyncio.get_running_loop().create_future()
        with self._lock:
            self._by_queue.setdefault(queue, set()).add(future)
        return future

    def discard(self, queue: str, future: asyncio.Future[None]) -> None:
        with self._lock:
            waiting = self._by_queue.get(queue)
            if waiting is not None:
                waiting.discard(future)
                if not waiting:
                    del self._by_queue[queue]

    def notify(self, queue: str) -> None:
        """Wake every receiver waiting on ``queue`` (safe from any thread)."""
        with self._lock:
            waiting = self._by_queue.pop(queue, None)
        if not waiting:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for future in waiting:
            loop = future.get_loop()
            if loop is running:
                _wake(future)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_wake, future)

    def queues(self) -> list[str]:
        """The queues someone is waiting on."""
        with self._lock:
            return list(self._by_queue)

    def waiting(self, queue: str) -> int:
        with self._lock:
            return len(self._by_queue.get(queue, ()))


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def wait_for_wake(future: asyncio.Future[None], clock: Any, seconds: float) -> None:
    """Return when ``future`` completes or ``seconds`` of clock time pass, whichever is first."""
    if future.done():
        return
    sleeper = asyncio.ensure_future(clock.sleep(max(0.0, seconds)))
    try:
        await asyncio.wait((future, sleeper), return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not sleeper.done():
            sleeper.cancel()

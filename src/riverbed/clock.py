"""The only source of time in riverbed.

Owns: wall-clock time (``now``), real elapsed time for measuring durations
(``monotonic``), and waiting (``sleep`` / ``wait_until``).  Everything that
depends on time -- retention, TTL, shard rollover, batching windows, retry
backoff, record age, iterator expiry, visibility timeouts, metric timestamps
-- reads it from here so that tests can step it with a :class:`ManualClock`.

Must not: know about any service.  Nothing outside this module calls
``time.time``, ``time.sleep`` or ``datetime.now``.

Two kinds of waits exist on a manual clock:

* *pipeline* waits (batching windows, retry backoffs) are the pipeline's own
  delays; :meth:`ManualClock.skip_pipeline_waits` jumps the clock to the
  earliest of them so that ``drain()`` never stalls on virtual time;
* *world* waits (TTL sweeps, retention trims, shard rollover) move only
  when a test calls :meth:`ManualClock.advance`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime


class Clock:
    """Interface shared by both clocks."""

    manual = False

    def now(self) -> float:
        """Epoch seconds (float) -- the time AWS would stamp."""
        raise NotImplementedError

    def monotonic(self) -> float:
        """Real elapsed seconds, for durations (Lambda Duration, timeouts, benchmarks)."""
        return time.perf_counter()

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    async def sleep(self, seconds: float, *, pipeline: bool = False) -> None:
        """Wait ``seconds`` of clock time."""
        raise NotImplementedError

    async def wait_until(self, deadline: float, *, pipeline: bool = False) -> None:
        """Wait until ``now() >= deadline``."""
        await self.sleep(deadline - self.now(), pipeline=pipeline)

    def sleep_blocking_real(self, seconds: float) -> None:
        """Block the calling thread for real seconds (only for threads outside the event loop)."""
        time.sleep(seconds)


class SystemClock(Clock):
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float, *, pipeline: bool = False) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ExternalClock(Clock):
    """Time kept by an authority outside this process: the shared store's database (``Store.store_time``).

    Leases between riverbed nodes are measured in it (``core/leases.py``): whether another process is
    still alive is a question of real time, one time for every process, whatever the application's clock
    says (a manual clock never moves by itself; machines' wall clocks drift apart).  Reading the authority
    costs a round trip, so it is read once every ``resync_seconds`` and extrapolated in between with this
    process's monotonic time; ``now()`` never goes backwards.
    """

    def __init__(self, read: Callable[[], float], resync_seconds: float = 1.0) -> None:
        self._read = read
        self._resync = resync_seconds
        self._lock = threading.Lock()
        self._base = 0.0          # the authority's time ...
        self._at: float | None = None   # ... at this monotonic instant
        self._last = 0.0

    def now(self) -> float:
        with self._lock:
            mono = time.perf_counter()
            if self._at is None or mono - self._at >= self._resync:
                before = mono
                self._base = self._read()
                mono = time.perf_counter()
                self._at = (before + mono) / 2   # the read happened somewhere in the round trip
            self._last = max(self._last, self._base + (mono - self._at))
            return self._last

    async def sleep(self, seconds: float, *, pipeline: bool = False) -> None:
        await asyncio.sleep(max(0.0, seconds))


class _Waiter:
    __slots__ = ("deadline", "future", "loop", "pipeline")

    def __init__(self, deadline: float, pipeline: bool, future: asyncio.Future[None],
                 loop: asyncio.AbstractEventLoop) -> None:
        self.deadline = deadline
        self.pipeline = pipeline
        self.future = future
        self.loop = loop


class ManualClock(Clock):
    """A clock that moves only when told to.

    ``advance(s)`` moves time forward and wakes, in deadline order, every
    waiter whose deadline has passed.  Safe to call from any thread: waiters
    are woken on their own event loop.
    """

    manual = True

    def __init__(self, start: float | None = None) -> None:
        self._now = float(start if start is not None else time.time())
        self._lock = threading.Lock()
        self._heap: list[tuple[float, int, _Waiter]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def set(self, when: float) -> None:
        if when < self._now:
            raise ValueError("a manual clock never goes backwards")
        self.advance(when - self._now)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("advance() takes a non-negative number of seconds")
        target = self._now + float(seconds)
        # Step through deadlines in order so waiters observe time passing in order.
        while True:
            with self._lock:
                due: list[_Waiter] = []
                if self._heap and self._heap[0][0] <= target:
                    step = self._heap[0][0]
                    self._now = max(self._now, step)
                    while self._heap and self._heap[0][0] <= self._now:
                        due.append(heapq.heappop(self._heap)[2])
                else:
                    self._now = target
            if not due:
                return
            for waiter in due:
                _wake(waiter)

    def next_pipeline_deadline(self) -> float | None:
        with self._lock:
            live = [w.deadline for _, _, w in self._heap if w.pipeline and not w.future.done()]
        return min(live) if live else None

    def skip_pipeline_waits(self) -> bool:
        """Jump to the earliest pipeline wait, if one exists.  Returns whether time moved."""
        deadline = self.next_pipeline_deadline()
        if deadline is None:
            return False
        self.advance(max(0.0, deadline - self._now))
        return True

    def pending_waits(self) -> int:
        with self._lock:
            return sum(1 for _, _, w in self._heap if not w.future.done())

    async def sleep(self, seconds: float, *, pipeline: bool = False) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        waiter = _Waiter(self._now + seconds, pipeline, fut, loop)
        with self._lock:
            heapq.heappush(self._heap, (waiter.deadline, next(self._seq), waiter))
        try:
            await fut
        finally:
            if not fut.done():
                fut.cancel()


def _wake(waiter: _Waiter) -> None:
    def _set() -> None:
        if not waiter.future.done():
            waiter.future.set_result(None)

    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is waiter.loop:
        _set()
    elif not waiter.loop.is_closed():
        waiter.loop.call_soon_threadsafe(_set)


def make_clock(kind: str) -> Clock:
    if kind == "manual":
        return ManualClock()
    if kind == "system":
        return SystemClock()
    raise ValueError(f"unknown clock {kind!r} (expected 'system' or 'manual')")


def iso8601_millis(ts: float) -> str:
    """``2019-11-14T00:13:49.717Z`` -- the form AWS uses in JSON documents."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso8601_seconds(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

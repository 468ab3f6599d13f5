"""Group commit on the server's event loop: answers wait for the commit of the writes they saw.

Owns: turning the store's group commit on for a running server (``Store.group_commits``), flushing the
pending group once per turn of the event loop (after every request that was ready in that turn has run its
operation), and holding each answer until that flush: a request is acknowledged only after the transaction
it made, and any pending work it read, is committed.  A failed commit fails every request of the group.

Why: with one SQLite writer, each request paying for its own COMMIT (and writing its own copies of the
same pages to the WAL) is most of a write's storage cost under concurrency; requests that arrive together
can share one.

Must not: know services or HTTP; the gateway calls :meth:`GroupCommit.wait` before it answers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.storage.base import Store

log = logging.getLogger("riverbed.commits")


class GroupCommit:
    """One per running server: owns the flush schedule and the answers waiting for it."""

    def __init__(self, store: Store, loop: asyncio.AbstractEventLoop,
                 in_flight: Callable[[], int] | None = None) -> None:
        self.store = store
        self.loop = loop
        # How many requests the HTTP server is handling (this one included); None: unknown, always group.
        self.in_flight = in_flight
        self._thread = threading.get_ident()
        self._waiters: list[asyncio.Future[None]] = []

    def start(self) -> None:
        self.store.group_commits(self._schedule)

    def stop(self) -> None:
        self.store.group_commits(None)
        self._release(None)

    def pending(self) -> bool:
        return self.store.pending_commits()

    async def settle(self) -> None:
        """Return once what is pending is committed: at once when no other request is in flight (nothing
        could join the group, so waiting a loop turn would only add latency), else with the group."""
        if self.in_flight is not None and self.in_flight() <= 1:
            try:
                self.store.flush_commits()
            except Exception as exc:
                self._release(exc)
                raise
            self._release(None)
            return
        await self.wait()

    async def wait(self) -> None:
        """Return once the pending group is committed; raise what the commit raised if it failed."""
        waiter: asyncio.Future[None] = self.loop.create_future()
        self._waiters.append(waiter)
        await waiter

    def _schedule(self, flush: Callable[[], None]) -> None:
        # call_soon: the flush runs after the tasks already ready in this turn of the loop (the
        # requests that arrived together), before the loop waits for more input.
        if threading.get_ident() == self._thread:
            self.loop.call_soon(self._flush, flush)
        else:  # a transaction opened on another thread (none today): hand the flush to the loop
            self.loop.call_soon_threadsafe(self._flush, flush)

    def _flush(self, flush: Callable[[], None]) -> None:
        try:
            flush()
        except Exception as exc:
            log.exception("group commit failed; failing the requests that waited for it")
            self._release(exc)
        else:
            self._release(None)

    def _release(self, error: BaseException | None) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if waiter.done():
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)

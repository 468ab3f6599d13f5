"""Which node does which background work, when several riverbed nodes share one store.

Owns: this node's identity and its leases (``Store.acquire_lease`` and friends): a lease per exclusive
loop (``loop:<name>``: TTL sweeper, stream maintenance, replicator, alarm evaluation, queue expiry, ...),
per (mapping, shard) poller (``esm:<uuid>:<shard id>``) and the node's own heartbeat (``node:<id>``,
which ``riverbed status`` lists).  A holder renews a lease once a third of its time has passed; a node
that dies stops renewing, and another node takes the lease once it lapses (at most ``ttl`` later).

On a store owned by one process (``Store.shared`` false: SQLite) this node is the only one: every lease is
held without asking the store, so a single node behaves exactly as before leases existed.

Lease time is the database's (``lease_clock``): a lease decides whether another *process* is alive, so it
lapses in real time shared by every node, not in the application's clock, which may be a manual clock
that only a test moves (nodes started with ``--clock manual`` still take over a killed node's work) or,
across machines, a wall clock skewed against the others.

Must not: decide what the work is; callers ask ``hold(name)`` before each step of it.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import TYPE_CHECKING

from riverbed.clock import Clock, ExternalClock

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.storage.base import Store

NODE_PREFIX = "node:"


def new_node_id() -> str:
    """``host:pid:random``: unique per process, and says where to look for it."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def lease_clock(store: Store, clock: Clock) -> Clock:
    """The clock leases are measured in: the store's own time when several nodes share the store; on a
    store owned by one process leases are never asked of the store, and ``clock`` serves."""
    return ExternalClock(store.store_time) if store.shared else clock


class Leases:
    """This node's leases: ``hold`` before doing exclusive work, ``release_all`` when stopping.

    ``clock`` is the lease clock (``lease_clock``); tests may step leases with a manual one.
    """

    def __init__(self, store: Store, clock: Clock, ttl: float, node_id: str | None = None) -> None:
        self.store = store
        self.clock = clock
        self.ttl = max(0.5, ttl)
        self.node_id = node_id or new_node_id()
        self.shared = store.shared
        self._held: dict[str, float] = {}   # name -> when this node last acquired or renewed it

    def hold(self, name: str) -> bool:
        """True when this node holds ``name`` now (acquiring or renewing it in the store when due)."""
        if not self.shared:
            return True
        now = self.clock.now()
        since = self._held.get(name)
        if since is not None and now - since < self.ttl / 3:
            return True
        ok = (since is not None and self.store.renew_lease(name, self.node_id, now, self.ttl)) or \
            self.store.acquire_lease(name, self.node_id, now, self.ttl)
        if ok:
            self._held[name] = now
        else:
            self._held.pop(name, None)
        return ok

    def holds(self, name: str) -> bool:
        """Whether this node believes it holds ``name`` (no store access: for status and checks)."""
        return not self.shared or name in self._held

    def held(self, prefix: str = "") -> list[str]:
        """Names of the leases this node believes it holds, starting with ``prefix``."""
        return [name for name in self._held if name.startswith(prefix)]

    def release(self, name: str) -> None:
        """Give ``name`` up, so another node may take it at once."""
        if self._held.pop(name, None) is not None:
            self.store.release_lease(name, self.node_id)

    def release_all(self) -> None:
        for name in list(self._held):
            self.release(name)

    def heartbeat(self) -> bool:
        """Renew this node's own lease (``node:<id>``): live nodes are those whose lease is live."""
        return self.hold(NODE_PREFIX + self.node_id)

    def forget(self) -> None:
        """Drop what this node believes it holds (after the store was reset)."""
        self._held.clear()

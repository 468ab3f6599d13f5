"""Per-node caches of state held in the store, kept true when other nodes change that state.

Owns: the one way a service keeps something it read from the store (a document, or a value built from
documents) in memory: :class:`DocCache`.  Whoever changes what a cache entry was built from calls
``changed(txn, key)`` inside the transaction that changes it; that is ``Txn.notify(kind, key)``, so on
commit every cache of ``kind`` on every node sharing the store (LISTEN/NOTIFY on PostgreSQL; in-process on
SQLite) forgets ``key``, and the next ``get`` reads the store again.  A notification that may have been
missed (the engine lost its listening connection) arrives as ``""`` and empties the cache.

On a store shared by several nodes the cache reads through: another node's notification arrives a few
milliseconds after its commit, and a client that was answered by that node may already be asking this one
(unsubscribe there, publish here: the round-robin tests do exactly that), so a remembered value could be
one the client knows to be gone.  The store stays the one truth; ``changed`` still tells every node.

The other per-node caches that predate this class follow the same rule with channels of their own
(``tables``, ``streams``, ``mappings``, ``queues``); new caches should use this one.

Must not: decide what is cached or how it is built (the ``load`` callable does), or cache anything a
writer does not announce.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.storage.base import Store, Txn

V = TypeVar("V")


class DocCache(Generic[V]):
    """``get(key)`` -> ``load(key)``, remembered until some node announces ``changed(txn, key)``."""

    def __init__(self, store: Store, kind: str, load: Callable[[str], V]) -> None:
        self.kind = kind               # also the notification channel
        self._load = load
        self._values: dict[str, V] = {}
        self._lock = threading.Lock()
        self._generation = 0           # bumped on every forget: a load racing a change is not kept
        self._through = store.shared   # several nodes: read through (see the module docstring)
        store.subscribe(kind, self.forget)

    def get(self, key: str) -> V:
        if self._through:
            return self._load(key)
        with self._lock:
            if key in self._values:
                return self._values[key]
            generation = self._generation
        value = self._load(key)
        with self._lock:
            if generation == self._generation:
                self._values[key] = value
        return value

    def changed(self, txn: Txn, key: str) -> None:
        """Announce, inside the changing transaction, that ``key`` must be read again (here and on every node)."""
        txn.notify(self.kind, key)

    def forget(self, key: str) -> None:
        """Drop ``key`` (everything for ``""``): called by the store's notifications, on any thread."""
        with self._lock:
            self._generation += 1
            if key:
                self._values.pop(key, None)
            else:
                self._values.clear()

    def clear(self) -> None:
        self.forget("")

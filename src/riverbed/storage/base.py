"""The store interface: the only way services reach persistent state.

Owns: the contract every engine (SQLite today, PostgreSQL later) fulfils.
Services never write SQL; they call these methods inside a transaction:

    with store.transaction() as txn:
        old = txn.get_item(tid, hk, rk)
        txn.put_item(tid, hk, rk, data)
        txn.append_record(shard_no, seq, created, record)   # same transaction
        txn.after_commit(notify)                            # runs only if the commit succeeds

Reads outside a transaction see the latest committed state.  All methods are
synchronous and fast; an engine that must do network I/O would run them on a
thread of its own.

Data shapes: keys are order-preserving byte strings (``types.encode_key_value``),
items and stream records are opaque bytes (JSON) the engine never parses,
documents (metadata: tables, streams, functions, mappings, checkpoints ...)
are JSON-able dicts addressed by ``(kind, key)``.

Must not: know what a table, stream or function means beyond these shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Txn(Protocol):
    # --- documents (metadata) -------------------------------------------------
    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None: ...
    def put_doc(self, kind: str, key: str, doc: dict[str, Any]) -> None: ...
    def delete_doc(self, kind: str, key: str) -> None: ...
    def list_docs(self, kind: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        """Documents of ``kind`` whose key starts with ``prefix``, ordered by key."""
        ...

    # --- items -----------------------------------------------------------------
    def get_item(self, tid: int, hk: bytes, rk: bytes) -> bytes | None: ...
    def put_item(self, tid: int, hk: bytes, rk: bytes, data: bytes, size: int) -> None: ...
    def delete_item(self, tid: int, hk: bytes, rk: bytes) -> None: ...
    def query_items(self, tid: int, hk: bytes, *, low: bytes | None = None, low_inclusive: bool = True,
                    high: bytes | None = None, high_inclusive: bool = True, forward: bool = True,
                    ) -> Iterator[tuple[bytes, bytes]]:
        """``(rk, data)`` of one partition in range-key order (reverse when not ``forward``)."""
        ...
    def scan_items(self, tid: int, after: tuple[bytes, bytes] | None = None) -> Iterator[tuple[bytes, bytes, bytes]]:
        """``(hk, rk, data)`` of every item, ordered by ``(hk, rk)``, strictly after ``after``."""
        ...
    def drop_items(self, tid: int) -> None: ...
    def item_stats(self, tid: int) -> tuple[int, int]:
        """``(count, total size in bytes)``."""
        ...

    # --- secondary-index entries (one row per item that has the index's key attributes) ---------
    def index_put(self, iid: int, hk: bytes, rk: bytes, thk: bytes, trk: bytes, data: bytes, size: int) -> None:
        """Insert or replace the entry of table item ``(thk, trk)`` in index ``iid``."""
        ...
    def index_delete(self, iid: int, thk: bytes, trk: bytes) -> None: ...
    def index_query(self, iid: int, hk: bytes, *, low: bytes | None = None, low_inclusive: bool = True,
                    high: bytes | None = None, high_inclusive: bool = True, forward: bool = True,
                    after: tuple[bytes, bytes, bytes] | None = None,
                    ) -> Iterator[tuple[bytes, bytes, bytes, bytes]]:
        """``(rk, thk, trk, data)`` of one index partition ordered by ``(rk, thk, trk)``, after ``after``."""
        ...
    def index_scan(self, iid: int, after: tuple[bytes, bytes, bytes, bytes] | None = None
                   ) -> Iterator[tuple[bytes, bytes, bytes, bytes, bytes]]: ...
    def index_drop(self, iid: int) -> None: ...
    def index_stats(self, iid: int) -> tuple[int, int]: ...

    # --- stream records ----------------------------------------------------------
    def append_record(self, shard_no: int, seq: int, created: float, data: bytes) -> None: ...
    def read_records(self, shard_no: int, from_seq: int, limit: int) -> list[tuple[int, float, bytes]]:
        """Records with ``seq >= from_seq`` in sequence order: ``(seq, created, data)``."""
        ...
    def first_record(self, shard_no: int) -> tuple[int, float] | None:
        """``(seq, created)`` of the oldest retained record, if any."""
        ...
    def last_record_seq(self, shard_no: int) -> int | None: ...
    def trim_records(self, shard_no: int, created_before: float) -> int: ...
    def drop_records(self, shard_no: int) -> None: ...

    # --- counters ----------------------------------------------------------------
    def next_counter(self, name: str, step: int = 1) -> int:
        """Add ``step`` to the named counter and return the new value (first call returns ``step``)."""
        ...

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after this transaction commits (never if it rolls back)."""
        ...


class Store(Txn, Protocol):
    """A store answers reads directly and hands out write transactions."""

    def transaction(self) -> AbstractContextManager[Txn]: ...
    @property
    def queues(self) -> Any:
        """The SQS message section (queue rows, visibility, receipts, dedup); see ``storage/queues.py``."""
        ...
    def close(self) -> None: ...
    def reset(self) -> None:
        """Drop all state (testing API)."""
        ...

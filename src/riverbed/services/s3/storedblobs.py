"""Object bytes in the store, as chunks of about 1 MB: how every node sharing a store serves every object.

Chosen instead of :class:`~riverbed.services.s3.blobs.BlobStore` (files in one node's data directory) when the
store is shared (``Store.shared``, PostgreSQL): object metadata lives in the store, so the bytes must too, or
a GET through another node than the one that took the PUT finds no file.  Same interface as ``BlobStore``.

A PUT body still arrives spooled to this node's ``tmp/`` folder (``core.payload``); it is read back a chunk at
a time, written to the store (``Store.blob_put``, each chunk committed on its own) and the file removed.
Crash safety as with files: every chunk of a blob is committed before the caller commits the metadata that
names it, so a crash leaves at worst a blob no document names.  :meth:`sweep` removes those at start-up, but
only blobs whose last chunk is older than :data:`SWEEP_AGE` of store time: another node may be writing one
right now and commit its metadata in a moment.

A read that finds its blob gone (another node replaced or deleted the object between our reading its
document and its bytes) raises :class:`~riverbed.services.s3.blobs.BlobGone`; the operation reads the
document again.  Every blob has at least one chunk (an empty blob one empty chunk), so "gone" is decidable.

Must not: know about buckets, keys or metadata (the store's documents hold those).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from riverbed.core.payload import Payload
from riverbed.services.s3.blobs import CHUNK, BlobGone

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.storage.base import Store

SWEEP_AGE = 3600.0   # seconds of store time an unreferenced blob must have rested before the sweep removes it


class StoredBlobs:
    def __init__(self, store: Store, root: str) -> None:
        self.store = store
        self.root = root
        # The spool of PUT bodies: read back into the store at once, so never fsynced.
        self.durable = False
        self.tmp = os.path.join(root, "tmp")
        os.makedirs(self.tmp, exist_ok=True)

    def store_body(self, body: bytes | Payload) -> tuple[str, int, str]:
        """``(blob id, size, MD5 hex)`` of a request body: a spooled ``Payload`` copied in and its file removed."""
        if isinstance(body, Payload):
            try:
                blob_id = self.write_chunks(body.chunks())
            finally:
                body.discard()
            return blob_id, body.size, body.md5
        return self.write(body), len(body), hashlib.md5(body).hexdigest()

    def write(self, data: bytes) -> str:
        """Store ``data``; the new blob's id."""
        return self.write_chunks([data[i:i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""])

    def write_chunks(self, chunks: Iterable[bytes], observe: Callable[[bytes], None] | None = None) -> str:
        """Store the concatenation of ``chunks`` (``observe`` sees each one, e.g. to hash it), regrouped into
        chunks of :data:`CHUNK` bytes; on failure what was written is removed."""
        blob_id = uuid.uuid4().hex
        pos = 0
        pending: list[bytes] = []
        size = 0
        try:
            for chunk in chunks:
                if observe is not None:
                    observe(chunk)
                pending.append(chunk)
                size += len(chunk)
                while size >= CHUNK:
                    joined = b"".join(pending)
                    self._put(blob_id, pos, joined[:CHUNK])
                    pos += CHUNK
                    pending, size = [joined[CHUNK:]], len(joined) - CHUNK
            if size or pos == 0:   # the rest; an empty blob is one empty chunk
                self._put(blob_id, pos, b"".join(pending))
        except BaseException:
            self.store.blob_delete(blob_id)
            raise
        return blob_id

    def _put(self, blob_id: str, pos: int, data: bytes) -> None:
        with self.store.transaction() as txn:
            txn.blob_put(blob_id, pos, data, self.store.store_time())

    def read(self, blob_id: str, start: int = 0, end: int | None = None) -> bytes:
        """Bytes ``start`` to ``end`` (inclusive) of a blob; all of it by default.  Only the chunks holding
        them are read."""
        parts: list[bytes] = []
        for pos, data in self._chunks(blob_id, start, end):
            lo = max(start - pos, 0)
            hi = len(data) if end is None else min(end - pos + 1, len(data))
            if hi > lo:
                parts.append(data[lo:hi])
        out = b"".join(parts)
        if end is not None and len(out) != end - start + 1:
            raise BlobGone(blob_id)
        return out

    def chunks(self, blob_id: str) -> Iterator[bytes]:
        for _, data in self._chunks(blob_id, 0, None):
            yield data

    def _chunks(self, blob_id: str, start: int, end: int | None) -> Iterator[tuple[int, bytes]]:
        """The chunks covering ``start``..``end``, checked to follow each other.  A blob is deleted at once, so
        a read to the end that it cut short stops after a full chunk (only the last chunk of a blob is
        shorter): then the blob must still exist.  A read up to ``end`` is checked by its length (``read``)."""
        expected: int | None = None
        last = b""
        for pos, data in self.store.blob_read(blob_id, start, end):
            if expected is not None and pos != expected:
                raise BlobGone(blob_id)
            expected = pos + len(data)
            last = data
            yield pos, data
        if expected is None or (end is None and len(last) >= CHUNK
                                and next(iter(self.store.blob_read(blob_id, 0, 0)), None) is None):
            raise BlobGone(blob_id)

    def copy(self, blob_id: str) -> str:
        return self.write_chunks(self.chunks(blob_id))

    def delete(self, blob_id: str) -> None:
        self.store.blob_delete(blob_id)

    def sweep(self, referenced: set[str]) -> int:
        """Remove this node's spooled files and the store's blobs no document names that have rested for
        :data:`SWEEP_AGE` (younger ones may be another node's upload in progress); how many."""
        removed = 0
        for name in os.listdir(self.tmp):
            os.unlink(os.path.join(self.tmp, name))
            removed += 1
        for blob_id in self.store.blob_list(self.store.store_time() - SWEEP_AGE):
            if blob_id not in referenced:
                self.store.blob_delete(blob_id)
                removed += 1
        return removed

    def clear(self) -> None:
        """Forget this node's spooled files (the store's reset drops the blobs with everything else)."""
        shutil.rmtree(self.tmp, ignore_errors=True)
        os.makedirs(self.tmp, exist_ok=True)

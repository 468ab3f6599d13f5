"""Object bytes as files: written whole to a temporary file and renamed into place before anyone sees them.

A PUT body arrives already spooled to ``tmp/`` by the gateway (``core.payload``; S3's description asks for
it) and is adopted by a rename, so a large upload is never held in memory.

Owns: the ``blobs/`` and ``tmp/`` folders under S3's data directory.  A blob is written to ``tmp/``,
flushed (and fsynced when the data directory is persistent) and renamed to ``blobs/<id>``; only then
does the caller commit the metadata that names it, so a crash (even ``kill -9`` mid-upload) leaves at
worst an unreferenced file, never an object whose bytes are partial.  :meth:`BlobStore.sweep` removes
those leftovers at start-up.

Must not: know about buckets, keys or metadata (the store's documents hold those).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator

from riverbed.core.payload import BodyStream, Payload

CHUNK = 1024 * 1024


class BlobGone(LookupError):
    """A blob is missing, or was deleted while being read: on a shared store another node replaced or deleted
    the object between our reading its document and its bytes (``storedblobs``); read the document again."""


class BlobStore:
    def __init__(self, root: str, durable: bool) -> None:
        self.root = root
        self.durable = durable
        self.blobs = os.path.join(root, "blobs")
        self.tmp = os.path.join(root, "tmp")
        os.makedirs(self.blobs, exist_ok=True)
        os.makedirs(self.tmp, exist_ok=True)

    def path(self, blob_id: str) -> str:
        return os.path.join(self.blobs, blob_id)

    def adopt(self, path: str) -> str:
        """Take a file already written (and fsynced when durable) under ``tmp/`` as a new blob, renamed into
        place: how a request body spooled as it arrived (``core.payload``) becomes an object's bytes."""
        blob_id = uuid.uuid4().hex
        os.replace(path, self.path(blob_id))
        return blob_id

    def store_body(self, body: bytes | Payload) -> tuple[str, int, str]:
        """``(blob id, size, MD5 hex)`` of a request body: bytes written, a spooled ``Payload`` adopted."""
        if isinstance(body, Payload):
            return self.adopt(body.path), body.size, body.md5
        return self.write(body), len(body), hashlib.md5(body).hexdigest()

    def write(self, data: bytes) -> str:
        """Store ``data``; the new blob's id."""
        return self.write_chunks([data])

    def write_chunks(self, chunks: Iterable[bytes], observe: Callable[[bytes], None] | None = None) -> str:
        """Store the concatenation of ``chunks`` (``observe`` sees each one, e.g. to hash it)."""
        blob_id = uuid.uuid4().hex
        tmp = os.path.join(self.tmp, blob_id)
        try:
            with open(tmp, "wb") as fh:
                for chunk in chunks:
                    if observe is not None:
                        observe(chunk)
                    fh.write(chunk)
                fh.flush()
                if self.durable:
                    os.fsync(fh.fileno())
            os.replace(tmp, self.path(blob_id))
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return blob_id

    def read(self, blob_id: str, start: int = 0, end: int | None = None) -> bytes:
        """Bytes ``start`` to ``end`` (inclusive) of a blob; all of it by default."""
        with open(self.path(blob_id), "rb") as fh:
            fh.seek(start)
            return fh.read() if end is None else fh.read(end - start + 1)

    def stream(self, blob_id: str, start: int = 0, end: int | None = None) -> BodyStream:
        """Bytes ``start`` to ``end`` (inclusive) of a blob as a stream sent from the file (never whole in
        memory); the file is opened now, so a later replacement of the object does not change it."""
        fh = open(self.path(blob_id), "rb")   # the stream closes it
        size = os.fstat(fh.fileno()).st_size
        stop = size - 1 if end is None else min(end, size - 1)
        return BodyStream(fh, start, max(0, stop - start + 1))

    def chunks(self, blob_id: str) -> Iterator[bytes]:
        with open(self.path(blob_id), "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    def copy(self, blob_id: str) -> str:
        return self.write_chunks(self.chunks(blob_id))

    def delete(self, blob_id: str) -> None:
        try:
            os.unlink(self.path(blob_id))
        except FileNotFoundError:
            pass

    def sweep(self, referenced: set[str]) -> int:
        """Remove temporary files and blobs no document names (what a crash can leave); how many."""
        removed = 0
        for name in os.listdir(self.tmp):
            os.unlink(os.path.join(self.tmp, name))
            removed += 1
        for name in os.listdir(self.blobs):
            if name not in referenced:
                os.unlink(self.path(name))
                removed += 1
        return removed

    def clear(self) -> None:
        shutil.rmtree(self.blobs, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        os.makedirs(self.blobs, exist_ok=True)
        os.makedirs(self.tmp, exist_ok=True)

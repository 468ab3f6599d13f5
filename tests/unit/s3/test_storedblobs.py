"""Blobs in the store (a shared store's object bytes): chunked writes, range reads, vanished blobs, the sweep.

Driven on a SQLite store, whose blob methods follow the same contract as PostgreSQL's
(tests/contract/storage); the cross-node behaviour is in tests/multinode/test_s3_nodes.py.
"""

from __future__ import annotations

import os

import pytest

from riverbed.core.payload import PayloadSink
from riverbed.services.s3 import storedblobs
from riverbed.services.s3.blobs import BlobGone
from riverbed.services.s3.storedblobs import StoredBlobs
from riverbed.storage import open_store


@pytest.fixture
def blobs(tmp_path, monkeypatch):
    monkeypatch.setattr(storedblobs, "CHUNK", 4)   # many chunks from a few bytes
    store = open_store("sqlite", None)
    yield StoredBlobs(store, str(tmp_path))
    store.close()


def test_a_spooled_body_is_copied_in_chunks_and_its_file_removed(blobs):
    sink = PayloadSink(blobs.tmp, {})
    sink.write(b"0123456789")
    sink.write(b"abc")
    payload = sink.finish()
    blob, size, md5 = blobs.store_body(payload)
    assert (size, md5) == (13, payload.md5) and os.listdir(blobs.tmp) == []
    assert [pos for pos, _ in blobs.store.blob_read(blob)] == [0, 4, 8, 12]
    assert blobs.read(blob) == b"0123456789abc"
    assert blobs.read(blob, 5, 9) == b"56789" and blobs.read(blob, 12, 12) == b"c"
    assert b"".join(blobs.chunks(blobs.copy(blob))) == b"0123456789abc"


def test_an_empty_blob_exists_and_reads_empty(blobs):
    blob, size, _ = blobs.store_body(b"")
    assert size == 0 and blobs.read(blob) == b"" and list(blobs.chunks(blob)) == [b""]
    assert blobs.read(blobs.copy(blob)) == b""


def test_a_deleted_or_vanishing_blob_raises_blob_gone(blobs):
    blob = blobs.write(b"0123456789")
    reading = blobs.chunks(blob)
    assert next(reading) == b"0123"
    blobs.delete(blob)                      # another node replaced the object meanwhile
    with pytest.raises(BlobGone):
        list(reading)
    with pytest.raises(BlobGone):
        blobs.read(blob, 0, 3)
    with pytest.raises(BlobGone):
        blobs.copy(blob)
    assert blobs.store.blob_list(blobs.store.store_time() + 10) == []   # the failed copy left nothing


def test_a_failed_write_leaves_nothing(blobs):
    def chunks():
        yield b"012345678"
        raise OSError("client went away")

    with pytest.raises(OSError):
        blobs.write_chunks(chunks())
    assert blobs.store.blob_list(blobs.store.store_time() + 10) == []


def test_the_sweep_spares_referenced_and_recent_blobs(blobs):
    now = blobs.store.store_time()
    kept, recent = blobs.write(b"kept"), blobs.write(b"in progress elsewhere")
    for name in ("old-orphan", "old-kept"):
        blobs.store.blob_put(name, 0, b"x", now - storedblobs.SWEEP_AGE - 60)
    with open(os.path.join(blobs.tmp, "spooled"), "wb") as fh:
        fh.write(b"left by a crash")
    assert blobs.sweep({kept, "old-kept"}) == 2        # the spooled file and the old orphan
    assert os.listdir(blobs.tmp) == []
    assert blobs.read(kept) == b"kept" and blobs.read(recent) == b"in progress elsewhere"
    assert blobs.read("old-kept") == b"x"
    with pytest.raises(BlobGone):
        blobs.read("old-orphan")

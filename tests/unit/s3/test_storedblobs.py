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
    blob = blobs.write(b"0123456789" * 4)   # ten chunks: more than one page of the store's blob reads
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


def test_a_read_whose_blob_another_node_dropped_reads_the_new_version(tmp_path):
    """The race a shared store allows: the document is read, another node replaces the object and drops the old
    bytes, then the old blob is read.  The read starts over and answers the new object (never a 500)."""
    from riverbed.clock import ManualClock
    from riverbed.services.s3.service import BUCKET, S3Service

    store = open_store("sqlite", None)
    s3 = S3Service(store, ManualClock(), str(tmp_path), "000000000000")
    try:
        s3.blobs = StoredBlobs(store, str(tmp_path / "s3"))   # what a shared store chooses
        with store.transaction() as txn:
            txn.put_doc(BUCKET, "b", {"Name": "b"})
        s3.write_object("b", "k", b"old")
        read = s3.blobs.read
        calls = []

        def read_after_a_replace(blob_id, start=0, end=None):
            if not calls:
                s3.write_object("b", "k", b"new")   # "another node": the old blob is deleted after its commit
            calls.append(blob_id)
            return read(blob_id, start, end)

        s3.blobs.read = read_after_a_replace
        assert s3.read_object("b", "k") == b"new"
        assert len(calls) == 2 and calls[0] != calls[1]
    finally:
        s3.close()
        store.close()

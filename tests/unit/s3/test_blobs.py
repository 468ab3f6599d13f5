"""Blob files: renamed into place whole, or not at all."""

from __future__ import annotations

import os

import pytest

from riverbed.services.s3.blobs import BlobStore


def test_a_failed_write_leaves_nothing(tmp_path):
    blobs = BlobStore(str(tmp_path), durable=True)

    def chunks():
        yield b"first"
        raise OSError("disk gone")

    with pytest.raises(OSError):
        blobs.write_chunks(chunks())
    assert os.listdir(blobs.tmp) == [] and os.listdir(blobs.blobs) == []


def test_read_ranges_and_sweep(tmp_path):
    blobs = BlobStore(str(tmp_path), durable=False)
    keep = blobs.write(b"0123456789")
    drop = blobs.write(b"orphan")
    assert blobs.read(keep, 2, 4) == b"234"
    assert blobs.sweep({keep}) == 1
    assert os.listdir(blobs.blobs) == [keep] and drop not in os.listdir(blobs.blobs)

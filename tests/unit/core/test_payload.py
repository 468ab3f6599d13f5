"""PayloadSink: a body spooled to a file as it arrives, aws-chunked decoded on the fly, hashed on the way."""

from __future__ import annotations

import hashlib
import os
import random

import pytest

from riverbed.core import checksums
from riverbed.core.payload import PayloadError, PayloadSink


def aws_chunked(data: bytes, size: int, trailer: str) -> bytes:
    out = b""
    for i in range(0, len(data), size):
        piece = data[i:i + size]
        out += f"{len(piece):x};chunk-signature={'0' * 64}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n" + trailer.encode() + b"\r\nx-amz-trailer-signature:abc\r\n\r\n"


def feed(sink: PayloadSink, body: bytes, seed: int) -> None:
    rng = random.Random(seed)
    pos = 0
    while pos < len(body):   # cut anywhere: inside sizes, data, CRLFs and trailers
        step = rng.choice((1, 2, 3, 7, 100, 5000))
        sink.write(body[pos:pos + step])
        pos += step


@pytest.mark.parametrize("seed", range(5))
def test_aws_chunked_body_decoded_across_any_cut(tmp_path, seed):
    data = os.urandom(20_000 + seed)
    crc = checksums.checksum("CRC32", data)
    body = aws_chunked(data, 8192, f"x-amz-checksum-crc32:{crc}")
    sink = PayloadSink(str(tmp_path), {"content-encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32"})
    feed(sink, body, seed)
    payload = sink.finish()
    assert payload.read() == data and payload.size == len(data)
    assert payload.md5 == hashlib.md5(data).hexdigest() and payload.sha256 == hashlib.sha256(data).hexdigest()
    assert payload.checksums == {"CRC32": crc}   # computed on the way: the trailer named it
    assert payload.trailers == {"x-amz-checksum-crc32": crc}
    assert payload.checksum("SHA1") == checksums.checksum("SHA1", data)   # read back when not computed
    payload.discard()
    assert os.listdir(tmp_path) == []


def test_plain_body_and_truncated_chunked_body(tmp_path):
    sink = PayloadSink(str(tmp_path), {"x-amz-checksum-sha256": "x"})
    feed(sink, b"hello world" * 1000, 1)
    payload = sink.finish()
    assert payload.read() == b"hello world" * 1000 and set(payload.checksums) == {"SHA256"}
    payload.discard()

    cut = PayloadSink(str(tmp_path), {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    cut.write(aws_chunked(b"abc" * 100, 64, "")[:50])
    with pytest.raises(PayloadError):
        cut.finish()
    bad = PayloadSink(str(tmp_path), {"content-encoding": "aws-chunked"})
    with pytest.raises(PayloadError):
        bad.write(b"zz\r\n")
    bad.discard()
    assert os.listdir(tmp_path) == []

"""The framing spoken between the server and a worker process over its pipes.

Owns: the wire form of one message.  A frame is an 8-byte header (two
big-endian unsigned 32-bit lengths: metadata, body), then the metadata as an
orjson-encoded object, then the body as raw bytes.  The body carries the
event and the response untouched, so a 6 MB payload is never re-encoded.

Messages (``t`` in the metadata):

* worker -> server, once after start: ``ready`` (handler imported) or
  ``init_error`` (body: the AWS error object as JSON); both carry ``log``
  (what the init phase printed) and ``mem`` (max RSS in MB so far);
* server -> worker: ``invoke`` with ``id`` (request id), ``arn`` (invoked
  function ARN) and ``timeout_ms``; body: the event JSON;
* worker -> server: ``result`` with ``ok``, ``error_type``, ``log`` and
  ``mem``; body: the response bytes or the error object JSON.

Must not: import asyncio or anything else heavy -- the worker imports this
module before the handler, and every millisecond here is cold-start time.
The server side only needs an object with ``readexactly`` (asyncio's
``StreamReader``).
"""

from __future__ import annotations

import os
import struct
from typing import Any, Protocol

import orjson

HEADER = struct.Struct(">II")
MAX_FRAME_PART = 2**32 - 1


class FrameReader(Protocol):
    async def readexactly(self, n: int) -> bytes: ...


def encode_frame(meta: dict[str, Any], body: bytes = b"") -> bytes:
    """One frame as bytes."""
    head = orjson.dumps(meta)
    if len(body) > MAX_FRAME_PART:
        raise ValueError("frame body too large")
    return HEADER.pack(len(head), len(body)) + head + body


async def read_frame(reader: FrameReader) -> tuple[dict[str, Any], bytes]:
    """Read one frame from an asyncio stream.  Raises ``asyncio.IncompleteReadError`` at EOF."""
    meta_len, body_len = HEADER.unpack(await reader.readexactly(HEADER.size))
    data = await reader.readexactly(meta_len + body_len)
    return orjson.loads(data[:meta_len]), data[meta_len:]


# --- the worker's side: plain blocking file descriptors ------------------------


def _read_exactly_fd(fd: int, n: int) -> bytes | None:
    if n == 0:
        return b""
    first = os.read(fd, n)
    if not first:
        return None
    if len(first) == n:
        return first
    buf = bytearray(first)
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def read_frame_fd(fd: int) -> tuple[dict[str, Any], bytes] | None:
    """Read one frame from a blocking fd; ``None`` when the server has gone (EOF)."""
    head = _read_exactly_fd(fd, HEADER.size)
    if head is None:
        return None
    meta_len, body_len = HEADER.unpack(head)
    data = _read_exactly_fd(fd, meta_len + body_len)
    if data is None:
        return None
    return orjson.loads(data[:meta_len]), data[meta_len:]


def write_frame_fd(fd: int, meta: dict[str, Any], body: bytes = b"") -> None:
    """Write one whole frame to a blocking fd."""
    view = memoryview(encode_frame(meta, body))
    while view:
        written = os.write(fd, view)
        view = view[written:]

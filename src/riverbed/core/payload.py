"""Bodies on disk, so that large S3 objects never sit whole in memory: request bodies spooled to a file as
they arrive, hashed on the way (large PUTs), and answer bodies read from a file as they are sent (large GETs).

Owns: :class:`PayloadSink` (fed the body's chunks by the gateway as the HTTP server hands them over; decodes
an aws-chunked body on the fly, keeping its trailing headers; computes the MD5, the SHA-256 and the
checksums the request's headers name while writing) and :class:`Payload` (the finished body: a file in a
temporary folder of the service, its size, its digests).  A service adopts the file by renaming it into
place (same folder tree, so the rename is atomic) or lets :meth:`Payload.discard` remove it; a crash
leaves only a file in the temporary folder, which the service sweeps at start-up.  :class:`BodyStream` is
the other direction: a byte range of an open file that the gateway sends chunk by chunk (the file is opened
when the stream is made, so replacing or deleting the object meanwhile does not change what is sent).

Why here: services must not import the protocol layer, and both sides need the type.

Must not: know about S3 objects, buckets or HTTP (it sees bytes and a few header names only).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from typing import Any

from riverbed.core import checksums

CHUNK = 1024 * 1024


class PayloadError(ValueError):
    """An aws-chunked body that is not well formed (the protocol layer answers IncompleteBody)."""


class Payload:
    """A request body on disk: ``path``, ``size``, ``md5`` and ``sha256`` (hex), ``checksums`` computed while it
    arrived (base64, for the algorithms the request's headers named), ``trailers`` of an aws-chunked body."""

    def __init__(self, path: str, size: int, md5: str, sha256: str, sums: dict[str, str],
                 trailers: dict[str, str]) -> None:
        self.path = path
        self.size = size
        self.md5 = md5
        self.sha256 = sha256
        self.checksums = sums
        self.trailers = trailers

    def checksum(self, algorithm: str) -> str:
        """The payload's checksum in S3's base64 text (read back from the file when not computed on arrival)."""
        if algorithm not in self.checksums:
            hasher = checksums.hasher(algorithm)
            for chunk in self.chunks():
                hasher.update(chunk)
            self.checksums[algorithm] = checksums.encode(hasher.digest())
        return self.checksums[algorithm]

    def chunks(self) -> Iterator[bytes]:
        with open(self.path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    def read(self) -> bytes:
        with open(self.path, "rb") as fh:
            return fh.read()

    def discard(self) -> None:
        """Remove the file unless a service adopted it."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def __len__(self) -> int:
        return self.size

    def __bool__(self) -> bool:
        return True   # a Payload is present even when empty: ``req.get("Body") or b""`` keeps it

    def __repr__(self) -> str:
        return f"<Payload {self.size} bytes md5={self.md5}>"


class PayloadSink:
    """Receives a body chunk by chunk and writes its payload to ``directory`` (see the module docstring).

    ``headers`` are the request's lower-case headers: ``content-encoding: aws-chunked`` or an
    ``x-amz-content-sha256: STREAMING-...`` value mean the body is aws-chunked
    (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html); ``x-amz-checksum-*``,
    ``x-amz-trailer`` and ``x-amz-sdk-checksum-algorithm`` name the checksums worth computing on the way.
    """

    def __init__(self, directory: str, headers: dict[str, str], durable: bool = False) -> None:
        self.path = os.path.join(directory, "upload-" + uuid.uuid4().hex)
        self.durable = durable
        self.chunked = "aws-chunked" in headers.get("content-encoding", "") or headers.get(
            "x-amz-content-sha256", "").startswith("STREAMING-")
        wanted = {a for a in checksums.ALGORITHMS if checksums.header_name(a) in headers}
        for name in (headers.get("x-amz-trailer", ""), headers.get("x-amz-sdk-checksum-algorithm", "")):
            for part in name.split(","):
                algorithm = part.strip().lower().removeprefix("x-amz-checksum-").upper()
                if algorithm in checksums.ALGORITHMS:
                    wanted.add(algorithm)
        self._hashers: dict[str, Any] = {a: checksums.hasher(a) for a in sorted(wanted)}
        self._md5 = hashlib.md5()
        self._sha256 = hashlib.sha256()
        self._file = open(self.path, "wb")   # closed in finish() or discard()
        self.size = 0
        # aws-chunked decoding state: the bytes not yet decoded, the data left in the current chunk
        self._pending = bytearray()
        self._left = 0
        self._done = False
        self._trailer_text = bytearray()

    def write(self, chunk: bytes) -> None:
        if not self.chunked:
            self._data(chunk)
            return
        if self._done:
            self._trailer_text += chunk
            return
        self._pending += chunk
        self._decode()

    def _decode(self) -> None:
        buf = self._pending
        pos = 0
        while not self._done:
            if self._left:
                take = min(self._left, len(buf) - pos)
                if take <= 0:
                    break
                self._data(bytes(buf[pos:pos + take]))
                pos += take
                self._left -= take
                continue
            if len(buf) - pos >= 2 and buf[pos:pos + 2] == b"\r\n":   # the CRLF after a chunk's data
                pos += 2
            end = buf.find(b"\r\n", pos)
            if end < 0:
                if len(buf) - pos > 4096:
                    raise PayloadError("chunk header too long")
                break
            size_text = bytes(buf[pos:end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise PayloadError("bad chunk size") from None
            pos = end + 2
            if size == 0:
                self._done = True
                self._trailer_text += buf[pos:]
                pos = len(buf)
            else:
                self._left = size
        del buf[:pos]

    def _data(self, data: bytes) -> None:
        self._file.write(data)
        self.size += len(data)
        self._md5.update(data)
        self._sha256.update(data)
        for hasher in self._hashers.values():
            hasher.update(data)

    def finish(self) -> Payload:
        """Close the file; the :class:`Payload`.  Raises :class:`PayloadError` for a truncated aws-chunked body."""
        try:
            if self.chunked and (not self._done or self._left):
                raise PayloadError("the aws-chunked body ended early")
            self._file.flush()
            if self.durable:
                os.fsync(self._file.fileno())
            self._file.close()
        except BaseException:
            self.discard()
            raise
        trailers: dict[str, str] = {}
        for line in bytes(self._trailer_text).split(b"\r\n"):
            name, sep, value = line.decode("latin-1").partition(":")
            if sep and line.strip() and not name.startswith("x-amz-trailer-signature"):
                trailers[name.strip().lower()] = value.strip()
        sums = {a: checksums.encode(h.digest()) for a, h in self._hashers.items()}
        return Payload(self.path, self.size, self._md5.hexdigest(), self._sha256.hexdigest(), sums, trailers)

    def discard(self) -> None:
        """Drop what was written (a refused or failed request)."""
        if not self._file.closed:
            self._file.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class BodyStream:
    """``length`` bytes of an open file from ``start``, handed out in chunks by :meth:`chunks` (once), the file
    closed at the end; :meth:`read` takes them all at once (for a caller that wants bytes)."""

    def __init__(self, fh: Any, start: int, length: int) -> None:
        self._fh = fh
        self._start = start
        self.length = length

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        try:
            self._fh.seek(self._start)
            left = self.length
            while left > 0:
                data = self._fh.read(min(size, left))
                if not data:    # the file is shorter than it was said to be: end here (never block)
                    break
                left -= len(data)
                yield data
        finally:
            self.close()

    def read(self) -> bytes:
        return b"".join(self.chunks())

    def close(self) -> None:
        self._fh.close()

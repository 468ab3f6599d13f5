"""Object checksums as S3 computes them: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 and the MD5 of ETags.

Owns: the algorithms (incremental hashers), their base64 text as S3 writes it in ``x-amz-checksum-*``
headers, and the names of those headers.  CRC32 comes from :mod:`zlib` and the SHAs from
:mod:`hashlib`; CRC32C and CRC64NVME (the CRC-64/NVME that current SDKs default to) from ``awscrt``, the
native library the AWS SDKs use for them (S3 computes them only when a client asks for them).

Must not: know about requests, objects or storage; the protocol layer verifies request payloads with
these hashers and the S3 service computes stored and composite checksums with them.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Callable
from typing import Protocol

import awscrt.checksums as crt

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


def header_name(algorithm: str) -> str:
    """``x-amz-checksum-crc32`` for ``CRC32``."""
    return "x-amz-checksum-" + algorithm.lower()


def member_name(algorithm: str) -> str:
    """The model member carrying this checksum: ``ChecksumCRC32`` for ``CRC32``."""
    return "Checksum" + algorithm.upper()


class Hasher(Protocol):
    def update(self, data: bytes) -> None: ...
    def digest(self) -> bytes: ...


class _CrtCrc:
    """CRC32C or CRC64NVME from ``awscrt`` (the AWS SDKs' own native checksums), fed incrementally."""

    def __init__(self, func: Callable[[bytes, int], int], width: int) -> None:
        self.func = func
        self.width = width
        self.crc = 0

    def update(self, data: bytes) -> None:
        self.crc = self.func(data, self.crc)

    def digest(self) -> bytes:
        return self.crc.to_bytes(self.width // 8, "big")


class _Crc32:
    def __init__(self) -> None:
        self.crc = 0

    def update(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)

    def digest(self) -> bytes:
        return self.crc.to_bytes(4, "big")


class _Hashlib:
    def __init__(self, name: str) -> None:
        self.h = hashlib.new(name)

    def update(self, data: bytes) -> None:
        self.h.update(data)

    def digest(self) -> bytes:
        return self.h.digest()


def hasher(algorithm: str) -> Hasher:
    """A fresh incremental hasher for one of :data:`ALGORITHMS` (or ``MD5``)."""
    name = algorithm.upper()
    if name == "CRC32":
        return _Crc32()
    if name == "CRC32C":
        return _CrtCrc(crt.crc32c, 32)
    if name == "CRC64NVME":
        return _CrtCrc(crt.crc64nvme, 64)
    if name in ("SHA1", "SHA256", "MD5"):
        return _Hashlib(name.lower())
    raise ValueError(f"unknown checksum algorithm {algorithm}")


def encode(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def checksum(algorithm: str, data: bytes) -> str:
    """The base64 checksum of ``data`` as S3 writes it."""
    h = hasher(algorithm)
    h.update(data)
    return encode(h.digest())

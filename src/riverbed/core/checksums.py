"""Object checksums as S3 computes them: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 and the MD5 of ETags.

Owns: the algorithms (incremental hashers), their base64 text as S3 writes it in ``x-amz-checksum-*``
headers, and the names of those headers.  CRC32 comes from :mod:`zlib` and the SHAs from
:mod:`hashlib`; CRC32C (Castagnoli, reflected 0x82F63B78) and CRC64NVME (reflected
0x9A6C9329AC4BC9B5, the Rocksoft CRC-64/NVME) are table-driven pure Python — correct, but about
1 MB/s, so S3 computes them only when a client asks for them (boto3 without ``awscrt`` sends CRC32).

Must not: know about requests, objects or storage; the protocol layer verifies request payloads with
these hashers and the S3 service computes stored and composite checksums with them.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Protocol

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


def _reflected_table(poly: int, width: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc & ((1 << width) - 1))
    return table


_CRC32C_TABLE = _reflected_table(0x82F63B78, 32)
_CRC64NVME_TABLE = _reflected_table(0x9A6C9329AC4BC9B5, 64)


class _TableCrc:
    """A reflected CRC with all-ones initial value and final xor (CRC32C, CRC64NVME)."""

    def __init__(self, table: list[int], width: int) -> None:
        self.table = table
        self.width = width
        self.mask = (1 << width) - 1
        self.crc = self.mask

    def update(self, data: bytes) -> None:
        crc, table = self.crc, self.table
        for byte in data:
            crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
        self.crc = crc

    def digest(self) -> bytes:
        return (self.crc ^ self.mask).to_bytes(self.width // 8, "big")


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
        return _TableCrc(_CRC32C_TABLE, 32)
    if name == "CRC64NVME":
        return _TableCrc(_CRC64NVME_TABLE, 64)
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

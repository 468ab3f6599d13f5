"""Shard iterators: opaque, tamper-evident, expiring positions in a shard.

Owns: encoding ``(stream ARN, shard id, next sequence counter, issue time)``
into the ``<streamArn>|1|<payload>.<hmac>`` form and decoding it back with
AWS's errors (ValidationException for a forged or mangled iterator,
ExpiredIteratorException after ``iterator_ttl_seconds`` -- 15 minutes on
DynamoDB Streams, spec/divergences.md #1).

Must not: read records.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import UTC

import orjson

from riverbed.errors import ExpiredIteratorException, ValidationException


@dataclass(frozen=True)
class Position:
    stream_arn: str
    shard_id: str
    seq: int
    issued: float


class IteratorCodec:
    def __init__(self, secret: bytes | None = None, ttl_seconds: float = 900.0) -> None:
        self.secret = secret or os.urandom(32)
        self.ttl = ttl_seconds

    def encode(self, pos: Position) -> str:
        payload = base64.urlsafe_b64encode(orjson.dumps([pos.shard_id, pos.seq, pos.issued])).decode().rstrip("=")
        mac = hmac.new(self.secret, f"{pos.stream_arn}|{payload}".encode(), hashlib.sha256).hexdigest()[:32]
        return f"{pos.stream_arn}|1|{payload}.{mac}"

    def decode(self, text: str, now: float) -> Position:
        try:
            arn, version, rest = text.rsplit("|", 2)
            payload, mac = rest.rsplit(".", 1)
            expected = hmac.new(self.secret, f"{arn}|{payload}".encode(), hashlib.sha256).hexdigest()[:32]
            if version != "1" or not hmac.compare_digest(mac, expected):
                raise ValueError("bad mac")
            shard_id, seq, issued = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            pos = Position(arn, str(shard_id), int(seq), float(issued))
        except (ValueError, TypeError, orjson.JSONDecodeError):
            raise ValidationException("Invalid ShardIterator") from None
        if now - pos.issued > self.ttl:
            raise ExpiredIteratorException("Iterator expired. The iterator was created at time "
                                           f"{_fmt(pos.issued)} while right now it is {_fmt(now)} which is further "
                                           f"in the future than the tolerated delay of {int(self.ttl * 1000)} "
                                           "milliseconds.")
        return pos


def _fmt(ts: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(ts, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")

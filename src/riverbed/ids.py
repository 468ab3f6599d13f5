"""Identifiers: ARNs, request ids, table ids, shard ids, stream labels, sequence numbers.

Owns: the textual form of every identifier riverbed hands out, in AWS's format.
Must not: keep state (counters live with their owners, e.g. the stream's
sequence counter lives in the store).
"""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, datetime

SEQUENCE_DIGITS = 21


def request_id() -> str:
    """A version-4 UUID as text; from ``random`` (ids, not secrets), half the cost of than ``uuid.uuid4``."""
    h = f"{random.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def new_uuid() -> str:
    return str(uuid.uuid4())


def partition_for(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def table_arn(region: str, account: str, table: str) -> str:
    return f"arn:{partition_for(region)}:dynamodb:{region}:{account}:table/{table}"


def stream_label(ts: float) -> str:
    """``YYYY-MM-DDThh:mm:ss.mmm`` in UTC."""
    ms = round(ts * 1000)
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}"


def stream_arn(region: str, account: str, table: str, label: str) -> str:
    return f"{table_arn(region, account, table)}/stream/{label}"


def shard_id(created_ms: int) -> str:
    """``shardId-<20-digit epoch millis>-<8 hex>`` as AWS forms it."""
    return f"shardId-{created_ms:020d}-{os.urandom(4).hex()}"


SEQUENCE_BASE: int = 10 ** (SEQUENCE_DIGITS - 1)


def sequence_number(n: int) -> str:
    """The wire form of counter value ``n``: 21+ decimal digits, no leading zero.

    Compare sequence numbers as integers, never as strings (AWS's lengths vary).
    """
    return str(SEQUENCE_BASE + n)


def sequence_counter(text: str) -> int:
    """Inverse of :func:`sequence_number`; raises ValueError for non-digits."""
    if not text.isdigit():
        raise ValueError(text)
    return int(text) - SEQUENCE_BASE


def lambda_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    base = f"arn:{partition_for(region)}:lambda:{region}:{account}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


def esm_arn(region: str, account: str, esm_uuid: str) -> str:
    return f"arn:{partition_for(region)}:lambda:{region}:{account}:event-source-mapping:{esm_uuid}"

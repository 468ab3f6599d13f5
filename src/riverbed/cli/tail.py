"""``riverbed tail TABLE``: print a table's stream records as they arrive, with old/new diffs.

Owns: following every shard of the table's latest stream through the DynamoDB Streams API (as any
consumer would: DescribeStream, GetShardIterator, GetRecords), children after their parents, and
printing each record -- coloured on a terminal, one JSON object per line with ``--json``.

Must not: read the store (the server owns it); it is a client like the AWS CLI.
"""

from __future__ import annotations

import json
from typing import Any

from riverbed.cli.common import CommandError, Output, client
from riverbed.clock import SystemClock

POLL_SECONDS = 0.25
DISCOVER_SECONDS = 2.0
EVENT_STYLES = {"INSERT": "green", "MODIFY": "yellow", "REMOVE": "red"}


def plain(av: Any) -> Any:
    """A DynamoDB AttributeValue as a plain value (numbers stay exact: int or the number's text)."""
    if not isinstance(av, dict) or len(av) != 1:
        return av
    kind, value = next(iter(av.items()))
    if kind == "N":
        return int(value) if value.lstrip("-").isdigit() else float(value)
    if kind == "NS":
        return [plain({"N": v}) for v in value]
    if kind == "L":
        return [plain(v) for v in value]
    if kind == "M":
        return {k: plain(v) for k, v in value.items()}
    if kind == "NULL":
        return None
    if kind in ("B", "BS"):
        return repr(value)
    return value


def image(img: dict[str, Any] | None) -> dict[str, Any]:
    return {k: plain(v) for k, v in (img or {}).items()}


def diff_lines(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """``(style, text)`` lines: ``~`` changed, ``+`` added, ``-`` removed attributes."""
    lines: list[tuple[str, str]] = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            lines.append(("green", f"  + {name}: {json.dumps(new[name])}"))
        elif name not in new:
            lines.append(("red", f"  - {name}: {json.dumps(old[name])}"))
        elif old[name] != new[name]:
            lines.append(("yellow", f"  ~ {name}: {json.dumps(old[name])} → {json.dumps(new[name])}"))
    return lines


def print_record(out: Output, record: dict[str, Any], shard_id: str) -> None:
    ddb = record.get("dynamodb", {})
    if out.json:
        out.out.write(json.dumps({"shard": shard_id, **record}, default=str) + "\n")
        out.out.flush()
        return
    event = record.get("eventName", "?")
    keys = ", ".join(f"{k}={plain(v)}" for k, v in ddb.get("Keys", {}).items())
    when = ddb.get("ApproximateCreationDateTime")
    stamp = when.strftime("%H:%M:%S") if hasattr(when, "strftime") else str(when or "")
    out.line(f"{stamp} {event:<6} {keys}  seq {ddb.get('SequenceNumber', '')}", f"bold {EVENT_STYLES.get(event, '')}")
    old, new = ddb.get("OldImage"), ddb.get("NewImage")
    if event == "MODIFY" and old is not None and new is not None:
        for style, text in diff_lines(image(old), image(new)):
            out.line(text, style)
    elif new is not None:
        out.line(f"  {json.dumps(image(new))}")
    elif old is not None:
        out.line(f"  {json.dumps(image(old))}", "dim")


class Follower:
    """The shards of one stream being read, parents before children."""

    def __init__(self, streams: Any, stream_arn: str, start: str) -> None:
        self.streams = streams
        self.arn = stream_arn
        self.start = start                         # TRIM_HORIZON | LATEST for the shards open at start
        self.iterators: dict[str, str] = {}
        self.known: set[str] = set()
        self.first = True

    def describe(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        params: dict[str, Any] = {"StreamArn": self.arn}
        while True:
            page = self.streams.describe_stream(**params)["StreamDescription"]
            shards.extend(page["Shards"])
            if not page.get("LastEvaluatedShardId"):
                return shards
            params["ExclusiveStartShardId"] = page["LastEvaluatedShardId"]

    def discover(self) -> None:
        """Open iterators for shards not seen yet whose parent is finished (or unknown)."""
        shards = self.describe()
        ids = {s["ShardId"] for s in shards}
        for shard in shards:
            sid = shard["ShardId"]
            if sid in self.known:
                continue
            parent = shard.get("ParentShardId")
            if parent in ids and (parent not in self.known or parent in self.iterators):
                continue                             # its parent is still being read
            if self.first and self.start == "LATEST" and "EndingSequenceNumber" in shard["SequenceNumberRange"]:
                self.known.add(sid)                  # closed before we started: nothing new can arrive there
                continue
            kind = self.start if self.first else "TRIM_HORIZON"
            it = self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=sid, ShardIteratorType=kind)
            self.iterators[sid] = it["ShardIterator"]
            self.known.add(sid)
        self.first = False

    def read_once(self) -> list[tuple[str, dict[str, Any]]]:
        records: list[tuple[str, dict[str, Any]]] = []
        for sid, iterator in list(self.iterators.items()):
            page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            records.extend((sid, r) for r in page["Records"])
            nxt = page.get("NextShardIterator")
            if nxt:
                self.iterators[sid] = nxt
            else:
                del self.iterators[sid]             # closed and read to its end: children come next
        return records


def run_tail(endpoint_url: str, table: str, region: str | None, start: str, out: Output, *,
             count: int | None = None, idle: float | None = None) -> int:
    from botocore.exceptions import ClientError

    ddb = client("dynamodb", endpoint_url, region)
    try:
        arn = ddb.describe_table(TableName=table)["Table"].get("LatestStreamArn")
    except ClientError as exc:
        raise CommandError(exc.response["Error"].get("Message", str(exc))) from exc
    if not arn:
        raise CommandError(f"table {table} has no stream (UpdateTable with a StreamSpecification first)")
    follower = Follower(client("dynamodbstreams", endpoint_url, region), arn,
                        "LATEST" if start == "latest" else "TRIM_HORIZON")
    clock = SystemClock()
    if not out.json:
        out.line(f"following {arn} from {start} (Ctrl-C to stop)", "dim")
    printed = 0
    quiet = 0.0
    since_discover = DISCOVER_SECONDS
    try:
        while True:
            if since_discover >= DISCOVER_SECONDS or not follower.iterators:
                follower.discover()
                since_discover = 0.0
            records = follower.read_once()
            for sid, record in records:
                print_record(out, record, sid)
                printed += 1
                if count is not None and printed >= count:
                    return 0
            if records:
                quiet = 0.0
                continue
            if idle is not None and quiet >= idle:
                return 0
            clock.sleep_blocking_real(POLL_SECONDS)
            quiet += POLL_SECONDS
            since_discover += POLL_SECONDS
    except KeyboardInterrupt:
        return 0

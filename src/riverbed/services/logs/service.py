"""The CloudWatch Logs domain: log groups, log streams and their events, kept in the store.

Owns: groups (documents ``logs-group``), streams (documents ``logs-stream``) and events, one store
message log per stream (``visible_at`` 0 so every event is always readable, ``sent_at`` the event's
timestamp so ``log_expire`` applies a group's retention by event time, as AWS does); retention applied
on the clock (``expire_once``; ``run_retention`` repeats it); and :meth:`write_function_log`, through
which Lambda writes each invocation's lines to ``/aws/lambda/NAME`` (creating group and stream as
Lambda does).

Must not: render wire shapes (operations do) or parse filter patterns (``patterns.py`` does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from riverbed import ids
from riverbed.core.context import RequestContext
from riverbed.services.logs.errors import group_not_found, stream_not_found

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store, Txn

GROUP_DOC = "logs-group"
STREAM_DOC = "logs-stream"
SEQ_COUNTER = "logs-event-seq"
READ_LIMIT = 1_000_000
RETENTION_INTERVAL = 3600.0


@dataclass
class Event:
    seq: int
    timestamp: int          # milliseconds
    ingestion_time: int     # milliseconds
    message: str

    @property
    def event_id(self) -> str:
        return f"{self.timestamp:020d}{self.seq:036d}"


class LogsService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # --- addressing ------------------------------------------------------------------------------
    @staticmethod
    def group_key(account: str, region: str, group: str) -> str:
        return f"{account}/{region}/{group}"

    @classmethod
    def stream_key(cls, account: str, region: str, group: str, stream: str) -> str:
        return f"{cls.group_key(account, region, group)}\x00{stream}"

    @staticmethod
    def group_arn(account: str, region: str, group: str) -> str:
        return f"arn:{ids.partition_for(region)}:logs:{region}:{account}:log-group:{group}"

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    # --- groups and streams -----------------------------------------------------------------------------
    def get_group(self, account: str, region: str, group: str) -> dict[str, Any] | None:
        return self.store.get_doc(GROUP_DOC, self.group_key(account, region, group))

    def require_group(self, account: str, region: str, group: str) -> dict[str, Any]:
        doc = self.get_group(account, region, group)
        if doc is None:
            raise group_not_found()
        return doc

    def list_groups(self, account: str, region: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.store.list_docs(GROUP_DOC, f"{account}/{region}/")]

    def new_group(self, account: str, region: str, group: str, tags: dict[str, str] | None = None) -> dict[str, Any]:
        return {"logGroupName": group, "creationTime": self.now_ms(), "metricFilterCount": 0,
                "arn": self.group_arn(account, region, group) + ":*",
                "logGroupArn": self.group_arn(account, region, group), "logGroupClass": "STANDARD",
                "_tags": dict(tags or {})}

    def put_group(self, account: str, region: str, doc: dict[str, Any], txn: Txn | None = None) -> None:
        if txn is not None:
            txn.put_doc(GROUP_DOC, self.group_key(account, region, doc["logGroupName"]), doc)
            return
        with self.store.transaction() as t:
            t.put_doc(GROUP_DOC, self.group_key(account, region, doc["logGroupName"]), doc)

    def delete_group(self, account: str, region: str, group: str) -> None:
        streams = self.list_streams(account, region, group)
        with self.store.transaction() as txn:
            for stream in streams:
                txn.log_purge(self._log(account, region, group, stream["logStreamName"]))
                txn.delete_doc(STREAM_DOC, self.stream_key(account, region, group, stream["logStreamName"]))
            txn.delete_doc(GROUP_DOC, self.group_key(account, region, group))

    def get_stream(self, account: str, region: str, group: str, stream: str) -> dict[str, Any] | None:
        return self.store.get_doc(STREAM_DOC, self.stream_key(account, region, group, stream))

    def require_stream(self, account: str, region: str, group: str, stream: str) -> dict[str, Any]:
        self.require_group(account, region, group)
        doc = self.get_stream(account, region, group, stream)
        if doc is None:
            raise stream_not_found()
        return doc

    def list_streams(self, account: str, region: str, group: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.store.list_docs(STREAM_DOC, self.group_key(account, region, group) + "\x00")]

    def new_stream(self, account: str, region: str, group: str, stream: str) -> dict[str, Any]:
        return {"logStreamName": stream, "creationTime": self.now_ms(),
                "arn": f"{self.group_arn(account, region, group)}:log-stream:{stream}", "storedBytes": 0}

    def put_stream(self, account: str, region: str, group: str, doc: dict[str, Any]) -> None:
        with self.store.transaction() as txn:
            txn.put_doc(STREAM_DOC, self.stream_key(account, region, group, doc["logStreamName"]), doc)

    def delete_stream(self, account: str, region: str, group: str, stream: str) -> None:
        with self.store.transaction() as txn:
            txn.log_purge(self._log(account, region, group, stream))
            txn.delete_doc(STREAM_DOC, self.stream_key(account, region, group, stream))

    # --- events ---------------------------------------------------------------------------------------
    def _log(self, account: str, region: str, group: str, stream: str) -> str:
        return "logs:" + self.stream_key(account, region, group, stream)

    def append(self, account: str, region: str, group: str, stream: dict[str, Any],
               events: list[tuple[int, str]]) -> None:
        """Append ``(timestamp ms, message)`` events to a stream and update its summary, in one transaction."""
        if not events:
            return
        now = self.now_ms()
        name = stream["logStreamName"]
        log = self._log(account, region, group, name)
        with self.store.transaction() as txn:
            last = txn.next_counter(SEQ_COUNTER, len(events))    # one counter step for the whole batch
            for seq, (timestamp, message) in enumerate(events, last - len(events) + 1):
                data = _event_bytes({"t": timestamp, "i": now, "m": message})
                txn.log_append(log, seq, str(seq), "", 0.0, timestamp / 1000.0, data)
            seq = last
            stamps = [t for t, _ in events]
            stream["firstEventTimestamp"] = min([stream.get("firstEventTimestamp", stamps[0]), *stamps])
            stream["lastEventTimestamp"] = max([stream.get("lastEventTimestamp", stamps[0]), *stamps])
            stream["lastIngestionTime"] = now
            stream["storedBytes"] = stream.get("storedBytes", 0) + sum(len(m.encode()) + 26 for _, m in events)
            stream["uploadSequenceToken"] = str(seq)
            txn.put_doc(STREAM_DOC, self.stream_key(account, region, group, name), stream)

    def events(self, account: str, region: str, group: str, stream: str) -> list[Event]:
        """A stream's events ordered by timestamp (then arrival)."""
        out = []
        for entry in self.store.log_find_visible(self._log(account, region, group, stream), float("inf"), READ_LIMIT):
            raw = json.loads(entry.data)
            out.append(Event(entry.seq, raw["t"], raw["i"], raw["m"]))
        out.sort(key=lambda e: (e.timestamp, e.seq))
        return out

    # --- Lambda's writes ------------------------------------------------------------------------------
    def write_function_log(self, account: str, region: str, group: str, stream: str, text: str) -> None:
        """One invocation's log text, one event per line, stamped now (creates the group and stream)."""
        if self.get_group(account, region, group) is None:
            self.put_group(account, region, self.new_group(account, region, group))
        doc = self.get_stream(account, region, group, stream)
        if doc is None:
            doc = self.new_stream(account, region, group, stream)
        now = self.now_ms()
        lines = [line + "\n" for line in text.split("\n") if line]   # AWS keeps each line's newline
        self.append(account, region, group, doc, [(now, line) for line in lines])

    # --- retention --------------------------------------------------------------------------------
    def expire_once(self) -> int:
        """Drop events older than their group's retention; how many were dropped."""
        now = self.clock.now()
        dropped = 0
        for key, group in self.store.list_docs(GROUP_DOC):
            days = group.get("retentionInDays")
            if not days:
                continue
            account, region, name = key.split("/", 2)
            with self.store.transaction() as txn:
                for stream in self.list_streams(account, region, name):
                    dropped += txn.log_expire(self._log(account, region, name, stream["logStreamName"]),
                                              now - days * 86400)
        return dropped

    async def run_retention(self) -> None:
        while True:
            await self.clock.sleep(RETENTION_INTERVAL)
            self.expire_once()


def _event_bytes(event: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(event)
    except TypeError:    # a lone surrogate in the text, which only the standard library escapes
        return json.dumps(event).encode()


LogsContext = RequestContext[LogsService]

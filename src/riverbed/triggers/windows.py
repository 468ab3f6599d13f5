"""Tumbling windows (``TumblingWindowInSeconds``): state carried between invocations of one window.

Owns: assigning records to fixed, back-to-back windows aligned to multiples of
the window length (by ApproximateCreationDateTime), the extra event fields
(``window``, ``state``, ``shardId``, ``eventSourceARN``,
``isFinalInvokeForWindow``, ``isWindowTerminatedEarly``), the rule that a
response must carry ``state``, and the final invocation when a window ends,
after which the checkpoint advances and the state is dropped
(https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html,
spec/lambda-esm.md §10).

Must not: read the stream or apply the general failure policy (``poller.py`` does).
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from riverbed.clock import iso8601_seconds

MAX_STATE_BYTES = 1024 * 1024


class Window:
    def __init__(self, start: float, length: float) -> None:
        self.start = start
        self.end = start + length
        self.state: dict[str, Any] = {}
        self._proposed: dict[str, Any] | None = None
        self.final = False
        self.terminated_early = False

    @classmethod
    def containing(cls, created: float, length: float) -> Window:
        return cls(created - created % length, length)

    def holds(self, record: dict[str, Any]) -> bool:
        created: float = record["dynamodb"]["ApproximateCreationDateTime"]
        return self.start <= created < self.end

    def event(self, records: list[dict[str, Any]], shard_id: str, stream_arn: str) -> bytes:
        return orjson.dumps({
            "Records": records,
            "window": {"start": iso8601_seconds(self.start), "end": iso8601_seconds(self.end)},
            "state": self.state,
            "shardId": shard_id,
            "eventSourceARN": stream_arn,
            "isFinalInvokeForWindow": self.final,
            "isWindowTerminatedEarly": self.terminated_early,
        })

    def accept(self, payload: bytes) -> bool:
        """A response without a ``state`` object counts as a failed invocation."""
        try:
            body = orjson.loads(payload) if payload else None
        except orjson.JSONDecodeError:
            return False
        if not isinstance(body, dict) or not isinstance(body.get("state"), dict):
            return False
        self._proposed = body["state"]
        return True

    def commit(self) -> None:
        """Keep the state of the last successful invocation for the next one."""
        if self._proposed is not None:
            self.state = self._proposed
            self._proposed = None
            if len(orjson.dumps(self.state)) > MAX_STATE_BYTES:
                self.terminated_early = True


class WindowSteps:
    """The tumbling-window variant of ``poll_once`` (mixed into ShardPoller)."""

    async def window_step(self) -> bool:
        poller: Any = self
        length = float(poller.cfg("TumblingWindowInSeconds"))
        await poller._committed()
        items, end = poller._read()
        if poller.window is None:
            if not items:
                if end > poller.position:
                    poller._advance(end)
                    return True
                if poller.engine.streams.finished(poller.shard, poller.position):
                    poller._finish()
                return False
            poller.window = Window.containing(items[0].record["dynamodb"]["ApproximateCreationDateTime"], length)
        window: Window = poller.window
        inside: list[Any] = []
        for item in items:
            if not window.holds(item.record) or len(inside) >= poller.cfg("BatchSize"):
                break
            inside.append(item)
        clock = poller.engine.clock
        if inside and not window.terminated_early:
            await poller._handle(inside)
            window.commit()
            poller.position = inside[-1].seq + 1   # in memory: the checkpoint moves when the window closes
            return True
        later = bool(items) or poller.engine.streams.finished(poller.shard, poller.position)
        if later or window.terminated_early or clock.now() >= window.end:
            await self._close_window()
            return True
        poller.status.waiting = "window"
        try:
            sleeper = asyncio.ensure_future(clock.sleep(window.end - clock.now(), pipeline=True))
            waker = asyncio.ensure_future(poller.engine.streams.wait([poller.shard.no], None))
            _done, pending = await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        finally:
            poller.status.waiting = ""
        return True

    async def _close_window(self) -> None:
        """The final invocation (it may carry no records); the shard waits until it succeeds."""
        poller: Any = self
        window: Window = poller.window
        window.final = True
        attempts = 0
        while True:
            outcome = await poller._invoke([])
            if outcome is not None and outcome.ok:
                break
            attempts += 1
            await poller._backoff(attempts)
        window.commit()
        poller.window = None
        poller.engine.mappings.set_checkpoint(poller.uuid, poller.shard.shard_id, poller.position)

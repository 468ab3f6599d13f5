"""One poller per (mapping, shard): read, filter, batch, invoke, apply the failure policy, checkpoint.

Owns: AWS's stream-trigger semantics for one shard (spec/lambda-esm.md §6-8,
§11): batches of up to BatchSize records and 6 MB, the batching window, one
batch in flight (or ParallelizationFactor lanes keyed by partition key),
retries with backoff until MaximumRetryAttempts / MaximumRecordAgeInSeconds,
bisecting, ReportBatchItemFailures, the OnFailure destination, and the
checkpoint that advances only after a batch is handled.

Records read past the checkpoint are kept (:class:`ReadAhead`) until they are
delivered, so a batching window that wakes on every commit reads only the new
records, a poller that is behind reads each record from the store once (not
once per batch of the chunk it came in), and each record is converted once.
A record travels as its Lambda event JSON, joined from the stored bytes
(``StreamLog.read_events``); it is decoded only when a filter, the lanes, a
window or the failure policy look inside it, and the batch's event is those
JSON texts joined, never re-encoded.

The single step is :meth:`ShardPoller.poll_once`; :meth:`run` only repeats
it and waits (for a commit on the shard, or for the clock).

Must not: decide which shards to poll (``supervisor.py``) or know HTTP.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import orjson

from riverbed import ids
from riverbed.errors import ServiceError, TooManyRequestsException
from riverbed.triggers import events
from riverbed.triggers.windows import WindowSteps

log = logging.getLogger("riverbed.triggers")

READ_CHUNK = 1000
READ_BYTES = 2 * events.MAX_PAYLOAD   # a read stops after this much event JSON (what is kept read ahead)
SETTLE_TURNS = 64      # loop turns a poller yields for a pending group commit before it reads


class Item:
    """One record on its way to the function: its Lambda event JSON, decoded only when looked into."""

    __slots__ = ("_record", "created", "event", "seq", "size")

    def __init__(self, seq: int, event: bytes, created: float) -> None:
        self.seq = seq
        self.event = event              # orjson.dumps(to_lambda_event_record(...)), byte for byte
        self.size = len(event) + 1      # + the separating comma in the batch's event
        self.created = created          # when the record was written (ApproximateCreationDateTime is whole seconds)
        self._record: dict[str, Any] | None = None

    @property
    def record(self) -> dict[str, Any]:
        """The event record as a dict (decoded once, on first use)."""
        if self._record is None:
            self._record = orjson.loads(self.event)
        return self._record


class Records(Sequence[dict[str, Any]]):
    """A batch's event records as a sequence, decoding only those that are read (a batch's history
    looks at the first and the last)."""

    def __init__(self, items: list[Item]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [item.record for item in self._items[index]]
        return self._items[index].record


@dataclass
class ReadAhead:
    """Records read past the poller's position and not yet delivered, kept across wake-ups.

    ``items`` are matching records; ``rows`` were read from the store after them and not yet looked at
    (filtered or counted): a read takes a chunk, a batch takes BatchSize of it, the next batch the rest.
    ``end`` is the position after ``items``: every record before it is in ``items`` or was filtered out.
    ``size`` is the event-form bytes of ``items``.  Taking stops once ``items`` holds the wanted count
    or one record more than the payload budget allows, so every item but the last always fits.
    """
    items: list[Item]
    end: int
    size: int = 0
    rows: deque[tuple[int, float, bytes]] = field(default_factory=deque)

    def drop_before(self, position: int) -> None:
        """Forget records before ``position`` (delivered, or passed by a tumbling window)."""
        count = 0
        for item in self.items:
            if item.seq >= position:
                break
            self.size -= item.size
            count += 1
        if count:
            del self.items[:count]
        rows = self.rows
        while rows and rows[0][0] < position:
            rows.popleft()
        self.end = max(self.end, position)


@dataclass
class Outcome:
    """What happened to one batch attempt."""
    ok: bool
    status_code: int = 200
    function_error: str | None = None
    failed_from: int | None = None   # partial failure: retry from this sequence counter
    invoked: bool = True
    error_message: str | None = None  # the function's errorMessage, when it raised


@dataclass
class PollerStatus:
    in_flight: int = 0
    waiting: str = ""                # "", "window", "backoff", "throttle", "problem"
    last_error: str = ""
    done: bool = False
    handled_batches: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class ShardPoller(WindowSteps):
    def __init__(self, engine: Any, mapping: dict[str, Any], stream: Any, shard: Any, position: int) -> None:
        self.engine = engine
        self.mapping = mapping
        self.stream = stream
        self.shard = shard
        self.position = position
        self.status = PollerStatus()
        self.filter = engine.compile_filter(mapping.get("FilterCriteria"))
        self.window: Any = None          # tumbling windows: the open window (see windows.py)
        self._ahead = ReadAhead([], position)
        self._want = mapping["BatchSize"] * mapping["ParallelizationFactor"]

    # --- configuration shortcuts ----------------------------------------------------------------
    @property
    def uuid(self) -> str:
        return str(self.mapping["UUID"])

    def cfg(self, name: str) -> Any:
        return self.mapping[name]

    # --- the loop ---------------------------------------------------------------------------------
    async def run(self) -> None:
        log_ = self.engine.streams
        while not self.status.done:
            handled = await self.poll_once()
            if handled or self.status.done:
                continue
            await log_.wait([self.shard.no], self.engine.poll_interval)

    # --- one step -----------------------------------------------------------------------------------
    async def poll_once(self) -> bool:
        """Handle at most one batch (or one set of parallel lanes).  Returns whether anything was consumed."""
        if self._refused():
            return False
        if self.cfg("TumblingWindowInSeconds"):
            return await self.window_step()
        await self._committed()
        items, end = self._read()
        if not items:
            if end > self.position:
                self._advance(end)   # everything read was filtered out
                return True
            if self.engine.streams.finished(self.shard, self.position):
                self._finish()
            return False
        window = self.cfg("MaximumBatchingWindowInSeconds")
        if window and not self._full():
            items, end = await self._gather(items, end, window)
        lanes, taken = self._lanes(items)
        if taken < len(items):
            end = items[taken].seq      # a full lane stopped the split: the rest waits for the next batch
        self.status.in_flight = len(lanes)
        try:
            if len(lanes) == 1:
                await self._handle(lanes[0])
            else:
                await asyncio.gather(*(self._handle(lane) for lane in lanes))
        finally:
            self.status.in_flight = 0
        self._advance(end)
        self._ahead.drop_before(end)
        self.status.handled_batches += 1
        return True

    def _refused(self) -> bool:
        """Poll as the execution role: when it lost a stream permission nothing is read, the problem is
        shown in LastProcessingResult and IteratorAge keeps growing with the oldest waiting record."""
        problem = self.engine.poll_problem(self.mapping, self.stream.arn)
        if problem is None:
            if self.status.waiting == "problem":
                self.status.waiting = self.status.last_error = ""
            return False
        self.status.waiting, self.status.last_error = "problem", problem
        self.engine.set_result(self.mapping, problem)
        rows, _next = self.engine.streams.read(self.shard, self.position, 1)
        if rows:
            age = max(0.0, (self.engine.clock.now() - rows[0][1]) * 1000)
            self.engine.metric(self.mapping, "IteratorAge", age, "Milliseconds")
        return True

    def _read(self) -> tuple[list[Item], int]:
        """The next batch from the position: up to BatchSize × lanes matching records within the payload
        budget, and the position after it.  Reads only what earlier calls have not (``self._ahead``)."""
        ahead = self._ahead
        ahead.drop_before(self.position)
        budget = events.MAX_PAYLOAD - 64
        rows = ahead.rows
        matches = self.filter.matches if self.filter is not None else None
        while len(ahead.items) < self._want and ahead.size <= budget:
            fresh = not rows
            if fresh:
                read, caught_up = self.engine.streams.read_events(self.shard, ahead.end, READ_CHUNK,
                                                                  self.stream.arn, READ_BYTES)
                rows.extend(read)
            polled = filtered = 0
            while rows:
                seq, created, event = rows.popleft()
                ahead.end = seq + 1
                polled += 1
                item = Item(seq, event, created)
                if matches is not None and not matches(item.record):
                    filtered += 1
                    continue
                ahead.items.append(item)
                ahead.size += item.size
                if len(ahead.items) >= self._want or ahead.size > budget:
                    break
            # AWS: an empty poll reports PolledEventCount 0; with filter criteria, matching events count 0.
            if polled or fresh:
                self.engine.event_count(self.mapping, "PolledEventCount", polled)
                if self.filter is not None:
                    self.engine.event_count(self.mapping, "FilteredOutEventCount", filtered)
            if not rows and fresh and caught_up:
                break   # everything committed has been read
        if ahead.size > budget and len(ahead.items) > 1:
            # The last record read does not fit: it opens the next batch.
            return ahead.items[:-1], ahead.items[-1].seq
        return list(ahead.items), ahead.end

    def _full(self) -> bool:
        """Nothing more can join the batch: the count is reached, the payload is near its limit, or the
        next record does not fit (then the read-ahead is over budget)."""
        return len(self._ahead.items) >= self._want or self._ahead.size >= events.MAX_PAYLOAD - 1024

    async def _committed(self) -> None:
        """Deliver only committed records: under group commit, let the pending group commit first.

        The server flushes a pending group within the turn of the event loop that opened it, so yielding a
        few turns is enough; a record of a write that is not committed (and not acknowledged) never reaches
        a handler, even if the commit then fails.
        """
        store = self.engine.streams.store
        for _ in range(SETTLE_TURNS):
            if not store.pending_commits():
                return
            await asyncio.sleep(0)

    async def _gather(self, items: list[Item], end: int, window: float) -> tuple[list[Item], int]:
        """Wait until the batch is full, the window has elapsed, or the payload limit is near."""
        clock = self.engine.clock
        deadline = clock.now() + window
        self.status.waiting = "window"
        try:
            while not self._full() and clock.now() < deadline:
                sleeper = asyncio.ensure_future(clock.sleep(deadline - clock.now(), pipeline=True))
                waker = asyncio.ensure_future(self.engine.streams.wait([self.shard.no], None))
                _done, pending = await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
                for task in pending:
                    task.cancel()
                await self._committed()
                items, end = self._read()
        finally:
            self.status.waiting = ""
        return items, end

    def _lanes(self, items: list[Item]) -> tuple[list[list[Item]], int]:
        """Split by partition key into ParallelizationFactor lanes of at most BatchSize, keeping order within a
        key; returns the lanes and how many leading items they took (a full lane stops the split)."""
        factor = self.cfg("ParallelizationFactor")
        size = self.cfg("BatchSize")
        if factor <= 1:
            return [items[:size]], min(len(items), size)
        lanes: list[list[Item]] = [[] for _ in range(factor)]
        taken = 0
        for item in items:
            key = orjson.dumps(item.record["dynamodb"]["Keys"], option=orjson.OPT_SORT_KEYS)
            lane = lanes[zlib.crc32(key) % factor]
            if len(lane) >= size:
                break
            lane.append(item)
            taken += 1
        return [lane for lane in lanes if lane], taken

    # --- the failure policy ------------------------------------------------------------------------
    async def _handle(self, batch: list[Item]) -> None:
        """Deliver one batch until it succeeds or is discarded (spec §8.2)."""
        attempts = 0
        last: Outcome | None = None
        max_retries = self.cfg("MaximumRetryAttempts")
        while batch:
            batch = await self._drop_expired(batch, attempts, last)
            if not batch:
                return
            outcome = await self._invoke(batch)
            if outcome is None:          # throttled or function unavailable: not an attempt
                continue
            attempts += 1
            last = outcome
            if outcome.ok:
                self.engine.set_result(self.mapping, "OK")
                self._history(batch, attempts, "ok")
                return
            self.engine.set_result(self.mapping, "PROBLEM: Function call failed")
            tried = batch
            if outcome.failed_from is not None and outcome.failed_from != batch[0].seq:
                # Partial failure: everything before the lowest failed record is done.
                # With bisect on, AWS splits at the returned record rather than halving: same thing here.
                batch = [i for i in batch if i.seq >= outcome.failed_from]
                self._history(tried, attempts, "partial failure", outcome)
            elif self.cfg("BisectBatchOnFunctionError") and len(batch) > 1:
                self._history(batch, attempts, "bisected", outcome)
                await self._bisect(batch)
                return
            if max_retries != -1 and attempts > max_retries:
                await self._discard(batch, "RetryAttemptsExhausted", attempts, outcome)
                return
            if tried is batch:
                self._history(batch, attempts, "retried", outcome)
            await self._backoff(attempts)

    async def _bisect(self, batch: list[Item]) -> None:
        half = len(batch) // 2
        # Splits do not consume retry attempts: each half starts afresh.
        await self._handle(batch[:half])
        await self._handle(batch[half:])

    async def _drop_expired(self, batch: list[Item], attempts: int, last: Outcome | None) -> list[Item]:
        max_age = self.cfg("MaximumRecordAgeInSeconds")
        if max_age == -1:
            return batch
        now = self.engine.clock.now()
        expired = [i for i in batch if now - i.record["dynamodb"]["ApproximateCreationDateTime"] > max_age]
        if not expired:
            return batch
        await self._discard(expired, "RecordAgeExceeded", attempts, last)
        gone = {i.seq for i in expired}
        return [i for i in batch if i.seq not in gone]

    async def _invoke(self, batch: list[Item]) -> Outcome | None:
        engine = self.engine
        payload = self._event(batch)
        if batch:
            # IteratorAge: the age of the batch's last record as the batch is handed to the function,
            # from its write time (the event's ApproximateCreationDateTime is rounded down to the second).
            engine.metric(self.mapping, "IteratorAge", max(0.0, (engine.clock.now() - batch[-1].created) * 1000),
                          "Milliseconds")
        # InvokedEventCount counts every attempt (throttled and failed ones again on retry, as AWS warns);
        # FailedInvokeEventCount the events of attempts that failed, and those a partial response reports.
        engine.event_count(self.mapping, "InvokedEventCount", len(batch))
        try:
            result = await engine.invoke(self.mapping, payload)
        except TooManyRequestsException:
            engine.metric(self.mapping, "Throttles", 1)
            engine.event_count(self.mapping, "FailedInvokeEventCount", len(batch))
            await self._wait("throttle", engine.retry_backoff)
            return None
        except ServiceError as exc:
            self.status.last_error = exc.message
            engine.set_result(self.mapping, f"PROBLEM: {_problem(exc)}")
            engine.event_count(self.mapping, "FailedInvokeEventCount", len(batch))
            await self._wait("problem", max(engine.retry_backoff, 1.0))
            return None
        engine.metric(self.mapping, "Invocations", 1)
        if result.function_error:
            engine.metric(self.mapping, "Errors", 1)
            engine.event_count(self.mapping, "FailedInvokeEventCount", len(batch))
            return Outcome(False, 200, result.function_error, error_message=_error_message(result.payload))
        if self.window is not None and not self.window.accept(result.payload):
            engine.event_count(self.mapping, "FailedInvokeEventCount", len(batch))
            return Outcome(False, 200, None)      # a tumbling-window response must carry "state"
        if "ReportBatchItemFailures" in self.cfg("FunctionResponseTypes") and batch:
            partial = events.read_partial_response(result.payload, [i.seq for i in batch])
            if not partial.ok:
                failed_from = partial.failed_from
                engine.event_count(self.mapping, "FailedInvokeEventCount",
                                   sum(1 for i in batch if failed_from is None or i.seq >= failed_from))
                return Outcome(False, 200, None, failed_from)
        return Outcome(True)

    def _event(self, batch: list[Item]) -> bytes:
        if self.window is None:
            return events.event_payload_json([i.event for i in batch])
        payload: bytes = self.window.event([i.record for i in batch], self.shard.shard_id, self.stream.arn)
        return payload

    async def _backoff(self, attempts: int) -> None:
        delay = min(self.engine.retry_backoff * (2 ** min(attempts - 1, 8)), 30.0)
        await self._wait("backoff", delay)

    async def _wait(self, reason: str, seconds: float) -> None:
        self.status.waiting = reason
        try:
            await self.engine.clock.sleep(seconds, pipeline=True)
        finally:
            self.status.waiting = ""

    async def _discard(self, batch: list[Item], condition: str, attempts: int, last: Outcome | None) -> None:
        """Give the batch up: one invocation record to the OnFailure destination, then move on."""
        target = (self.cfg("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
        if not target:
            self.engine.event_count(self.mapping, "DroppedEventCount", len(batch))
            self._history(batch, attempts, "dropped", last, condition=condition)
            return
        record = events.failure_record(
            function_arn=self.mapping["FunctionArn"], condition=condition, invoke_count=attempts,
            status_code=last.status_code if last else 0, function_error=last.function_error if last else None,
            had_response=last is not None, shard_id=self.shard.shard_id, stream_arn=self.stream.arn,
            records=[i.record for i in batch], now=self.engine.clock.now(), request_id=ids.request_id())
        delivered = await self.engine.deliver_failure(self.mapping, target, record, payload=self._event(batch))
        self._history(batch, attempts, "sent to destination" if delivered else "dropped", last, condition=condition,
                      destination=target if delivered else None)
        # Sent to the destination: not dropped; a failed delivery drops the batch's events (AWS's rule).
        self.engine.event_count(self.mapping, "OnFailureDestinationDeliveredEventCount" if delivered
                                else "DroppedEventCount", len(batch))

    def _history(self, batch: list[Item], attempt: int, outcome: str, last: Outcome | None = None, *,
                 condition: str | None = None, destination: str | None = None) -> None:
        """Tell the engine what happened to the batch (the dashboard's recent batches)."""
        error = None
        if last is not None and last.function_error:
            error = last.function_error + (f": {last.error_message}" if last.error_message else "")
        elif last is not None and last.failed_from is not None:
            error = "ReportBatchItemFailures"
        self.engine.batch_outcome(self.mapping, self.shard.shard_id, Records(batch), attempt=attempt,
                                  outcome=outcome, error=error, condition=condition, destination=destination)

    # --- checkpoints ------------------------------------------------------------------------------------
    def _advance(self, position: int) -> None:
        if position <= self.position:
            return
        self.position = position
        if self.engine.owns(self.uuid, self.shard.shard_id):   # a node that lost the lease must not write it
            self.engine.mappings.set_checkpoint(self.uuid, self.shard.shard_id, position)

    def _finish(self) -> None:
        self.status.done = True
        if self.engine.owns(self.uuid, self.shard.shard_id):
            self.engine.mappings.set_checkpoint(self.uuid, self.shard.shard_id, self.position, done=True)
        self.engine.kick()


def _error_message(payload: bytes | None) -> str | None:
    """The ``errorMessage`` of a function error's response payload, when it has one."""
    try:
        body = orjson.loads(payload or b"null")
    except orjson.JSONDecodeError:
        return None
    message = body.get("errorMessage") if isinstance(body, dict) else None
    return str(message)[:500] if message is not None else None


def _problem(exc: ServiceError) -> str:
    if exc.code == "ResourceNotFoundException":
        return "Function not found"
    return exc.message or exc.code

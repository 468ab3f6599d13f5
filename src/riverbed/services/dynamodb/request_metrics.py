"""The AWS/DynamoDB metrics of each request: latency, consumed capacity and the errors AWS counts per table.

Owns: wrapping DynamoDB's operation table so that every call records, through the ``MetricsSink`` it
was handed, what AWS reports for it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html):

* ``SuccessfulRequestLatency`` (Milliseconds; dimensions TableName, Operation) for each successful
  request, per table the request names (one per table for the batch and transaction actions);
* ``ConsumedReadCapacityUnits`` / ``ConsumedWriteCapacityUnits`` (Count; dimension TableName) for every
  request that consumed capacity, whether or not the caller asked for ``ReturnConsumedCapacity`` --
  the units are the ones the operation itself computes for its answer;
* ``ConditionalCheckFailedRequests`` (Count; TableName) for a failed condition of PutItem, UpdateItem
  or DeleteItem, whose units (the existing item's size, at least one) also count in
  ``ConsumedWriteCapacityUnits``, as DynamoDB charges them; ``TransactionConflict`` (Count; TableName)
  for a request rejected by a conflicting transaction; ``SystemErrors`` (Count; TableName, Operation) for a
  5xx answer or an unexpected failure.

``UserErrors`` (account-wide) is counted by the composition root for every 4xx but a failed condition or a
throttled request (as AWS counts it), DynamoDB Streams'
``ReturnedRecordsCount`` / ``ReturnedBytes`` by that service.  ``ThrottledRequests`` is not recorded:
riverbed never throttles a table.

A request only appends to a buffer; the buffer is worked out into series and handed to the sink with
``put_values`` (one call per series) every ``FLUSH_SECONDS`` of clock time (:meth:`run`, whose step is
:meth:`flush`), whenever a series has buffered ``FLUSH_VALUES`` values, and whenever ``drain()`` asks
what is pending -- so the data points of a burst of requests cost one sink call per series, not one per
request (the write path's budget, bench/metrics_bench.py), and reach CloudWatch within a second, as AWS's
own metrics arrive with a delay.

Must not: change an answer (the capacity asked for internally is removed again) or know HTTP.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from riverbed.core.interfaces import MetricsSink
from riverbed.services.dynamodb import items

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
from riverbed.errors import ServiceError

NS = "AWS/DynamoDB"
READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
CONDITIONAL = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
# The single-table operations whose units come from items.consumed (so can be noted aside, items.UnitsNote).
NOTED = frozenset({"PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan"})
_TRANSACT_MEMBERS = ("ConditionCheck", "Put", "Delete", "Update", "Get")
FLUSH_VALUES = 1000
FLUSH_SECONDS = 1.0
SeriesKey = tuple[str, tuple[tuple[str, str], ...], str]     # name, dimensions, unit


def table_names(req: dict[str, Any]) -> list[str]:
    """The tables a request names: ``TableName``, the keys of ``RequestItems``, or each transaction item's."""
    name = req.get("TableName")
    if isinstance(name, str):
        return [name]
    items = req.get("RequestItems")
    if isinstance(items, dict):
        return list(items)
    names: list[str] = []
    for entry in req.get("TransactItems") or ():
        for member in _TRANSACT_MEMBERS:
            table = (entry.get(member) or {}).get("TableName") if isinstance(entry, dict) else None
            if isinstance(table, str) and table not in names:
                names.append(table)
    return names


_ANSWERED = ("TOTAL", "INDEXES")


def _perf_counter(clock: Clock) -> Callable[[], float]:
    """The clock's real-time counter; ``time.perf_counter`` itself when the clock does not replace it (one
    Python call less on every request)."""
    import time

    from riverbed.clock import Clock as BaseClock

    if type(clock).monotonic is BaseClock.monotonic:
        return time.perf_counter
    return clock.monotonic


def _tables(req: dict[str, Any]) -> str | tuple[str, ...]:
    table = req.get("TableName")
    return table if isinstance(table, str) else tuple(table_names(req))


def _short(table: str) -> str:
    """A table named by ARN is reported under its name, as AWS does."""
    return table.rsplit("/", 1)[-1] if table.startswith("arn:") else table


class RequestMetrics:
    """Records one request's metrics; :meth:`wrap` applies it to an operation table."""

    def __init__(self, sink: MetricsSink, clock: Clock) -> None:
        self.sink = sink
        self.clock = clock
        self.monotonic = _perf_counter(clock)
        # Per operation, per table: the latencies (seconds) and consumed units since the last flush.  A request
        # appends one number to each of its lists; no request is kept (items can be large).  The per-operation
        # dicts live as long as the recorder (each wrapper holds its own), and a flush empties them in place.
        self._latency: dict[str, dict[str, list[float]]] = {}
        self._units: dict[str, dict[str, list[float]]] = {}
        self._count = 0
        self._keys: dict[tuple[str, str], tuple[SeriesKey, SeriesKey]] = {}

    # --- buffering: a request only appends; the series are handed to the sink when the buffer is flushed --
    def _note(self, operation: str, req: dict[str, Any], consumed: Any, elapsed: float) -> None:
        """Buffer one successful request (the general case: any number of tables and capacity entries)."""
        latency = self._latency[operation]
        table = req.get("TableName")
        for name in (table,) if table.__class__ is str else table_names(req):
            seconds = latency.get(name)
            if seconds is None:
                seconds = latency[name] = []
            seconds.append(elapsed)
        if consumed:
            units = self._units[operation]
            for cap in (consumed,) if consumed.__class__ is dict else consumed:
                units.setdefault(cap["TableName"], []).append(float(cap.get("CapacityUnits") or 0))
        self._count += 1
        if self._count >= FLUSH_VALUES:
            self.flush()

    async def run(self) -> None:
        while True:
            await self.clock.sleep(FLUSH_SECONDS)
            self.flush()

    def pending(self) -> list[str]:
        """The drain probe: hands anything buffered to the sink at once, so nothing is ever left pending."""
        if self._count or any(self._latency.values()) or any(self._units.values()):
            self.flush()
        return []

    def _series(self, operation: str, table: str) -> tuple[SeriesKey, SeriesKey]:
        """The latency and consumed-capacity series of one operation on one table (made once)."""
        keys = self._keys.get((operation, table))
        if keys is None:
            name = _short(table)
            unit_name = "ConsumedReadCapacityUnits" if operation in READS else "ConsumedWriteCapacityUnits"
            keys = self._keys[(operation, table)] = (
                ("SuccessfulRequestLatency", (("Operation", operation), ("TableName", name)), "Milliseconds"),
                (unit_name, (("TableName", name),), "Count"))
        return keys

    def flush(self) -> None:
        """Hand every buffered request's values to the sink, one call per series."""
        self._count = 0
        for buffers, which in ((self._latency, 0), (self._units, 1)):
            for operation, tables in buffers.items():
                if not tables:
                    continue
                taken = list(tables.items())
                tables.clear()
                for table, values in taken:
                    name, dims, unit = self._series(operation, table)[which]
                    if which == 0:     # seconds -> milliseconds to 10 µs: finer than any statistic needs,
                        # and equal latencies share one stored value
                        values = [round(value * 1000, 2) for value in values]
                    self.sink.put_values(NS, name, dict(dims), values, unit)

    # --- the wrapper ---------------------------------------------------------------------------------
    def wrap(self, operations: dict[str, Any]) -> dict[str, Any]:
        return {name: self._wrap_one(name, func) for name, func in operations.items()}

    def _wrap_one(self, operation: str, func: Any) -> Any:
        capacity = operation in READS or operation in WRITES
        noted = operation in NOTED
        monotonic, note = self.monotonic, self._note
        latency = self._latency.setdefault(operation, {})
        units = self._units.setdefault(operation, {})
        units_note = items.UnitsNote
        if inspect.iscoroutinefunction(func):   # every DynamoDB operation is synchronous
            raise TypeError(f"{operation}: request metrics wrap synchronous operations only")

        @functools.wraps(func)
        def measured(ctx: Any, req: dict[str, Any]) -> dict[str, Any]:
            started = monotonic()
            if not noted or "ReturnConsumedCapacity" in req:
                return general(ctx, req, started)
            # The common case, kept short (it runs on every single-table read and write): the caller did
            # not ask for the units, so the operation notes them aside (items.consumed) instead of
            # answering with them.
            asked = req["ReturnConsumedCapacity"] = units_note()
            try:
                out: dict[str, Any] = func(ctx, req)
            except Exception as exc:
                del req["ReturnConsumedCapacity"]
                self.failed(operation, req, exc)
                raise
            del req["ReturnConsumedCapacity"]
            table = req["TableName"]
            seconds = latency.get(table)
            if seconds is None:
                seconds = latency[table] = []
            seconds.append(monotonic() - started)
            if asked.units is not None:
                spent = units.get(table)
                if spent is None:
                    spent = units[table] = []
                spent.append(asked.units)
            if len(seconds) >= FLUSH_VALUES:   # a series' buffer is full (the others are at most as long)
                self.flush()
            return out

        def general(ctx: Any, req: dict[str, Any], started: float) -> dict[str, Any]:
            """A caller that asked for ReturnConsumedCapacity (TOTAL, INDEXES or NONE), a batch or a
            transaction, or an operation without capacity: the units come from the answer."""
            forced = capacity and req.get("ReturnConsumedCapacity") not in _ANSWERED
            if forced:
                asked = req.get("ReturnConsumedCapacity")
                req["ReturnConsumedCapacity"] = "TOTAL"
            try:
                out: dict[str, Any] = func(ctx, req)
            except Exception as exc:
                self.failed(operation, req, exc)
                raise
            finally:
                if forced:
                    if asked is None:
                        del req["ReturnConsumedCapacity"]
                    else:
                        req["ReturnConsumedCapacity"] = asked
            consumed = (out.pop("ConsumedCapacity", None) if forced else out.get("ConsumedCapacity")) \
                if capacity and out else None
            note(operation, req, consumed, monotonic() - started)
            return out

        return measured

    def failed(self, operation: str, req: dict[str, Any], exc: Exception) -> None:
        """A failed request's error metrics, handed to the sink at once (the buffered values stay buffered)."""
        put = self.sink.put
        tables = [_short(t) for t in table_names(req)]
        if not isinstance(exc, ServiceError) or exc.status >= 500:
            for table in tables or [""]:
                put(NS, "SystemErrors", {"TableName": table, "Operation": operation} if table
                    else {"Operation": operation}, 1)
        elif exc.code == "ConditionalCheckFailedException" and operation in CONDITIONAL:
            units = float(getattr(exc, "capacity_units", 1.0))
            for table in tables:
                put(NS, "ConditionalCheckFailedRequests", {"TableName": table}, 1)
                # The failed write still consumed capacity (the existing item's size, at least one unit).
                put(NS, "ConsumedWriteCapacityUnits", {"TableName": table}, units)
        elif exc.code == "TransactionConflictException" or (
                exc.code == "TransactionCanceledException" and "TransactionConflict" in exc.message):
            for table in tables:
                put(NS, "TransactionConflict", {"TableName": table}, 1)

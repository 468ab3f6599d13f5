"""The AWS/DynamoDB metrics of each request: latency, consumed capacity and the errors AWS counts per table.

Owns: wrapping DynamoDB's operation table so that every call records, through the ``MetricsSink`` it
was handed, what AWS reports for it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html):

* ``SuccessfulRequestLatency`` (Milliseconds; dimensions TableName, Operation) for each successful
  request, per table the request names (one per table for the batch and transaction actions);
* ``ConsumedReadCapacityUnits`` / ``ConsumedWriteCapacityUnits`` (Count; dimension TableName) for every
  request that consumed capacity, whether or not the caller asked for ``ReturnConsumedCapacity`` --
  the units are the ones the operation itself computes for its answer;
* ``ConditionalCheckFailedRequests`` (Count; TableName) for a failed condition of PutItem, UpdateItem
  or DeleteItem; ``TransactionConflict`` (Count; TableName) for a request rejected by a conflicting
  transaction; ``SystemErrors`` (Count; TableName, Operation) for a 5xx answer or an unexpected failure.

``UserErrors`` (account-wide) is counted by the composition root for every 4xx, DynamoDB Streams'
``ReturnedRecordsCount`` / ``ReturnedBytes`` by that service.  ``ThrottledRequests`` is not recorded:
riverbed never throttles a table.

Must not: change an answer (the capacity asked for internally is removed again) or know HTTP.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, cast

from riverbed.core.interfaces import MetricsSink
from riverbed.errors import ServiceError

NS = "AWS/DynamoDB"
READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
CONDITIONAL = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
_TRANSACT_MEMBERS = ("ConditionCheck", "Put", "Delete", "Update", "Get")


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


def _short(table: str) -> str:
    """A table named by ARN is reported under its name, as AWS does."""
    return table.rsplit("/", 1)[-1] if table.startswith("arn:") else table


class RequestMetrics:
    """Records one request's metrics; :meth:`wrap` applies it to an operation table."""

    def __init__(self, sink: MetricsSink, monotonic: Callable[[], float]) -> None:
        self.sink = sink
        self.monotonic = monotonic

    def wrap(self, operations: dict[str, Any]) -> dict[str, Any]:
        return {name: self._wrap_one(name, func) for name, func in operations.items()}

    def _wrap_one(self, operation: str, func: Any) -> Any:
        capacity = operation in READS or operation in WRITES
        if inspect.iscoroutinefunction(func):
            async_func = cast("Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]", func)

            @functools.wraps(func)
            async def measured_async(ctx: Any, req: dict[str, Any]) -> dict[str, Any]:
                started = self.monotonic()
                asked = req.get("ReturnConsumedCapacity")
                try:
                    out = await async_func(ctx, self._asking(req, capacity, asked))
                except Exception as exc:
                    self.failed(operation, req, exc)
                    raise
                return self.succeeded(operation, req, out, started, capacity, asked)

            return measured_async

        @functools.wraps(func)
        def measured(ctx: Any, req: dict[str, Any]) -> dict[str, Any]:
            started = self.monotonic()
            asked = req.get("ReturnConsumedCapacity")
            try:
                out = func(ctx, self._asking(req, capacity, asked))
            except Exception as exc:
                self.failed(operation, req, exc)
                raise
            return self.succeeded(operation, req, out, started, capacity, asked)

        return measured

    @staticmethod
    def _asking(req: dict[str, Any], capacity: bool, asked: Any) -> dict[str, Any]:
        if not capacity or asked in ("TOTAL", "INDEXES"):
            return req
        return {**req, "ReturnConsumedCapacity": "TOTAL"}

    def succeeded(self, operation: str, req: dict[str, Any], out: dict[str, Any], started: float, capacity: bool,
                  asked: Any) -> dict[str, Any]:
        elapsed = (self.monotonic() - started) * 1000
        put = self.sink.put
        for table in table_names(req):
            put(NS, "SuccessfulRequestLatency", {"TableName": _short(table), "Operation": operation}, elapsed,
                "Milliseconds")
        if capacity and out:
            consumed = out.get("ConsumedCapacity")
            if consumed is not None and asked not in ("TOTAL", "INDEXES"):
                out = {k: v for k, v in out.items() if k != "ConsumedCapacity"}
            name = "ConsumedReadCapacityUnits" if operation in READS else "ConsumedWriteCapacityUnits"
            for cap in consumed if isinstance(consumed, list) else [consumed] if consumed else ():
                put(NS, name, {"TableName": _short(cap["TableName"])}, float(cap.get("CapacityUnits") or 0.0))
        return out

    def failed(self, operation: str, req: dict[str, Any], exc: Exception) -> None:
        put = self.sink.put
        tables = [_short(t) for t in table_names(req)]
        if not isinstance(exc, ServiceError) or exc.status >= 500:
            for table in tables or [""]:
                put(NS, "SystemErrors", {"TableName": table, "Operation": operation} if table
                    else {"Operation": operation}, 1)
        elif exc.code == "ConditionalCheckFailedException" and operation in CONDITIONAL:
            for table in tables:
                put(NS, "ConditionalCheckFailedRequests", {"TableName": table}, 1)
        elif exc.code == "TransactionConflictException" or (
                exc.code == "TransactionCanceledException" and "TransactionConflict" in exc.message):
            for table in tables:
                put(NS, "TransactionConflict", {"TableName": table}, 1)

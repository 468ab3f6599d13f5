"""Metrics: CloudWatch-shaped data points (namespace, name, dimensions, value, unit, timestamp).

Owns: recording data points from the clock's time, answering simple queries
(latest value, sums, maxima) for tests, the dashboard and a future CloudWatch
API, and a running summary per series from which ``/metrics`` is drawn
(``prometheus.py`` renders it with prometheus_client, in a registry of this
instance's own).  Bounded: old points are dropped past ``max_points`` per
series; the running summaries keep counting.

How a CloudWatch metric reads in Prometheus (:func:`prometheus_kind`):

* a *level* -- a value at an instant, whatever its unit (IteratorAge,
  ConcurrentExecutions, ...: :data:`LEVELS`) -- is a **gauge** holding the latest value;
* an additive unit (Count, Bytes, bits...) is a **counter** of everything put
  (Invocations, Errors, Throttles, DestinationDeliveryFailures,
  TimeToLiveDeletedItemCount, ReturnedRecordsCount, ReturnedBytes, UserErrors, ...);
* a time unit that is not a level (Duration) is a **summary** (count and sum);
* anything else (Percent, rates per second) is a gauge holding the latest value.

Must not: know which service produced a point, or import prometheus_client
at start-up (it costs ~30 ms; it is loaded on the first scrape).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

Series = tuple[str, str, tuple[tuple[str, str], ...]]

LEVELS = frozenset({
    "IteratorAge", "ConcurrentExecutions", "UnreservedConcurrentExecutions", "ProvisionedConcurrentExecutions",
    "ProvisionedConcurrencyUtilization", "AsyncEventAge", "OffsetLag",
    "ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "ApproximateAgeOfOldestMessage",
    "ProvisionedReadCapacityUnits", "ProvisionedWriteCapacityUnits", "ReplicationLatency",
})
ADDITIVE_UNITS = frozenset({"Count", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
                            "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits"})
TIME_UNITS = frozenset({"Seconds", "Milliseconds", "Microseconds"})


def prometheus_kind(name: str, unit: str) -> str:
    """``counter``, ``gauge`` or ``summary`` for a CloudWatch metric name and unit (see the module docstring)."""
    if name in LEVELS:
        return "gauge"
    if unit in ADDITIVE_UNITS:
        return "counter"
    if unit in TIME_UNITS:
        return "summary"
    return "gauge"


@dataclass
class Running:
    """Everything ever put on one series, in the form a scrape needs."""
    kind: str
    unit: str
    count: int = 0
    sum: float = 0.0
    last: float = 0.0


class Metrics:
    def __init__(self, clock: Any, max_points: int = 10_000) -> None:
        self.clock = clock
        self.max_points = max_points
        self._series: dict[Series, deque[tuple[float, float, str]]] = {}
        self._running: dict[Series, Running] = {}
        self._kinds: dict[tuple[str, str], str] = {}   # one kind per metric, so a family is never mixed
        self._registry: Any = None          # prometheus_client.CollectorRegistry, made on the first scrape

    def put(self, namespace: str, name: str, dimensions: dict[str, str], value: float, unit: str = "Count") -> None:
        key = (namespace, name, tuple(sorted(dimensions.items())))
        points = self._series.get(key)
        if points is None:
            points = self._series[key] = deque(maxlen=self.max_points)
            kind = self._kinds.get((namespace, name))
            if kind is None:
                kind = self._kinds[(namespace, name)] = prometheus_kind(name, unit)
            self._running[key] = Running(kind, unit)
        value = float(value)
        points.append((self.clock.now(), value, unit))
        running = self._running[key]
        running.count += 1
        running.sum += value
        running.last = value

    def put_values(self, namespace: str, name: str, dimensions: dict[str, str], values: Sequence[float],
                   unit: str = "Count") -> None:
        """Several data points of one series at once (the same as ``put`` for each)."""
        if not values:
            return
        key = (namespace, name, tuple(sorted(dimensions.items())))
        if key not in self._series:
            self.put(namespace, name, dimensions, values[0], unit)
            values = values[1:]
        if not values:
            return
        values = list(map(float, values))
        self._series[key].extend(zip(repeat(self.clock.now()), values, repeat(unit)))   # tuples made in C
        running = self._running[key]
        running.count += len(values)
        running.sum += sum(values)
        running.last = values[-1]

    def points(self, namespace: str, name: str, dimensions: dict[str, str] | None = None
               ) -> list[tuple[float, float, str]]:
        out: list[tuple[float, float, str]] = []
        for (ns, n, dims), points in self._series.items():
            if ns == namespace and n == name and (dimensions is None or set(dimensions.items()) <= set(dims)):
                out.extend(points)
        return sorted(out)

    def total(self, namespace: str, name: str, dimensions: dict[str, str] | None = None) -> float:
        return sum(v for _, v, _ in self.points(namespace, name, dimensions))

    def maximum(self, namespace: str, name: str, dimensions: dict[str, str] | None = None) -> float | None:
        values = [v for _, v, _ in self.points(namespace, name, dimensions)]
        return max(values) if values else None

    def series(self) -> list[Series]:
        return list(self._series)

    def reset(self) -> None:
        self._series.clear()
        self._running.clear()
        self._kinds.clear()

    def running(self) -> list[tuple[Series, Running]]:
        """Every series with its running summary, in a stable order (what ``/metrics`` shows)."""
        return sorted(self._running.items(), key=lambda entry: entry[0])

    def exposition(self, accept: str = "") -> tuple[str, bytes]:
        """``(content type, body)`` for ``/metrics``, in the format the ``Accept`` header asks for
        (Prometheus text 0.0.4 by default, OpenMetrics on request)."""
        from riverbed import prometheus

        if self._registry is None:
            self._registry = prometheus.registry_for(self)
        return prometheus.exposition(self._registry, accept)

    def prometheus(self) -> str:
        """The Prometheus text format of every series (``/metrics``)."""
        return self.exposition()[1].decode()

"""Metrics: CloudWatch-shaped data points (namespace, name, dimensions, value, unit, timestamp).

Owns: recording data points from the clock's time and answering simple
queries (latest value, sums, maxima) for tests, the dashboard and a future
CloudWatch API.  Bounded: old points are dropped past ``max_points`` per series.

Must not: know which service produced a point.
"""

from __future__ import annotations

from collections import deque
from typing import Any

Series = tuple[str, str, tuple[tuple[str, str], ...]]


class Metrics:
    def __init__(self, clock: Any, max_points: int = 10_000) -> None:
        self.clock = clock
        self.max_points = max_points
        self._series: dict[Series, deque[tuple[float, float, str]]] = {}

    def put(self, namespace: str, name: str, dimensions: dict[str, str], value: float, unit: str = "Count") -> None:
        key = (namespace, name, tuple(sorted(dimensions.items())))
        points = self._series.get(key)
        if points is None:
            points = self._series[key] = deque(maxlen=self.max_points)
        points.append((self.clock.now(), float(value), unit))

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

    def prometheus(self) -> str:
        """Latest value of each series in Prometheus text format (``/metrics``)."""
        lines = []
        for (ns, name, dims), points in sorted(self._series.items()):
            if not points:
                continue
            metric = f"{ns.replace('/', '_').lower()}_{name}"
            labels = ",".join(f'{k}="{v}"' for k, v in dims)
            lines.append(f"{metric}{{{labels}}} {points[-1][1]}")
        return "\n".join(lines) + "\n"

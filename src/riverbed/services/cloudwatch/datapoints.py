"""CloudWatch data points: every series' samples, kept for the retention period, and their statistics.

Owns: recording samples (a single value, a statistic set, or values with counts — what PutMetricData
and the services' own metrics send), finding series by namespace, name and dimensions, and computing
per-period statistics (SampleCount, Sum, Average, Minimum, Maximum and percentiles ``pNN``) over them.
Bounded: samples of the same second and series are merged (up to ``MERGE_VALUES`` values each),
samples older than the retention period are dropped, and each series keeps at most ``max_samples``.
Also a snapshot of all samples as plain data for the store (``dump``/``load``), so data points
survive a restart.

Must not: know about alarms, requests or wire shapes.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock

SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
MERGE_VALUES = 1000     # values one merged sample keeps (exact percentiles); then a new sample starts


@dataclass
class Sample:
    """One data point as sent: a statistic set over ``values`` (value, count) pairs when known."""

    timestamp: float
    count: float
    total: float
    minimum: float
    maximum: float
    unit: str = "None"
    values: list[tuple[float, float]] = field(default_factory=list)

    @classmethod
    def single(cls, timestamp: float, value: float, unit: str = "None") -> Sample:
        return cls(timestamp, 1.0, value, value, value, unit, [(value, 1.0)])

    def dump(self) -> list[Any]:
        return [self.timestamp, self.count, self.total, self.minimum, self.maximum, self.unit,
                [list(v) for v in self.values]]

    @classmethod
    def load(cls, raw: list[Any]) -> Sample:
        return cls(raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], [(v, c) for v, c in raw[6]])


def series_key(namespace: str, name: str, dimensions: dict[str, str]) -> SeriesKey:
    return namespace, name, tuple(sorted(dimensions.items()))


class Datapoints:
    """All series' samples; a :class:`~riverbed.core.interfaces.MetricsSink` for the other services."""

    def __init__(self, clock: Clock, retention_seconds: float = 15 * 86400, max_samples: int = 100_000) -> None:
        self.clock = clock
        self.retention_seconds = retention_seconds
        self.max_samples = max_samples
        self._series: dict[SeriesKey, deque[Sample]] = {}
        self._last_put: dict[SeriesKey, float] = {}
        self._lock = threading.Lock()
        self.changed = False

    # --- recording ------------------------------------------------------------------------------
    def put(self, namespace: str, name: str, dimensions: dict[str, str], value: float, unit: str = "Count") -> None:
        """A service's own data point, stamped with the clock's time (the MetricsSink call)."""
        self.add(series_key(namespace, name, dimensions), Sample.single(self.clock.now(), float(value), unit))

    def put_values(self, namespace: str, name: str, dimensions: dict[str, str], values: Sequence[float],
                   unit: str = "Count") -> None:
        """Several data points of one series at once (``put`` for each): equal values are kept once with
        their count (exact, and what keeps a busy series' samples and snapshot small)."""
        key = series_key(namespace, name, dimensions)
        now = self.clock.now()
        counts: dict[float, float] = {}
        for value in values:
            value = float(value)
            counts[value] = counts.get(value, 0.0) + 1.0
        pairs = list(counts.items())
        for start in range(0, len(pairs), MERGE_VALUES):
            chunk = pairs[start:start + MERGE_VALUES]
            self.add(key, Sample(now, sum(c for _, c in chunk), sum(v * c for v, c in chunk), min(v for v, _ in chunk),
                                 max(v for v, _ in chunk), unit, chunk))

    def add(self, key: SeriesKey, sample: Sample) -> None:
        with self._lock:
            samples = self._series.get(key)
            if samples is None:
                samples = self._series[key] = deque(maxlen=self.max_samples)
            last = samples[-1] if samples else None
            if (last is not None and last.unit == sample.unit and int(last.timestamp) == int(sample.timestamp)
                    and last.timestamp <= sample.timestamp and len(last.values) + len(sample.values) <= MERGE_VALUES
                    and (last.values or not last.count) and (sample.values or not sample.count)):
                # One sample per second and series (CloudWatch's finest resolution): merge into it.
                last.count += sample.count
                last.total += sample.total
                last.minimum = min(last.minimum, sample.minimum)
                last.maximum = max(last.maximum, sample.maximum)
                last.values.extend(sample.values)
                last.timestamp = sample.timestamp
            elif last is not None and last.timestamp > sample.timestamp:
                # Back-dated (PutMetricData with an old Timestamp): keep the deque ordered.
                ordered = sorted([*samples, sample], key=lambda s: s.timestamp)
                samples.clear()
                samples.extend(ordered)
            else:
                samples.append(sample)
            self._last_put[key] = self.clock.now()
            self.changed = True

    # --- reading -----------------------------------------------------------------------------------
    def keys(self) -> list[SeriesKey]:
        with self._lock:
            return list(self._series)

    def last_put(self, key: SeriesKey) -> float:
        return self._last_put.get(key, 0.0)

    def samples(self, key: SeriesKey, start: float, end: float, unit: str | None = None) -> list[Sample]:
        with self._lock:
            found = self._series.get(key, ())
            return [s for s in found if start <= s.timestamp < end and (unit is None or s.unit == unit)]

    # --- upkeep ------------------------------------------------------------------------------------
    def expire_once(self) -> int:
        """Drop samples past the retention period; the number dropped."""
        horizon = self.clock.now() - self.retention_seconds
        dropped = 0
        with self._lock:
            for key in list(self._series):
                samples = self._series[key]
                while samples and samples[0].timestamp < horizon:
                    samples.popleft()
                    dropped += 1
                if not samples:
                    del self._series[key]
                    self._last_put.pop(key, None)
            if dropped:
                self.changed = True
        return dropped

    def reset(self) -> None:
        with self._lock:
            self._series.clear()
            self._last_put.clear()
            self.changed = False

    def dump(self) -> list[Any]:
        with self._lock:
            self.changed = False
            return [[[k[0], k[1], [list(d) for d in k[2]]], self._last_put.get(k, 0.0), [s.dump() for s in v]]
                    for k, v in self._series.items()]

    def load(self, raw: Iterable[list[Any]]) -> None:
        with self._lock:
            for (namespace, name, dims), last, samples in raw:
                key: SeriesKey = (namespace, name, tuple((d[0], d[1]) for d in dims))
                self._series[key] = deque((Sample.load(s) for s in samples), maxlen=self.max_samples)
                self._last_put[key] = last


# --- statistics --------------------------------------------------------------------------------------

def period_start(timestamp: float, period: int) -> float:
    return math.floor(timestamp / period) * period


def bucket(samples: Iterable[Sample], period: int) -> dict[float, list[Sample]]:
    """Samples grouped by the start of their period (periods aligned on the epoch, as AWS aligns them)."""
    out: dict[float, list[Sample]] = {}
    for s in samples:
        out.setdefault(period_start(s.timestamp, period), []).append(s)
    return out


def statistic(samples: list[Sample], stat: str) -> float | None:
    """One statistic over samples: a standard one or a percentile ``pNN`` / ``pNN.N``."""
    if not samples:
        return None
    count = sum(s.count for s in samples)
    if stat == "SampleCount":
        return count
    if stat == "Sum":
        return sum(s.total for s in samples)
    if stat == "Average":
        return sum(s.total for s in samples) / count if count else None
    if stat == "Minimum":
        return min(s.minimum for s in samples)
    if stat == "Maximum":
        return max(s.maximum for s in samples)
    rank = percentile_rank(stat)
    if rank is None:
        raise ValueError(stat)
    return percentile(samples, rank)


def percentile_rank(stat: str) -> float | None:
    """The rank of ``pNN`` (0 < NN <= 100), or None when ``stat`` is not a percentile."""
    if not stat.startswith("p"):
        return None
    try:
        rank = float(stat[1:])
    except ValueError:
        return None
    return rank if 0 <= rank <= 100 and len(stat) > 1 else None


def percentile(samples: list[Sample], rank: float) -> float | None:
    """Nearest-rank percentile over the samples' values (a statistic set without values counts as its
    average, since its distribution is unknown)."""
    weighted: list[tuple[float, float]] = []
    for s in samples:
        if s.values:
            weighted.extend(s.values)
        elif s.count:
            weighted.append((s.total / s.count, s.count))
    weighted.sort()
    total = sum(c for _, c in weighted)
    if not total:
        return None
    target = max(1.0, math.ceil(rank / 100 * total))
    seen = 0.0
    for value, count in weighted:
        seen += count
        if seen >= target:
            return value
    return weighted[-1][0]

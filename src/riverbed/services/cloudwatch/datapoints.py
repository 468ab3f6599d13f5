"""CloudWatch data points: every series' aggregates per minute (per second when high-resolution), in the store.

Owns: recording data points (a single value, a statistic set, or values with counts -- what PutMetricData
and the services' own metrics send) as an in-memory aggregation into time slots, flushing those slots
to the store (``flush_once``: one read-merge-write per dirty slot, in one transaction), dropping slots
past the retention period (``expire_once``), and answering reads by merging the stored slots with the
slots not flushed yet.  Finding series by namespace, name and dimensions and computing per-period
statistics (SampleCount, Sum, Average, Minimum, Maximum and percentiles ``pNN``) over the slots.

Why slots in the store: several riverbed nodes on one PostgreSQL database each record their own
requests' data points; the alarms run on one node.  Every node merges its slots into the same stored
rows (``Store.series_get`` locks the slot, so no merge is lost), so every node reads every node's data
points, and they survive a restart.  Why in memory first: recording sits on the request path (a
PutItem's latency and capacity), so it must stay a dict update; the store is written once per slot
and flush, never per request.

A slot (as AWS aggregates, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Resolution_definition):
a minute for standard resolution (the services' own metrics, PutMetricData without StorageResolution
or with 60), a second for high resolution (StorageResolution 1).  Per unit it keeps SampleCount, Sum,
Minimum, Maximum and the distinct values with their counts (exact percentiles) -- at most
``MAX_VALUES`` of them: beyond that the values are rounded to fewer significant digits (4, then 3, ...)
so a busy slot stays small and its percentiles stay within 0.05 % (4 digits).  A statistic set without
values counts as its average for percentiles, as its distribution is unknown.

Must not: know about alarms, requests or wire shapes.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store

SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
MAX_VALUES = 1000               # distinct values one slot keeps per unit before they are rounded
STANDARD, HIGH = 60, 1          # slot widths (seconds): standard and high resolution
RESOLUTIONS = (STANDARD, HIGH)


@dataclass
class Sample:
    """One slot's aggregate of one unit (or one data point as sent): ``values`` are (value, count) pairs."""

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


class Aggregate:
    """A slot's running aggregate of one unit; merged in memory and with the stored one.

    ``digits``: None while the values are exact; once they passed ``MAX_VALUES`` the significant digits
    they are rounded to, which every later value is rounded to as it arrives -- so a busy slot is
    rounded again only when it fills up at that precision (at most four times), never on every add."""

    __slots__ = ("count", "digits", "maximum", "minimum", "total", "values")

    def __init__(self, count: float = 0.0, total: float = 0.0, minimum: float = math.inf,
                 maximum: float = -math.inf, values: dict[float, float] | None = None,
                 digits: int | None = None) -> None:
        self.count = count
        self.total = total
        self.minimum = minimum
        self.maximum = maximum
        self.values: dict[float, float] = values if values is not None else {}
        self.digits = digits

    def add(self, count: float, total: float, minimum: float, maximum: float,
            values: Iterable[tuple[float, float]]) -> None:
        self.count += count
        self.total += total
        if minimum < self.minimum:
            self.minimum = minimum
        if maximum > self.maximum:
            self.maximum = maximum
        known = self.values
        digits = self.digits
        for value, n in values:
            if digits is not None:
                value = round_to(value, digits)
            known[value] = known.get(value, 0.0) + n
        if len(known) > MAX_VALUES:
            self.coarsen(4 if digits is None else digits - 1)

    def coarsen(self, digits: int) -> None:
        """Round the values to ``digits`` significant digits, or fewer until at most ``MAX_VALUES`` remain."""
        while True:
            rounded: dict[float, float] = {}
            for value, n in self.values.items():
                key = round_to(value, digits)
                rounded[key] = rounded.get(key, 0.0) + n
            if len(rounded) <= MAX_VALUES or digits <= 1:
                break
            digits -= 1
        self.values, self.digits = rounded, digits

    def merge(self, other: Aggregate) -> None:
        if other.digits is not None and (self.digits is None or other.digits < self.digits):
            self.coarsen(other.digits)
        self.add(other.count, other.total, other.minimum, other.maximum, other.values.items())

    def sample(self, timestamp: float, unit: str) -> Sample:
        return Sample(timestamp, self.count, self.total, self.minimum, self.maximum, unit,
                      sorted(self.values.items()))

    def dump(self) -> list[Any]:
        return [self.count, self.total, self.minimum, self.maximum, [[v, c] for v, c in self.values.items()],
                self.digits]

    @classmethod
    def load(cls, raw: list[Any]) -> Aggregate:
        # (an empty aggregate's infinite bounds are stored as null)
        return cls(raw[0], raw[1], math.inf if raw[2] is None else raw[2], -math.inf if raw[3] is None else raw[3],
                   {float(v): float(c) for v, c in raw[4]}, raw[5] if len(raw) > 5 else None)


def round_to(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant digits."""
    return float(f"{value:.{digits - 1}e}")


Slot = dict[str, Aggregate]                       # unit -> aggregate
SlotKey = tuple[SeriesKey, int, float]            # series, resolution, slot start


def series_key(namespace: str, name: str, dimensions: dict[str, str]) -> SeriesKey:
    return namespace, name, tuple(sorted(dimensions.items()))


def stored_name(key: SeriesKey, resolution: int) -> str:
    """The store's series name: JSON ``[namespace, name, [[dim, value], ...], resolution]`` (namespace first,
    so a namespace's series share a prefix, :func:`namespace_prefix`)."""
    return orjson.dumps([key[0], key[1], [list(d) for d in key[2]], resolution]).decode()


def namespace_prefix(namespace: str) -> str:
    return orjson.dumps([namespace]).decode()[:-1] + ","


def parse_name(name: str) -> tuple[SeriesKey, int]:
    namespace, metric, dims, resolution = orjson.loads(name)
    return (namespace, metric, tuple((d[0], d[1]) for d in dims)), int(resolution)


def encode_slot(slot: Slot) -> bytes:
    return orjson.dumps({unit: agg.dump() for unit, agg in slot.items()})


def decode_slot(data: bytes) -> Slot:
    return {unit: Aggregate.load(raw) for unit, raw in orjson.loads(data).items()}


class Datapoints:
    """All series' data points; the recording half is the :class:`~riverbed.core.interfaces.MetricsSink`."""

    def __init__(self, store: Store, clock: Clock, retention_seconds: float = 15 * 86400) -> None:
        self.store = store
        self.clock = clock
        self.retention_seconds = retention_seconds
        self._pending: dict[SlotKey, Slot] = {}
        self._flushing: dict[SlotKey, Slot] = {}     # taken for a flush, until it has committed
        self._lock = threading.Lock()

    # --- recording (in memory) -----------------------------------------------------------------------
    def put(self, namespace: str, name: str, dimensions: dict[str, str], value: float, unit: str = "Count") -> None:
        """A service's own data point, stamped with the clock's time (the MetricsSink call)."""
        value = float(value)
        self._add(series_key(namespace, name, dimensions), STANDARD, self.clock.now(), unit,
                  1.0, value, value, value, ((value, 1.0),))

    def put_values(self, namespace: str, name: str, dimensions: dict[str, str], values: Sequence[float],
                   unit: str = "Count") -> None:
        """Several data points of one series at once, stamped now (``put`` for each, in one step)."""
        if not values:
            return
        counts = Counter(map(float, values))   # counted in C
        self._add(series_key(namespace, name, dimensions), STANDARD, self.clock.now(), unit, float(len(values)),
                  sum(v * c for v, c in counts.items()), min(counts), max(counts), counts.items())

    def add(self, key: SeriesKey, sample: Sample, resolution: int = STANDARD) -> None:
        """A data point as PutMetricData sends it (its own timestamp, possibly in the past)."""
        values = sample.values or ([(sample.total / sample.count, sample.count)] if sample.count else [])
        self._add(key, resolution, sample.timestamp, sample.unit, sample.count, sample.total, sample.minimum,
                  sample.maximum, values)

    def _add(self, key: SeriesKey, resolution: int, timestamp: float, unit: str, count: float, total: float,
             minimum: float, maximum: float, values: Iterable[tuple[float, float]]) -> None:
        slot_key = (key, resolution, math.floor(timestamp / resolution) * resolution)
        with self._lock:
            slot = self._pending.get(slot_key)
            if slot is None:
                slot = self._pending[slot_key] = {}
            agg = slot.get(unit)
            if agg is None:
                agg = slot[unit] = Aggregate()
            agg.add(count, total, minimum, maximum, values)

    # --- the store ----------------------------------------------------------------------------------
    def dirty(self) -> bool:
        return bool(self._pending)

    def flush_once(self) -> int:
        """Merge every slot recorded since the last flush into the store (one transaction); how many.

        On failure the slots go back to memory, to be merged by the next flush."""
        with self._lock:
            taken, self._pending = self._pending, {}
            self._flushing = taken
        if not taken:
            return 0
        try:
            # In one order on every node: two nodes' flushes lock their common slots in the same order, so
            # they wait for each other instead of deadlocking.
            ordered = sorted(((stored_name(key, res), at, slot) for (key, res, at), slot in taken.items()),
                             key=lambda entry: (entry[0], entry[1]))
            with self.store.transaction() as txn:
                for name, at, slot in ordered:
                    old = txn.series_get(name, at)
                    merged = decode_slot(old) if old else {}
                    for unit, agg in slot.items():
                        if unit in merged:
                            merged[unit].merge(agg)
                        else:
                            merged[unit] = agg
                    txn.series_put(name, at, encode_slot(merged))
        except BaseException:
            with self._lock:
                for slot_key, slot in taken.items():
                    self._merge_into(self._pending, slot_key, slot)
                self._flushing = {}
            raise
        with self._lock:
            self._flushing = {}
        return len(taken)

    def expire_once(self) -> int:
        """Drop stored slots older than the retention period; how many."""
        with self.store.transaction() as txn:
            return txn.series_trim(self.clock.now() - self.retention_seconds)

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
            self._flushing = {}

    @staticmethod
    def _merge_into(target: dict[Any, Slot], slot_key: Any, slot: Slot) -> None:
        mine = target.setdefault(slot_key, {})
        for unit, agg in slot.items():
            if unit in mine:
                mine[unit].merge(agg)
            else:
                copy = Aggregate()
                copy.merge(agg)
                mine[unit] = copy

    def _unflushed(self) -> list[tuple[SlotKey, Slot]]:
        with self._lock:
            return [*self._flushing.items(), *self._pending.items()]

    # --- reading (the store merged with what is not flushed yet) ------------------------------------
    def metrics(self, namespace: str | None = None) -> dict[SeriesKey, float]:
        """Every series with data points (of ``namespace``), with the start of its latest slot."""
        found: dict[SeriesKey, float] = {}
        for name, latest in self.store.series_names(namespace_prefix(namespace) if namespace is not None else ""):
            key, _ = parse_name(name)
            found[key] = max(found.get(key, latest), latest)
        for (key, _, at), _ in self._unflushed():
            if namespace is None or key[0] == namespace:
                found[key] = max(found.get(key, at), at)
        return found

    def samples(self, key: SeriesKey, start: float, end: float, unit: str | None = None) -> list[Sample]:
        """One sample per slot and unit of the series with ``start <= slot start < end``, oldest first."""
        slots: dict[tuple[int, float], Slot] = {}
        for resolution in RESOLUTIONS:
            for at, data in self.store.series_range(stored_name(key, resolution), start, end):
                slots[(resolution, at)] = decode_slot(data)
        for (skey, resolution, at), slot in self._unflushed():
            if skey == key and start <= at < end:
                self._merge_into(slots, (resolution, at), slot)
        out = [agg.sample(at, u) for (_, at), slot in slots.items() for u, agg in slot.items()
               if unit is None or u == unit]
        out.sort(key=lambda s: s.timestamp)
        return out


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

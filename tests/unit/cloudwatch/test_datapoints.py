"""Data points: per-minute slots aggregated in memory, flushed to the store, merged on read, kept for the
retention period, and shared by every riverbed sharing the store."""

from __future__ import annotations

from riverbed.clock import ManualClock
from riverbed.services.cloudwatch.datapoints import (
    HIGH,
    MAX_VALUES,
    Datapoints,
    Sample,
    bucket,
    series_key,
    statistic,
)
from riverbed.services.cloudwatch.service import CloudWatchService
from riverbed.storage import open_store

KEY = series_key("ns", "m", {"A": "1"})


class NoTopics:
    def publish(self, topic_arn: str, message: str, subject: str | None = None) -> str:
        raise AssertionError("no alarm here")


class CountingStore:
    """The in-memory SQLite store, counting the transactions opened on it."""

    def __init__(self) -> None:
        self.inner = open_store("sqlite", None)
        self.transactions = 0

    def transaction(self):
        self.transactions += 1
        return self.inner.transaction()

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_statistics_over_mixed_samples():
    samples = [Sample.single(0, 2.0), Sample(1, 3, 12.0, 1.0, 7.0), Sample(2, 2, 10.0, 5.0, 5.0, "None",
                                                                             [(5.0, 2.0)])]
    assert statistic(samples, "SampleCount") == 6
    assert statistic(samples, "Sum") == 24.0
    assert statistic(samples, "Average") == 4.0
    assert statistic(samples, "Minimum") == 1.0 and statistic(samples, "Maximum") == 7.0
    assert statistic([], "Sum") is None


def test_buckets_align_on_the_period():
    groups = bucket([Sample.single(59, 1), Sample.single(60, 1), Sample.single(119.9, 1)], 60)
    assert {k: len(v) for k, v in groups.items()} == {0: 1, 60: 2}


def test_recording_touches_no_store_until_the_flush_and_reads_merge_both():
    store = CountingStore()
    clock = ManualClock(1020.0)
    points = Datapoints(store, clock)   # type: ignore[arg-type]
    for value in (1.0, 5.0, 3.0):
        points.put("ns", "m", {"A": "1"}, value)
        clock.advance(10)
    points.put_values("ns", "m", {"A": "1"}, [2.0, 2.0, 9.0])
    assert store.transactions == 0                       # recording is in memory only
    assert store.series_names() == []
    [minute] = points.samples(KEY, 0, 5000)              # 1020..1050: one minute slot, stamped 1020
    assert (minute.timestamp, minute.count, minute.total, minute.minimum, minute.maximum) == (1020, 6, 22.0, 1.0, 9.0)
    assert points.flush_once() == 1 and store.transactions == 1
    assert points.flush_once() == 0 and store.transactions == 1   # nothing new: no transaction
    points.put("ns", "m", {"A": "1"}, 100.0)             # same minute, not flushed yet: merged on read
    [minute] = points.samples(KEY, 0, 5000)
    assert (minute.count, minute.maximum) == (7, 100.0)
    assert statistic([minute], "p50") == 3.0
    points.flush_once()
    [(_name, latest)] = store.series_names()
    assert latest == 1020.0 and points.metrics() == {KEY: 1020.0}


def test_units_stay_apart_and_high_resolution_keeps_seconds():
    clock = ManualClock(1200.0)
    points = Datapoints(open_store("sqlite", None), clock)
    points.add(KEY, Sample.single(1200.5, 1.0, "Seconds"), HIGH)
    points.add(KEY, Sample.single(1201.2, 2.0, "Seconds"), HIGH)
    points.add(KEY, Sample.single(1210.0, 7.0, "Count"))
    points.flush_once()
    seconds = points.samples(KEY, 0, 5000, "Seconds")
    assert [(s.timestamp, s.total) for s in seconds] == [(1200.0, 1.0), (1201.0, 2.0)]
    assert [(s.timestamp, s.total, s.unit) for s in points.samples(KEY, 0, 5000, "Count")] == [(1200.0, 7.0, "Count")]
    assert len(points.samples(KEY, 0, 5000)) == 3


def test_two_nodes_on_one_store_merge_into_the_same_slots(tmp_path):
    clock = ManualClock(600.0)
    store = open_store("sqlite", str(tmp_path))
    a, b = Datapoints(store, clock), Datapoints(store, clock)
    a.put("ns", "m", {"A": "1"}, 4.0)
    b.put("ns", "m", {"A": "1"}, 6.0)
    b.put("ns", "other", {}, 1.0)
    a.flush_once()
    b.flush_once()
    for node in (a, b):
        [slot] = node.samples(KEY, 0, 5000)
        assert (slot.count, slot.total, slot.minimum, slot.maximum) == (2, 10.0, 4.0, 6.0)
    assert set(a.metrics()) == {KEY, series_key("ns", "other", {})}
    assert set(a.metrics("other-ns")) == set()
    store.close()


def test_retention_drops_old_slots_on_the_clock():
    clock = ManualClock(1000.0)
    points = Datapoints(open_store("sqlite", None), clock, retention_seconds=100)
    points.put("ns", "m", {"A": "1"}, 1.0)
    points.flush_once()
    clock.advance(150)
    points.put("ns", "m", {"A": "1"}, 2.0)
    points.flush_once()
    assert points.expire_once() == 1
    assert [s.total for s in points.samples(KEY, 0, 10_000)] == [2.0]


def test_a_busy_slot_keeps_its_values_bounded_and_percentiles_close():
    clock = ManualClock(0.0)
    points = Datapoints(open_store("sqlite", None), clock)
    values = [1 + i / 7919 for i in range(20_000)]          # 20,000 distinct values in one minute
    points.put_values("ns", "m", {"A": "1"}, values)
    points.flush_once()
    [slot] = points.samples(KEY, 0, 60)
    assert len(slot.values) <= MAX_VALUES and slot.count == 20_000
    assert slot.minimum == values[0] and slot.maximum == values[-1]
    exact = sorted(values)[int(0.99 * len(values)) - 1]
    assert abs(statistic([slot], "p99") - exact) / exact < 0.001


def test_single_data_points_into_a_full_slot_are_rounded_as_they_arrive():
    """Past MAX_VALUES distinct values a slot rounds each new value at its precision (no re-rounding per put)."""
    clock = ManualClock(0.0)
    points = Datapoints(open_store("sqlite", None), clock)
    for i in range(5000):
        points.put("ns", "m", {"A": "1"}, 1 + i / 9999)       # 5,000 distinct; 501 at four digits
    [slot] = points.samples(KEY, 0, 60)
    assert slot.count == 5000 and len(slot.values) == 501
    assert abs(statistic([slot], "p50") - (1 + 2499 / 9999)) < 0.001
    points.flush_once()
    points.put("ns", "m", {"A": "1"}, 10.123456)          # merged with the stored slot at its precision
    points.flush_once()
    [slot] = points.samples(KEY, 0, 60)
    assert slot.count == 5001 and len(slot.values) <= MAX_VALUES and 10.12 in dict(slot.values)


def test_a_failed_flush_keeps_the_slots_for_the_next():
    clock = ManualClock(0.0)
    store = open_store("sqlite", None)
    points = Datapoints(store, clock)
    points.put("ns", "m", {"A": "1"}, 3.0)
    real = store.series_put

    def broken(*args):
        raise OSError("disk full")

    store.series_put = broken      # type: ignore[method-assign]
    try:
        points.flush_once()
    except OSError:
        pass
    store.series_put = real        # type: ignore[method-assign]
    points.put("ns", "m", {"A": "1"}, 4.0)
    assert points.flush_once() == 1
    [slot] = points.samples(KEY, 0, 60)
    assert (slot.count, slot.total) == (2, 7.0)


def test_data_points_survive_a_restart(tmp_path):
    clock = ManualClock(1000.0)
    store = open_store("sqlite", str(tmp_path))
    service = CloudWatchService(store, clock, topics=NoTopics())
    service.put("AWS/Lambda", "Invocations", {"FunctionName": "f"}, 3.0)
    assert service.flush_once() == 1
    service.put("AWS/Lambda", "Invocations", {"FunctionName": "f"}, 2.0)
    assert service.pending() == []                # the drain probe flushes too
    store.close()
    store = open_store("sqlite", str(tmp_path))
    again = CloudWatchService(store, clock, topics=NoTopics())
    key = series_key("AWS/Lambda", "Invocations", {"FunctionName": "f"})
    assert [s.total for s in again.datapoints.samples(key, 0, 2000)] == [5.0]
    store.close()


def test_a_snapshot_saved_by_an_earlier_riverbed_becomes_slots_once(tmp_path):
    store = open_store("sqlite", str(tmp_path))
    with store.transaction() as txn:
        txn.put_doc("cloudwatch-datapoints", "all", {"series": [
            [["AWS/Lambda", "Duration", [["FunctionName", "f"]]], 1000.0,
             [[1000.5, 2, 30.0, 10.0, 20.0, "Milliseconds", [[10.0, 1], [20.0, 1]]],
              [1070.0, 1, 5.0, 5.0, 5.0, "Milliseconds", [[5.0, 1]]]]]]})
    CloudWatchService(store, ManualClock(1100.0), topics=NoTopics())
    assert store.get_doc("cloudwatch-datapoints", "all") is None
    again = CloudWatchService(store, ManualClock(1100.0), topics=NoTopics())
    key = series_key("AWS/Lambda", "Duration", {"FunctionName": "f"})
    samples = again.datapoints.samples(key, 0, 2000)
    assert [(s.timestamp, s.count, s.total, s.unit) for s in samples] == [(960.0, 2, 30.0, "Milliseconds"),
                                                                          (1020.0, 1, 5.0, "Milliseconds")]
    store.close()

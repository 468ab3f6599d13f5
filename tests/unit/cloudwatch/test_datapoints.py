"""Data points: statistics, percentiles, retention and the snapshot that survives a restart."""

from __future__ import annotations

from riverbed.clock import ManualClock
from riverbed.services.cloudwatch.datapoints import Datapoints, Sample, bucket, series_key, statistic
from riverbed.services.cloudwatch.service import CloudWatchService
from riverbed.storage import open_store


class NoTopics:
    def publish(self, topic_arn: str, message: str, subject: str | None = None) -> str:
        raise AssertionError("no alarm here")


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


def test_retention_drops_old_samples():
    clock = ManualClock(1000.0)
    points = Datapoints(clock, retention_seconds=100)
    points.put("ns", "m", {"A": "1"}, 1.0)
    clock.advance(150)
    points.put("ns", "m", {"A": "1"}, 2.0)
    assert points.expire_once() == 1
    key = series_key("ns", "m", {"A": "1"})
    assert [s.total for s in points.samples(key, 0, 10_000)] == [2.0]


def test_data_points_survive_a_restart(tmp_path):
    clock = ManualClock(1000.0)
    store = open_store("sqlite", str(tmp_path))
    service = CloudWatchService(store, clock, topics=NoTopics())
    service.put("AWS/Lambda", "Invocations", {"FunctionName": "f"}, 3.0)
    assert service.save_once() is True
    assert service.save_once() is False           # nothing changed since
    store.close()
    store = open_store("sqlite", str(tmp_path))
    again = CloudWatchService(store, clock, topics=NoTopics())
    key = series_key("AWS/Lambda", "Invocations", {"FunctionName": "f"})
    assert [s.total for s in again.datapoints.samples(key, 0, 2000)] == [3.0]
    store.close()


def test_points_of_one_second_merge_into_one_sample():
    clock = ManualClock(1000.0)
    points = Datapoints(clock)
    for value in (1.0, 5.0, 3.0):
        points.put("ns", "m", {}, value)
        clock.advance(0.2)
    clock.advance(1.0)
    points.put("ns", "m", {}, 7.0)
    samples = points.samples(series_key("ns", "m", {}), 0, 2000)
    assert [(s.count, s.total, s.minimum, s.maximum) for s in samples] == [(3, 9.0, 1.0, 5.0), (1, 7.0, 7.0, 7.0)]
    assert statistic(samples, "p50") == 3.0

"""The replication delay (``--replication-delay`` / ``RIVERBED_REPLICATION_DELAY``): a write is carried to the
other replicas once it is that old on the clock, ReplicationLatency shows it, and a manual clock uses 0 so that
writes are carried at drain() without moving a test's clock."""

from __future__ import annotations

import time

import pytest

import riverbed
from riverbed.app import App
from riverbed.clock import SystemClock
from riverbed.config import Settings, load_settings

EAST, WEST = "us-east-1", "eu-west-1"
KEY = {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
       "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}


def make_global(rb: riverbed.Riverbed, name: str) -> None:
    east = rb.client("dynamodb", region=EAST)
    east.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **KEY)
    east.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    rb.drain()


def latency(rb: riverbed.Riverbed, name: str, start: float, statistic: str) -> float | None:
    points = rb.client("cloudwatch", region=EAST).get_metric_statistics(
        Namespace="AWS/DynamoDB", MetricName="ReplicationLatency",
        Dimensions=[{"Name": "TableName", "Value": name}, {"Name": "ReceivingRegion", "Value": WEST}],
        StartTime=start - 60, EndTime=start + 3600, Period=3660, Statistics=[statistic])["Datapoints"]
    return float(points[0][statistic]) if points else None


def test_the_setting_is_read_from_the_environment_and_a_manual_clock_uses_zero() -> None:
    assert Settings().replication_delay == 0.05
    assert load_settings(environ={"RIVERBED_REPLICATION_DELAY": "1.5"}).replication_delay == 1.5
    app = App(load_settings({"in_memory": True, "replication_delay": 0.25}, environ={}), SystemClock())
    try:
        assert app.dynamodb.replicator.delay == 0.25
    finally:
        app.close()
    with riverbed.Riverbed(clock="manual", replication_delay=0.25) as rb:
        assert rb.app.dynamodb.replicator.delay == 0.0


def test_on_a_manual_clock_drain_carries_a_delayed_write_and_latency_shows_the_delay() -> None:
    with riverbed.Riverbed(clock="manual") as rb:
        make_global(rb, "late")
        rb.app.dynamodb.replicator.delay = 5.0
        east, west = rb.client("dynamodb", region=EAST), rb.client("dynamodb", region=WEST)
        written = rb.clock.now()
        east.put_item(TableName="late", Item={"id": {"S": "x"}})
        assert "Item" not in west.get_item(TableName="late", Key={"id": {"S": "x"}})
        rb.drain()   # the replicator's wait for the write to be 5 s old is the pipeline's own: drain jumps it
        assert west.get_item(TableName="late", Key={"id": {"S": "x"}})["Item"] == {"id": {"S": "x"}}
        assert 5.0 <= rb.clock.now() - written < 5.1
        measured = latency(rb, "late", written, "Maximum")
        assert measured is not None and 5000 <= measured < 5100


def test_on_the_system_clock_a_write_reaches_the_other_region_once_it_is_delay_old() -> None:
    delay = 1.0
    with riverbed.Riverbed(clock="system", replication_delay=delay) as rb:
        make_global(rb, "timed")
        east, west = rb.client("dynamodb", region=EAST), rb.client("dynamodb", region=WEST)
        start = time.time()
        east.put_item(TableName="timed", Item={"id": {"S": "t"}})
        acked = time.monotonic()
        assert "Item" not in west.get_item(TableName="timed", Key={"id": {"S": "t"}})
        while "Item" not in west.get_item(TableName="timed", Key={"id": {"S": "t"}}):
            if time.monotonic() - acked > 20:
                pytest.fail("not replicated within 20 s")
            time.sleep(0.02)
        # The write was stamped before it was acknowledged, so it may arrive a little less than 1 s after.
        assert time.monotonic() - acked >= delay - 0.25
        rb.drain()
        measured = latency(rb, "timed", start, "Minimum")
        assert measured is not None and measured >= delay * 1000

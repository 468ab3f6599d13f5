"""CloudWatch data points live in the store: they survive a restart, are kept for the retention period
on the clock, and a riverbed that is stopped right after a burst of requests keeps the burst's metrics."""

from __future__ import annotations

import riverbed

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}]
DAY = 86400


def _sum(cw, now, namespace, name, dims, statistic="Sum", start=3600):
    got = cw.get_metric_statistics(
        Namespace=namespace, MetricName=name, Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - start, EndTime=now + 60, Period=60 * ((start + 60 + 59) // 60), Statistics=[statistic])
    return [sum(p[statistic] for p in got["Datapoints"])] if got["Datapoints"] else []


def test_data_points_survive_a_restart_even_when_stopped_at_once(tmp_path):
    start = 1_700_000_040.0
    with riverbed.Riverbed(data_dir=str(tmp_path), start=start) as rb:
        ddb, cw = rb.client("dynamodb"), rb.client("cloudwatch")
        ddb.create_table(TableName="tbl", BillingMode="PAY_PER_REQUEST", AttributeDefinitions=ATTRS, KeySchema=KEYS)
        for i in range(7):
            ddb.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}})
        cw.put_metric_data(Namespace="app", MetricData=[{"MetricName": "orders", "Value": 3.0},
                                                        {"MetricName": "orders", "Value": 4.0}])
        # no drain, no wait: stopping flushes the request metrics and CloudWatch's slots
    with riverbed.Riverbed(data_dir=str(tmp_path), start=start + 30) as rb:
        cw = rb.client("cloudwatch")
        now = rb.clock.now()
        assert _sum(cw, now, "app", "orders", {}) == [7.0]
        assert _sum(cw, now, "AWS/DynamoDB", "SuccessfulRequestLatency",
                    {"TableName": "tbl", "Operation": "PutItem"}, "SampleCount") == [7.0]
        listed = cw.list_metrics(Namespace="app")["Metrics"]
        assert listed == [{"Namespace": "app", "MetricName": "orders", "Dimensions": []}]


def test_data_points_past_the_retention_period_are_dropped_on_the_clock():
    with riverbed.Riverbed(start=1_700_000_040.0, cloudwatch_retention_seconds=2 * DAY) as rb:
        cw = rb.client("cloudwatch")
        cw.put_metric_data(Namespace="app", MetricData=[{"MetricName": "old", "Value": 1.0}])
        rb.drain()
        rb.clock.advance(DAY)
        cw.put_metric_data(Namespace="app", MetricData=[{"MetricName": "young", "Value": 2.0}])
        rb.drain()
        rb.clock.advance(DAY + 120)            # "old" is now past two days; the flush loop trims it
        rb.drain()
        now = rb.clock.now()
        assert _sum(cw, now, "app", "old", {}, start=3 * DAY // 2 * 2 - 60) == []
        assert _sum(cw, now, "app", "young", {}, start=3 * DAY // 2 * 2 - 60) == [2.0]
        assert [m["MetricName"] for m in cw.list_metrics(Namespace="app")["Metrics"]] == ["young"]


def test_high_resolution_data_points_keep_their_seconds():
    with riverbed.Riverbed(start=1_700_000_040.0) as rb:
        cw = rb.client("cloudwatch")
        now = rb.clock.now()
        cw.put_metric_data(Namespace="app", MetricData=[
            {"MetricName": "hr", "Value": 1.0, "StorageResolution": 1, "Timestamp": now},
            {"MetricName": "hr", "Value": 5.0, "StorageResolution": 1, "Timestamp": now + 1},
            {"MetricName": "std", "Value": 1.0, "Timestamp": now},
            {"MetricName": "std", "Value": 5.0, "Timestamp": now + 1}])
        got = cw.get_metric_statistics(Namespace="app", MetricName="hr", StartTime=now - 10, EndTime=now + 10,
                                       Period=1, Statistics=["Sum"])["Datapoints"]
        assert sorted(p["Sum"] for p in got) == [1.0, 5.0]
        got = cw.get_metric_statistics(Namespace="app", MetricName="std", StartTime=now - 10, EndTime=now + 10,
                                       Period=1, Statistics=["Sum"])["Datapoints"]
        assert [p["Sum"] for p in got] == [6.0]          # one minute
        err = None
        try:
            cw.put_metric_data(Namespace="app", MetricData=[{"MetricName": "x", "Value": 1.0, "StorageResolution": 5}])
        except cw.exceptions.ClientError as exc:
            err = exc.response["Error"]
        assert err is not None and err["Code"] == "InvalidParameterValue"
        assert err["Message"] == ("The parameter MetricData.member.1.StorageResolution must be a value in the set "
                                  "[ 1, 60 ].")


def test_a_start_time_inside_a_minute_is_rounded_down_as_aws_does():
    with riverbed.Riverbed(start=1_700_000_040.0) as rb:          # on a minute
        cw = rb.client("cloudwatch")
        rb.clock.advance(40)
        cw.put_metric_data(Namespace="app", MetricData=[{"MetricName": "m", "Value": 2.0}])   # 40 s into it
        now = rb.clock.now()
        got = cw.get_metric_statistics(Namespace="app", MetricName="m", StartTime=now - 10, EndTime=now + 60,
                                       Period=60, Statistics=["Sum"])["Datapoints"]
        assert [(p["Sum"], p["Timestamp"].timestamp()) for p in got] == [(2.0, 1_700_000_040.0)]
        got = cw.get_metric_data(StartTime=now - 10, EndTime=now + 60, MetricDataQueries=[
            {"Id": "m", "MetricStat": {"Metric": {"Namespace": "app", "MetricName": "m"}, "Period": 60,
                                       "Stat": "Sum"}}])["MetricDataResults"]
        assert got[0]["Values"] == [2.0]

"""CloudWatch metrics and alarms through boto3 (JSON protocol) and the query protocol."""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client


@pytest.fixture(scope="module")
def cw(endpoint):
    return make_client(endpoint, "cloudwatch")


@pytest.fixture
def ns():
    return f"app-{uuid.uuid4().hex[:8]}"


def _stats(cw, ns, name, **kw):
    now = time.time()
    return cw.get_metric_statistics(Namespace=ns, MetricName=name, StartTime=now - 600, EndTime=now + 600,
                                    Period=60, **kw)


def test_put_metric_data_then_statistics(cw, ns):
    cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "latency", "Value": float(v), "Unit": "Seconds"}
                                                 for v in range(10)])
    got = _stats(cw, ns, "latency", Statistics=["SampleCount", "Sum", "Average", "Minimum", "Maximum"])
    assert got["Label"] == "latency"
    points = got["Datapoints"]
    total = {k: sum(p[k] for p in points) for k in ("SampleCount", "Sum")}
    assert total == {"SampleCount": 10.0, "Sum": 45.0}
    assert min(p["Minimum"] for p in points) == 0.0 and max(p["Maximum"] for p in points) == 9.0
    assert all(p["Unit"] == "Seconds" for p in points)


def test_extended_statistics_percentiles(cw, ns):
    cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "d", "Values": [float(v) for v in range(1, 101)]}])
    [point] = _stats(cw, ns, "d", ExtendedStatistics=["p50", "p90", "p99"])["Datapoints"]
    assert point["ExtendedStatistics"] == {"p50": 50.0, "p90": 90.0, "p99": 99.0}


def test_statistic_values_and_counts(cw, ns):
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "s", "StatisticValues": {"SampleCount": 4, "Sum": 10, "Minimum": 1, "Maximum": 4}},
        {"MetricName": "s", "Values": [5.0, 6.0], "Counts": [2, 1]},
    ])
    points = _stats(cw, ns, "s", Statistics=["SampleCount", "Sum", "Maximum"])["Datapoints"]
    assert sum(p["SampleCount"] for p in points) == 7.0
    assert sum(p["Sum"] for p in points) == 26.0
    assert max(p["Maximum"] for p in points) == 6.0


def test_dimensions_match_exactly(cw, ns):
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "m", "Value": 1.0, "Dimensions": [{"Name": "A", "Value": "1"}]},
        {"MetricName": "m", "Value": 5.0, "Dimensions": [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]},
    ])
    points = _stats(cw, ns, "m", Dimensions=[{"Name": "A", "Value": "1"}], Statistics=["Sum"])["Datapoints"]
    assert sum(p["Sum"] for p in points) == 1.0
    assert _stats(cw, ns, "m", Statistics=["Sum"])["Datapoints"] == []
    listed = cw.list_metrics(Namespace=ns, Dimensions=[{"Name": "B"}])["Metrics"]
    assert listed == [{"Namespace": ns, "MetricName": "m",
                       "Dimensions": [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]}]
    assert len(cw.list_metrics(Namespace=ns, RecentlyActive="PT3H")["Metrics"]) == 2


def test_put_metric_data_errors_as_aws(cw, ns):
    with pytest.raises(ClientError) as err:
        cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "m", "Value": 1.0, "Values": [1.0]}])
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert err.value.response["Error"]["Message"] == (
        "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you "
        "have specified both.")
    with pytest.raises(ClientError) as err:
        cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "m", "Values": [1.0, 2.0], "Counts": [1.0]}])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert err.value.response["Error"]["Message"] == (
        "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.")
    with pytest.raises(ClientError) as err:
        cw.put_metric_data(Namespace="AWS/Lambda", MetricData=[{"MetricName": "m", "Value": 1.0}])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_get_metric_statistics_limits(cw, ns):
    now = time.time()
    with pytest.raises(ClientError) as err:
        cw.get_metric_statistics(Namespace=ns, MetricName="m", StartTime=now - 86400, EndTime=now, Period=1,
                                 Statistics=["Sum"])
    assert err.value.response["Error"]["Message"] == (
        "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may reduce the datapoints "
        "requested by increasing Period, or decreasing the time range.")
    with pytest.raises(ClientError) as err:
        cw.get_metric_statistics(Namespace=ns, MetricName="m", StartTime=now, EndTime=now - 60, Period=60,
                                 Statistics=["Sum"])
    assert err.value.response["Error"]["Message"] == "The parameter StartTime must be less than the parameter EndTime."


def test_get_metric_data_labels_and_order(cw, ns):
    cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "metric1", "Value": float(v)} for v in range(5)])
    metric = {"Namespace": ns, "MetricName": "metric1"}
    now = time.time()
    got = cw.get_metric_data(StartTime=now - 600, EndTime=now + 600, MetricDataQueries=[
        {"Id": "a", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Sum"}},
        {"Id": "b", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Maximum"}},
        {"Id": "c", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Sum"}, "ReturnData": False},
    ])
    results = {r["Id"]: r for r in got["MetricDataResults"]}
    assert set(results) == {"a", "b"}
    assert results["a"]["Label"] == "metric1 Sum" and results["b"]["Label"] == "metric1 Maximum"
    assert sum(results["a"]["Values"]) == 10.0 and max(results["b"]["Values"]) == 4.0
    assert results["a"]["StatusCode"] == "Complete"
    assert results["a"]["Timestamps"] == sorted(results["a"]["Timestamps"], reverse=True)


def test_alarm_lifecycle(cw, ns):
    name = f"alarm-{ns}"
    cw.put_metric_alarm(AlarmName=name, Namespace=ns, MetricName="m", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=30, ComparisonOperator="GreaterThanThreshold",
                        Tags=[{"Key": "team", "Value": "ops"}])
    [alarm] = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA" and alarm["ActionsEnabled"] is True
    assert alarm["AlarmArn"].endswith(f":alarm:{name}") and alarm["Dimensions"] == []
    assert cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert [a["AlarmName"] for a in cw.describe_alarms_for_metric(Namespace=ns, MetricName="m")["MetricAlarms"]] \
        == [name]
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing alarm")
    [alarm] = cw.describe_alarms(AlarmNames=[name], StateValue="ALARM")["MetricAlarms"]
    assert alarm["StateReason"] == "testing alarm"
    cw.disable_alarm_actions(AlarmNames=[name])
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["ActionsEnabled"] is False
    cw.enable_alarm_actions(AlarmNames=[name])
    history = cw.describe_alarm_history(AlarmName=name)["AlarmHistoryItems"]
    assert history[0]["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"
    cw.delete_alarms(AlarmNames=[name])
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"] == []
    with pytest.raises(ClientError) as err:
        cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="x")
    assert err.value.response["Error"]["Code"] == "ResourceNotFound"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_unknown_operation_is_refused(cw):
    with pytest.raises(ClientError) as err:
        cw.list_dashboards()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_query_protocol(endpoint, ns):
    form = {"Action": "PutMetricData", "Version": "2010-08-01", "Namespace": ns,
            "MetricData.member.1.MetricName": "q", "MetricData.member.1.Value": "2.5"}
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/monitoring/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    req = urllib.request.Request(endpoint + "/", data=urllib.parse.urlencode(form).encode(), headers=headers)
    with urllib.request.urlopen(req) as resp:
        assert b"<PutMetricDataResponse" in resp.read()
    form = {"Action": "ListMetrics", "Version": "2010-08-01", "Namespace": ns}
    req = urllib.request.Request(endpoint + "/", data=urllib.parse.urlencode(form).encode(), headers=headers)
    with urllib.request.urlopen(req) as resp:
        body = resp.read().decode()
    assert "<MetricName>q</MetricName>" in body and f"<Namespace>{ns}</Namespace>" in body


def test_get_metric_data_metric_math(cw, ns):
    cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "errors", "Value": 2.0},
                                                 {"MetricName": "requests", "Value": 8.0}])
    now = time.time()

    def stat(name):
        return {"Metric": {"Namespace": ns, "MetricName": name}, "Period": 60, "Stat": "Sum"}

    got = cw.get_metric_data(StartTime=now - 600, EndTime=now + 600, MetricDataQueries=[
        {"Id": "e", "MetricStat": stat("errors"), "ReturnData": False},
        {"Id": "r", "MetricStat": stat("requests"), "ReturnData": False},
        {"Id": "rate", "Expression": "100 * e / r", "Label": "Error rate"},
        {"Id": "total", "Expression": "SUM(METRICS())"},
    ])
    results = {r["Id"]: r for r in got["MetricDataResults"]}
    assert results["rate"]["Values"] == [25.0] and results["rate"]["Label"] == "Error rate"
    assert results["total"]["Values"] == [10.0] and results["total"]["Label"] == "total"
    with pytest.raises(ClientError) as err:
        cw.get_metric_data(StartTime=now - 600, EndTime=now + 600, MetricDataQueries=[
            {"Id": "x", "Expression": "missing * 2"}])
    assert err.value.response["Error"]["Code"] == "ValidationError"

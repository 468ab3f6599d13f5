"""Alarms on metric math (PutMetricAlarm ``Metrics``): an error-rate alarm over a function's AWS/Lambda
Errors and Invocations goes to ALARM, notifies SNS (and through it SQS) with the queries in its trigger,
and returns to OK; and AWS's validation of the ``Metrics`` list."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import riverbed

START = 1_700_000_040.0      # on a minute


@pytest.fixture
def rb():
    with riverbed.Riverbed(start=START) as instance:
        yield instance


def _stat(ident, name, stat="Sum", return_data=False):
    return {"Id": ident, "ReturnData": return_data, "MetricStat": {
        "Metric": {"Namespace": "AWS/Lambda", "MetricName": name,
                   "Dimensions": [{"Name": "FunctionName", "Value": "worker"}]},
        "Period": 60, "Stat": stat}}


ERROR_RATE = [_stat("e", "Errors"), _stat("i", "Invocations"),
              {"Id": "rate", "Expression": "100 * FILL(e, 0) / i", "Label": "Error rate (%)", "ReturnData": True}]


def _invoke(lam, fail: bool) -> None:
    lam.invoke(FunctionName="worker", Payload=json.dumps({"fail": fail}).encode())


def _notes(sqs, queue_url):
    out = []
    for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        out.append(json.loads(json.loads(m["Body"])["Message"]))
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return out


def test_error_rate_alarm_goes_to_alarm_and_back_to_ok(rb):
    lam, sns, sqs, cw = (rb.client(s) for s in ("lambda", "sns", "sqs", "cloudwatch"))

    def handler(event, ctx):
        if event["fail"]:
            raise RuntimeError("boom")
        return "ok"

    rb.register_function("worker", handler)
    topic = sns.create_topic(Name="ops")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="ops-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    cw.put_metric_alarm(AlarmName="worker-errors", Metrics=ERROR_RATE, EvaluationPeriods=1, Threshold=10.0,
                        ComparisonOperator="GreaterThanThreshold", TreatMissingData="ignore",
                        AlarmActions=[topic], OKActions=[topic])
    [alarm] = cw.describe_alarms(AlarmNames=["worker-errors"])["MetricAlarms"]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert [q["Id"] for q in alarm["Metrics"]] == ["e", "i", "rate"]
    assert alarm["Metrics"][2]["Expression"] == "100 * FILL(e, 0) / i" and alarm["Metrics"][2]["ReturnData"] is True
    assert "MetricName" not in alarm and "Period" not in alarm

    for fail in (True, False, False, True):       # 2 errors in 4 invocations: 50 %
        _invoke(lam, fail)
    rb.drain()
    rb.app.cloudwatch.evaluate_once()
    [alarm] = cw.describe_alarms(AlarmNames=["worker-errors"])["MetricAlarms"]
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 datapoint [50.0 (")
    assert alarm["StateReason"].endswith(")] was greater than the threshold (10.0).")
    data = json.loads(alarm["StateReasonData"])
    assert data["recentDatapoints"] == [50.0] and "statistic" not in data and data["period"] == 60
    assert data["evaluatedDatapoints"] == [{"timestamp": "2023-11-14T22:14:00.000+0000", "value": 50.0}]
    [note] = _notes(sqs, queue_url)
    assert note["NewStateValue"] == "ALARM" and note["AlarmName"] == "worker-errors"
    trigger = note["Trigger"]
    assert trigger["Period"] == 60 and "MetricName" not in trigger
    assert [q["Id"] for q in trigger["Metrics"]] == ["e", "i", "rate"]
    assert trigger["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"] == [{"value": "worker", "name": "FunctionName"}]

    rb.clock.advance(60)                             # a new minute with successes only: 0 %
    for _ in range(5):
        _invoke(lam, False)
    rb.drain()
    rb.app.cloudwatch.evaluate_once()
    [alarm] = cw.describe_alarms(AlarmNames=["worker-errors"])["MetricAlarms"]
    assert alarm["StateValue"] == "OK"
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 datapoint [0.0 (")
    [note] = _notes(sqs, queue_url)
    assert note["NewStateValue"] == "OK" and note["OldStateValue"] == "ALARM"


def _refused(cw, **kw):
    params = {"AlarmName": "bad", "EvaluationPeriods": 1, "Threshold": 1.0,
              "ComparisonOperator": "GreaterThanThreshold", **kw}
    with pytest.raises(ClientError) as err:
        cw.put_metric_alarm(**params)
    assert err.value.response["Error"]["Code"] == "ValidationError"
    return err.value.response["Error"]["Message"]


def test_metrics_validation_as_aws(rb):
    cw = rb.client("cloudwatch")
    both = [dict(_stat("e", "Errors"), ReturnData=True), dict(ERROR_RATE[2])]
    assert _refused(cw, Metrics=both) == "Exactly one element of the metrics list should return data."
    none = [_stat("e", "Errors"), _stat("i", "Invocations")]
    assert _refused(cw, Metrics=none) == "Exactly one element of the metrics list should return data."
    assert _refused(cw, Metrics=ERROR_RATE, Statistic="Sum") == "Statistic should not be set if list of Metrics is set."
    assert _refused(cw, Metrics=ERROR_RATE, Unit="Count") == "Unit should not be set if list of Metrics is set."
    mixed = [dict(_stat("e", "Errors"), Expression="e * 2", ReturnData=True)]
    assert _refused(cw, Metrics=mixed) == ("The parameters MetricDataQuery Expression and MetricStat are mutually "
                                           "exclusive and you have specified both.")
    unknown = [_stat("e", "Errors"), {"Id": "x", "Expression": "e / nothing", "ReturnData": True}]
    assert _refused(cw, Metrics=unknown).startswith("Error in expression 'x': ")
    assert _refused(cw, Namespace="app", Statistic="Sum", Period=60) == "MetricName must not be null"
    assert cw.describe_alarms()["MetricAlarms"] == []


def test_an_alarm_on_a_single_query_returning_data(rb):
    """A Metrics list of one MetricStat query (what CloudFormation and the CDK send) works like the metric."""
    cw = rb.client("cloudwatch")
    cw.put_metric_alarm(AlarmName="one", Metrics=[dict(_stat("m1", "Invocations"), ReturnData=True)],
                        EvaluationPeriods=1, Threshold=0.0, ComparisonOperator="GreaterThanThreshold")
    rb.app.cloudwatch.evaluate_once()
    assert cw.describe_alarms(AlarmNames=["one"])["MetricAlarms"][0]["StateValue"] == "INSUFFICIENT_DATA"
    assert cw.describe_alarms_for_metric(Namespace="AWS/Lambda", MetricName="Invocations")["MetricAlarms"] == []

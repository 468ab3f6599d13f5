"""The classic IteratorAge alarm end to end on a manual clock: a throttled consumer falls behind, the
alarm goes to ALARM and notifies an SNS topic (and through it an SQS queue), then returns to OK once the
consumer has caught up."""

from __future__ import annotations

import json
import time

import pytest

import riverbed


@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


def _alarm_messages(sqs, queue_url):
    out = []
    for _ in range(3):
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        for m in got:
            out.append(json.loads(json.loads(m["Body"])["Message"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        if not got:
            break
    return out


def _iterator_age_max(cw, rb):
    now = rb.clock.now()
    got = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName="IteratorAge",
                                   Dimensions=[{"Name": "FunctionName", "Value": "consumer"}],
                                   StartTime=now - 3600, EndTime=now + 60, Period=60, Statistics=["Maximum"])
    return max((p["Maximum"] for p in got["Datapoints"]), default=None)


def test_iterator_age_alarm_goes_to_alarm_while_throttled_and_back_to_ok(rb):
    ddb, lam, sns, sqs, cw = (rb.client(s) for s in ("dynamodb", "lambda", "sns", "sqs", "cloudwatch"))
    topic = sns.create_topic(Name="ops")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="ops-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    seen: list[str] = []
    rb.register_function("consumer", lambda event, ctx: seen.extend(
        r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]))
    lam.put_function_concurrency(FunctionName="consumer", ReservedConcurrentExecutions=0)
    arn = ddb.create_table(TableName="src", BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                           StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                           )["TableDescription"]["LatestStreamArn"]
    lam.create_event_source_mapping(FunctionName="consumer", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    cw.put_metric_alarm(AlarmName="consumer-behind", Namespace="AWS/Lambda", MetricName="IteratorAge",
                        Dimensions=[{"Name": "FunctionName", "Value": "consumer"}], Statistic="Maximum",
                        Period=60, EvaluationPeriods=1, Threshold=60000, ComparisonOperator="GreaterThanThreshold",
                        TreatMissingData="ignore", AlarmActions=[topic], OKActions=[topic])
    alarm = cw.describe_alarms(AlarmNames=["consumer-behind"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Unchecked: Initial alarm creation"

    for i in range(5):
        ddb.put_item(TableName="src", Item={"pk": {"S": f"k{i}"}})
    # The consumer is throttled: every retry reports the batch's age, which grows with the clock.
    deadline = time.monotonic() + 20
    while (_iterator_age_max(cw, rb) or 0) <= 60000:
        assert time.monotonic() < deadline, "IteratorAge never passed 60 s"
        rb.clock.advance(15)
        time.sleep(0.05)
    assert seen == []
    throttles = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName="Throttles",
                                         Dimensions=[{"Name": "FunctionName", "Value": "consumer"}],
                                         StartTime=rb.clock.now() - 3600, EndTime=rb.clock.now() + 60,
                                         Period=3600, Statistics=["Sum"])["Datapoints"]
    assert throttles and throttles[0]["Sum"] > 0

    rb.app.cloudwatch.evaluate_once()   # (the evaluation loop may already have run on the clock)
    alarm = cw.describe_alarms(AlarmNames=["consumer-behind"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 datapoint [")
    assert alarm["StateReason"].endswith("] was greater than the threshold (60000.0).")
    # IteratorAge is measured from each record's write time: an evaluation at the instant it is exactly
    # 60 s (not above the threshold) may first have moved the alarm to OK.
    note = _alarm_messages(sqs, queue_url)[-1]
    assert note["AlarmName"] == "consumer-behind"
    assert note["NewStateValue"] == "ALARM" and note["OldStateValue"] in ("INSUFFICIENT_DATA", "OK")
    assert note["Region"] == "US East (N. Virginia)"
    assert note["Trigger"]["MetricName"] == "IteratorAge" and note["Trigger"]["Statistic"] == "MAXIMUM"
    assert note["Trigger"]["Dimensions"] == [{"value": "consumer", "name": "FunctionName"}]
    assert note["AlarmArn"] == alarm["AlarmArn"]

    # Throttling lifted: the consumer catches up; a fresh record a period later is read at once.
    lam.delete_function_concurrency(FunctionName="consumer")
    rb.drain()
    assert sorted(seen) == [f"k{i}" for i in range(5)]
    rb.clock.advance(61)
    ddb.put_item(TableName="src", Item={"pk": {"S": "fresh"}})
    rb.drain()
    assert "fresh" in seen
    rb.app.cloudwatch.evaluate_once()   # (the evaluation loop may already have run on the clock)
    alarm = cw.describe_alarms(AlarmNames=["consumer-behind"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "OK"
    assert alarm["StateReason"].endswith("] was not greater than the threshold (60000.0).")
    [note] = _alarm_messages(sqs, queue_url)
    assert note["NewStateValue"] == "OK" and note["OldStateValue"] == "ALARM"

    history = cw.describe_alarm_history(AlarmName="consumer-behind")["AlarmHistoryItems"]
    summaries = [h["HistorySummary"] for h in history]
    assert summaries[0] == "Alarm updated from ALARM to OK"
    assert summaries[1] in ("Alarm updated from INSUFFICIENT_DATA to ALARM", "Alarm updated from OK to ALARM")
    data = json.loads(history[1]["HistoryData"])
    assert data["newState"]["stateReasonData"]["statistic"] == "Maximum"
    assert data["newState"]["stateReasonData"]["recentDatapoints"][0] > 60000

"""Function logs in CloudWatch Logs and the Lambda metrics they go with, through boto3."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

import riverbed


@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


def _handler(event, context):
    print("processing order", event["order"])
    print(json.dumps({"level": "ERROR" if event["order"] == 2 else "INFO", "order": event["order"]}))
    return {"ok": True}


def test_filter_log_events_finds_a_handlers_print(rb):
    rb.register_function("orders", _handler)
    lam, logs = rb.client("lambda"), rb.client("logs")
    for order in range(3):
        lam.invoke(FunctionName="orders", Payload=json.dumps({"order": order}))
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/aws/lambda/orders"]
    [stream] = logs.describe_log_streams(logGroupName="/aws/lambda/orders")["logStreams"]
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", stream["logStreamName"])

    found = logs.filter_log_events(logGroupName="/aws/lambda/orders", filterPattern='"processing order 1"')["events"]
    assert [e["message"] for e in found] == ["processing order 1\n"]
    assert found[0]["logStreamName"] == stream["logStreamName"]
    errors = logs.filter_log_events(logGroupName="/aws/lambda/orders", filterPattern='{ $.level = "ERROR" }')
    assert [json.loads(e["message"])["order"] for e in errors["events"]] == [2]
    reports = logs.filter_log_events(logGroupName="/aws/lambda/orders", filterPattern="REPORT")["events"]
    assert len(reports) == 3 and all(e["message"].startswith("REPORT RequestId: ") for e in reports)


def test_get_log_events_pages_forward_and_backward(rb):
    logs = rb.client("logs")
    logs.create_log_group(logGroupName="app", tags={"team": "ops"})
    logs.create_log_stream(logGroupName="app", logStreamName="s")
    now_ms = int(rb.clock.now() * 1000)
    logs.put_log_events(logGroupName="app", logStreamName="s",
                        logEvents=[{"timestamp": now_ms + i, "message": f"m{i}"} for i in range(5)])
    head = logs.get_log_events(logGroupName="app", logStreamName="s", startFromHead=True, limit=2)
    assert [e["message"] for e in head["events"]] == ["m0", "m1"]
    nxt = logs.get_log_events(logGroupName="app", logStreamName="s", nextToken=head["nextForwardToken"], limit=2)
    assert [e["message"] for e in nxt["events"]] == ["m2", "m3"]
    back = logs.get_log_events(logGroupName="app", logStreamName="s", nextToken=nxt["nextBackwardToken"], limit=2)
    assert [e["message"] for e in back["events"]] == ["m0", "m1"]
    tail = logs.get_log_events(logGroupName="app", logStreamName="s", limit=2)
    assert [e["message"] for e in tail["events"]] == ["m3", "m4"]
    end = logs.get_log_events(logGroupName="app", logStreamName="s", nextToken=tail["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == tail["nextForwardToken"]
    arn = logs.describe_log_groups(logGroupNamePrefix="app")["logGroups"][0]["logGroupArn"]
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "ops"}


def test_errors_and_retention(rb):
    logs = rb.client("logs")
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as err:
        logs.create_log_group(logGroupName="g")
    assert err.value.response["Error"] == {"Code": "ResourceAlreadyExistsException",
                                           "Message": "The specified log group already exists"}
    with pytest.raises(ClientError) as err:
        logs.put_log_events(logGroupName="g", logStreamName="nope", logEvents=[{"timestamp": 1, "message": "x"}])
    assert err.value.response["Error"]["Message"] == "The specified log stream does not exist."
    with pytest.raises(ClientError) as err:
        logs.describe_log_streams(logGroupName="missing")
    assert err.value.response["Error"]["Message"] == "The specified log group does not exist."

    logs.create_log_stream(logGroupName="g", logStreamName="s")
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    now_ms = int(rb.clock.now() * 1000)
    logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": now_ms, "message": "old"}])
    rb.clock.advance(2 * 86400)
    rb.app.logs.expire_once()
    assert logs.get_log_events(logGroupName="g", logStreamName="s")["events"] == []
    assert logs.describe_log_groups(logGroupNamePrefix="g")["logGroups"][0]["retentionInDays"] == 1
    logs.delete_log_group(logGroupName="g")
    assert logs.describe_log_groups(logGroupNamePrefix="g")["logGroups"] == []


def test_lambda_metrics_after_known_workload(rb):
    def flaky(event, context):
        if event.get("fail"):
            raise ValueError("no")
        return 1

    rb.register_function("flaky", flaky)
    lam, cw = rb.client("lambda"), rb.client("cloudwatch")
    for i in range(5):
        lam.invoke(FunctionName="flaky", Payload=json.dumps({"fail": i == 4}))
    now = rb.clock.now()

    def total(name, stat="Sum"):
        points = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName=name, StartTime=now - 3600,
                                          EndTime=now + 60, Period=3600, Statistics=[stat],
                                          Dimensions=[{"Name": "FunctionName", "Value": "flaky"}])["Datapoints"]
        return points[0][stat] if points else None

    assert total("Invocations") == 5.0
    assert total("Errors") == 1.0
    assert total("Duration", "SampleCount") == 5.0
    assert total("ConcurrentExecutions", "Maximum") == 1.0


def test_filter_log_events_with_space_delimited_patterns(rb):
    logs = rb.client("logs")
    logs.create_log_group(logGroupName="web")
    logs.create_log_stream(logGroupName="web", logStreamName="access")
    now_ms = int(rb.clock.now() * 1000)
    lines = ['10.0.0.1 - alice [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 200 1534',
             '10.0.0.2 - bob [10/Oct/2000:13:25:16 -0700] "GET /missing.html HTTP/1.0" 404 2310',
             '10.0.0.3 - carol [10/Oct/2000:13:25:17 -0700] "GET /small HTTP/1.0" 404 12',
             "not an access log line"]
    logs.put_log_events(logGroupName="web", logStreamName="access",
                        logEvents=[{"timestamp": now_ms + i, "message": m} for i, m in enumerate(lines)])

    def found(pattern):
        events = logs.filter_log_events(logGroupName="web", filterPattern=pattern)["events"]
        return [e["message"].split()[0] for e in events]

    assert found("[ip, user, ..., status=404, size>1000]") == ["10.0.0.2"]
    assert found("[ip, ..., status=4*, size]") == ["10.0.0.2", "10.0.0.3"]
    assert found("[ip, user, username, time, request=*.html*, status, size]") == ["10.0.0.1", "10.0.0.2"]
    assert found("[ip, user, username=%^[ab][lo][ib]%, ...]") == ["10.0.0.1", "10.0.0.2"]
    assert found("?alice ?carol -small") == ["10.0.0.1"]
    with pytest.raises(ClientError) as err:
        logs.filter_log_events(logGroupName="web", filterPattern="[ip, , status]")
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"

"""The metrics the services record, checked as a user would read them after a known workload: through
CloudWatch's GetMetricStatistics, and through ``/metrics`` parsed by prometheus_client's own parser."""

from __future__ import annotations

import json
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

import riverbed

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}]


@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


def _stat(rb, namespace, name, dims, statistic="Sum"):
    """The statistic over the last hour in one period, or None without data points."""
    now = rb.clock.now()
    got = rb.client("cloudwatch").get_metric_statistics(
        Namespace=namespace, MetricName=name, Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - 3600, EndTime=now + 60, Period=3660, Statistics=[statistic])["Datapoints"]
    assert len(got) <= 1
    return got[0][statistic] if got else None


def _table(rb, name="src", view="NEW_IMAGE"):
    return rb.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=ATTRS, KeySchema=KEYS,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view})["TableDescription"]


def test_n_invocations_sum_to_n(rb):
    lam = rb.client("lambda")
    rb.register_function("fn", lambda event, ctx: {"ok": True})
    for _ in range(7):
        assert lam.invoke(FunctionName="fn", Payload=b"{}")["StatusCode"] == 200
    assert _stat(rb, "AWS/Lambda", "Invocations", {"FunctionName": "fn"}) == 7
    assert _stat(rb, "AWS/Lambda", "Duration", {"FunctionName": "fn"}, "SampleCount") == 7
    # Invocation metrics are binary indicators: seven 0s, so the error rate (Average) is 0, not missing.
    assert _stat(rb, "AWS/Lambda", "Errors", {"FunctionName": "fn"}) == 0
    assert _stat(rb, "AWS/Lambda", "Errors", {"FunctionName": "fn"}, "SampleCount") == 7


def test_get_records_returned_records_count_equals_records_returned(rb):
    ddb, streams = rb.client("dynamodb"), rb.client("dynamodbstreams")
    table = _table(rb)
    for i in range(5):
        ddb.put_item(TableName="src", Item={"pk": {"S": f"k{i}"}})
    arn = table["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    returned = 0
    for limit in (2, 2, 10, 10):
        page = streams.get_records(ShardIterator=it, Limit=limit)
        returned += len(page["Records"])
        it = page["NextShardIterator"]
    assert returned == 5
    # AWS's dimensions for the stream read metrics: TableName, Operation and StreamLabel.
    dims = {"TableName": "src", "Operation": "GetRecords", "StreamLabel": table["LatestStreamLabel"]}
    assert _stat(rb, "AWS/DynamoDB", "ReturnedRecordsCount", dims) == 5
    assert _stat(rb, "AWS/DynamoDB", "ReturnedRecordsCount", dims, "SampleCount") == 4
    assert _stat(rb, "AWS/DynamoDB", "ReturnedBytes", dims) > 0
    listed = rb.client("cloudwatch").list_metrics(Namespace="AWS/DynamoDB", MetricName="ReturnedRecordsCount")
    assert [sorted(d["Name"] for d in m["Dimensions"]) for m in listed["Metrics"]] == [
        ["Operation", "StreamLabel", "TableName"]]


def _mapping_with_filter(rb, metrics_config):
    ddb, lam = rb.client("dynamodb"), rb.client("lambda")
    arn = _table(rb)["LatestStreamArn"]
    seen = []
    rb.register_function("consumer", lambda event, ctx: seen.extend(
        r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]))
    pattern = json.dumps({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "keep"}]}}}})
    extra = {"MetricsConfig": metrics_config} if metrics_config is not None else {}
    uuid = lam.create_event_source_mapping(FunctionName="consumer", EventSourceArn=arn,
                                           StartingPosition="TRIM_HORIZON", BatchSize=100,
                                           FilterCriteria={"Filters": [{"Pattern": pattern}]}, **extra)["UUID"]
    for i in range(6):
        ddb.put_item(TableName="src", Item={"pk": {"S": f"keep{i}" if i % 3 == 0 else f"drop{i}"}})
    rb.drain()
    return uuid, seen


def test_event_source_mapping_event_counts_with_a_filter(rb):
    uuid, seen = _mapping_with_filter(rb, {"Metrics": ["EventCount"]})
    assert sorted(seen) == ["keep0", "keep3"]
    dims = {"EventSourceMappingUUID": uuid}
    assert _stat(rb, "AWS/Lambda", "PolledEventCount", dims) == 6
    assert _stat(rb, "AWS/Lambda", "FilteredOutEventCount", dims) == 4
    assert _stat(rb, "AWS/Lambda", "InvokedEventCount", dims) == 2
    assert _stat(rb, "AWS/Lambda", "FailedInvokeEventCount", dims) is None
    assert _stat(rb, "AWS/Lambda", "DroppedEventCount", dims) is None
    # DynamoDB stream sources have no DeletedEventCount (an SQS-only member of the group).
    assert _stat(rb, "AWS/Lambda", "DeletedEventCount", dims) is None
    lam = rb.client("lambda")
    assert lam.get_event_source_mapping(UUID=uuid)["MetricsConfig"] == {"Metrics": ["EventCount"]}
    [listed] = lam.list_event_source_mappings(FunctionName="consumer")["EventSourceMappings"]
    assert listed["MetricsConfig"] == {"Metrics": ["EventCount"]}


def test_event_counts_only_when_metrics_config_asks(rb):
    uuid, seen = _mapping_with_filter(rb, None)
    assert len(seen) == 2
    assert _stat(rb, "AWS/Lambda", "PolledEventCount", {"EventSourceMappingUUID": uuid}) is None
    assert "MetricsConfig" not in rb.client("lambda").get_event_source_mapping(UUID=uuid)
    # Turned on by UpdateEventSourceMapping, as the Lambda guide shows; then new records count.
    lam = rb.client("lambda")
    updated = lam.update_event_source_mapping(UUID=uuid, MetricsConfig={"Metrics": ["EventCount"]})
    assert updated["MetricsConfig"] == {"Metrics": ["EventCount"]}
    rb.drain()
    rb.client("dynamodb").put_item(TableName="src", Item={"pk": {"S": "keep-late"}})
    rb.drain()
    assert "keep-late" in seen
    assert _stat(rb, "AWS/Lambda", "InvokedEventCount", {"EventSourceMappingUUID": uuid}) == 1


def test_event_counts_of_a_failing_batch_sent_to_the_destination(rb):
    ddb, lam, sqs = rb.client("dynamodb"), rb.client("lambda"), rb.client("sqs")
    arn = _table(rb)["LatestStreamArn"]
    queue_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def fail(event, ctx):
        raise RuntimeError("boom")

    rb.register_function("failing", fail)
    uuid = lam.create_event_source_mapping(
        FunctionName="failing", EventSourceArn=arn, StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}}, MetricsConfig={"Metrics": ["EventCount"]},
    )["UUID"]
    for i in range(3):
        ddb.put_item(TableName="src", Item={"pk": {"S": f"k{i}"}})
    rb.drain()
    dims = {"EventSourceMappingUUID": uuid}
    assert _stat(rb, "AWS/Lambda", "PolledEventCount", dims) == 3
    assert _stat(rb, "AWS/Lambda", "InvokedEventCount", dims) == 6       # two attempts of three events
    assert _stat(rb, "AWS/Lambda", "FailedInvokeEventCount", dims) == 6
    assert _stat(rb, "AWS/Lambda", "OnFailureDestinationDeliveredEventCount", dims) == 3
    assert _stat(rb, "AWS/Lambda", "DroppedEventCount", dims) is None
    delivered = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert sum(json.loads(m["Body"])["DDBStreamBatchInfo"]["batchSize"] for m in delivered) == 3
    assert _stat(rb, "AWS/SQS", "NumberOfMessagesSent", {"QueueName": "dlq"}) == len(delivered)


def test_dynamodb_request_metrics(rb):
    ddb = rb.client("dynamodb")
    _table(rb, "tbl", "KEYS_ONLY")
    for i in range(4):
        out = ddb.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}, "v": {"S": "x" * 10}})
        assert "ConsumedCapacity" not in out          # recorded, never added to an answer that did not ask
    asked = ddb.put_item(TableName="tbl", Item={"pk": {"S": "k9"}}, ReturnConsumedCapacity="TOTAL")
    assert asked["ConsumedCapacity"]["CapacityUnits"] == 1.0
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "k0"}}, ConditionExpression="attribute_not_exists(pk)")
    ddb.get_item(TableName="tbl", Key={"pk": {"S": "k0"}}, ConsistentRead=True)
    rb.drain()      # DynamoDB's request metrics reach CloudWatch within a second; drain() hands them over
    latency = {"TableName": "tbl", "Operation": "PutItem"}
    assert _stat(rb, "AWS/DynamoDB", "SuccessfulRequestLatency", latency, "SampleCount") == 5
    assert _stat(rb, "AWS/DynamoDB", "SuccessfulRequestLatency", latency, "Minimum") >= 0
    assert _stat(rb, "AWS/DynamoDB", "SuccessfulRequestLatency", {"TableName": "tbl", "Operation": "GetItem"},
                 "SampleCount") == 1
    # Five writes and the failed conditional one, which still consumes a unit (DynamoDB charges it).
    assert _stat(rb, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": "tbl"}) == 6
    assert _stat(rb, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": "tbl"}, "SampleCount") == 6
    assert _stat(rb, "AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": "tbl"}) == 1
    assert _stat(rb, "AWS/DynamoDB", "ConditionalCheckFailedRequests", {"TableName": "tbl"}) == 1
    # A failed condition is not a UserError (AWS counts it in ConditionalCheckFailedRequests only) ...
    assert _stat(rb, "AWS/DynamoDB", "UserErrors", {}) is None
    # ... a request for a table that does not exist is.
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName="missing", Key={"pk": {"S": "k0"}})
    rb.drain()
    assert _stat(rb, "AWS/DynamoDB", "UserErrors", {}) == 1
    assert _stat(rb, "AWS/DynamoDB", "SystemErrors", {"TableName": "tbl", "Operation": "PutItem"}) is None


def test_batch_write_capacity_is_recorded_per_table(rb):
    ddb = rb.client("dynamodb")
    for name in ("tab-a", "tab-b"):
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=ATTRS, KeySchema=KEYS)
    ddb.batch_write_item(RequestItems={
        "tab-a": [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(3)],
        "tab-b": [{"PutRequest": {"Item": {"pk": {"S": "k"}}}}]})
    rb.drain()
    assert _stat(rb, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": "tab-a"}) == 3
    assert _stat(rb, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": "tab-b"}) == 1
    assert _stat(rb, "AWS/DynamoDB", "SuccessfulRequestLatency", {"TableName": "tab-b", "Operation": "BatchWriteItem"},
                 "SampleCount") == 1


def test_sqs_and_sns_metrics(rb):
    sqs, sns = rb.client("sqs"), rb.client("sns")
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="news")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn.replace(":work", ":missing"))
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    sns.publish(TopicArn=topic, Message="hello")
    assert _stat(rb, "AWS/SNS", "NumberOfMessagesPublished", {"TopicName": "news"}) == 1
    assert _stat(rb, "AWS/SNS", "NumberOfNotificationsDelivered", {"TopicName": "news"}) == 1
    assert _stat(rb, "AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": "news"}) == 1
    assert _stat(rb, "AWS/SQS", "NumberOfMessagesSent", {"QueueName": "work"}) == 4

    rb.clock.advance(30)
    rb.app.sqs.sample_metrics_once()
    assert _stat(rb, "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "work"}, "Maximum") == 4
    assert _stat(rb, "AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "work"}, "Maximum") == 30

    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    for m in got:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None
    assert _stat(rb, "AWS/SQS", "NumberOfMessagesReceived", {"QueueName": "work"}) == len(got) == 4
    assert _stat(rb, "AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": "work"}) == 4
    assert _stat(rb, "AWS/SQS", "NumberOfEmptyReceives", {"QueueName": "work"}) == 1


def _scrape(rb):
    with urllib.request.urlopen(rb.endpoint_url + "/metrics") as resp:
        return resp.read().decode()


def test_metrics_endpoint_parses_with_prometheus_client(rb):
    ddb, lam = rb.client("dynamodb"), rb.client("lambda")
    arn = _table(rb)["LatestStreamArn"]
    rb.register_function("fn", lambda event, ctx: None)
    lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                    BatchSize=1)
    for i in range(3):
        ddb.put_item(TableName="src", Item={"pk": {"S": f"k{i}"}})
        rb.drain()
    families = {f.name: f for f in text_string_to_metric_families(_scrape(rb))}
    invocations = families["aws_lambda_Invocations"]
    assert invocations.type == "counter"
    by_labels = {tuple(sorted(s.labels.items())): s.value for s in invocations.samples if s.name.endswith("_total")}
    assert by_labels[(("FunctionName", "fn"),)] == 3.0
    assert families["aws_lambda_IteratorAge"].type == "gauge"
    assert families["aws_lambda_Duration"].type == "summary"
    latency = families["aws_dynamodb_SuccessfulRequestLatency"]
    counts = {s.labels["Operation"]: s.value for s in latency.samples if s.name.endswith("_count")}
    assert counts["PutItem"] == 3.0


def test_metrics_off_records_nothing():
    with riverbed.Riverbed(metrics=False) as rb:
        ddb = rb.client("dynamodb")
        ddb.create_table(TableName="tbl", BillingMode="PAY_PER_REQUEST", AttributeDefinitions=ATTRS, KeySchema=KEYS)
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
        assert rb.client("cloudwatch").list_metrics()["Metrics"] == []
        assert rb.app.metrics.series() == []

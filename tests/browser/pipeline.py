"""A small live pipeline for the dashboard's browser tests and the CLI tests.

A table with a NEW_AND_OLD_IMAGES stream, a function that fails on items marked ``poison``, a mapping
with no retries and an SQS on-failure destination, a topic, and an alarm: the pages then have every
kind of thing to show (inserts, a MODIFY, a failed batch in the queue, charts with data points).
"""

from __future__ import annotations

import json
from typing import Any

TABLE = "orders"
FUNCTION = "order-handler"
QUEUE = "orders-failed"
TOPIC = "order-alarms"


def handler(event: dict[str, Any], context: Any) -> None:
    for record in event["Records"]:
        image = record["dynamodb"].get("NewImage") or {}
        print(f"order {record['dynamodb']['Keys']['pk']['S']} {record['eventName']}")
        if image.get("poison", {}).get("BOOL"):
            raise ValueError("poison order")


def build(rb: Any, orders: int = 12) -> dict[str, Any]:
    ddb = rb.client("dynamodb")
    table = ddb.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "status", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-status",
                                 "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})["TableDescription"]
    stream_arn = table["LatestStreamArn"]
    sqs = rb.client("sqs")
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic_arn = rb.client("sns").create_topic(Name=TOPIC)["TopicArn"]
    rb.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    fn = rb.register_function(FUNCTION, handler)
    mapping = rb.client("lambda").create_event_source_mapping(
        FunctionName=FUNCTION, EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON", BatchSize=5,
        MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    rb.client("cloudwatch").put_metric_alarm(
        AlarmName="order-errors", Namespace="AWS/Lambda", MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": FUNCTION}], Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold", AlarmActions=[topic_arn])
    for i in range(orders):   # in rounds a few seconds apart, so the charts have a shape
        ddb.put_item(TableName=TABLE, Item={"pk": {"S": f"order-{i:03d}"}, "status": {"S": "new"},
                                            "total": {"N": str(10 + i)}})
        if i % 3 == 2:
            rb.drain()
            if rb.clock.manual:
                rb.clock.advance(2)
    rb.drain()
    ddb.update_item(TableName=TABLE, Key={"pk": {"S": "order-001"}}, UpdateExpression="SET #s = :s, #t = :t",
                    ExpressionAttributeNames={"#s": "status", "#t": "total"},
                    ExpressionAttributeValues={":s": {"S": "shipped"}, ":t": {"N": "99"}})
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "order-bad"}, "status": {"S": "new"}, "poison": {"BOOL": True}})
    rb.drain()
    return {"stream_arn": stream_arn, "queue_url": queue_url, "queue_arn": queue_arn, "topic_arn": topic_arn,
            "function_arn": fn.get("FunctionArn"), "uuid": mapping["UUID"],
            "payload": json.dumps({"Records": []})}

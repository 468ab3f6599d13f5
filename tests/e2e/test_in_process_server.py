"""boto3 against an in-process riverbed, reaching into it where no AWS endpoint could be reached into.

Owns the checks that conformance/ must not make (it runs unchanged against any endpoint): a limit
lowered by monkeypatching riverbed's module, a server restarted on the same data directory, and the
Python API that AWS destinations use in-process (``app.sqs`` / ``app.sns``).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import REGION, make_client

# --- DynamoDB: LSI item collection limit (10 GB on AWS; lowered here) -----------------------------------


@pytest.fixture
def lsi_table(ddb, table_name):
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in (("pk", "S"), ("sk", "S"),
                                                                                    ("l", "N"))],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{"IndexName": "by-l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                   {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    return table_name


def test_lsi_item_collection_limit(ddb, lsi_table, monkeypatch):
    from riverbed.services.dynamodb import indexes

    monkeypatch.setattr(indexes, "ITEM_COLLECTION_LIMIT", 1500)
    big = "x" * 300
    with pytest.raises(ClientError) as exc:
        for i in range(20):
            ddb.put_item(TableName=lsi_table, Item={"pk": {"S": "p"}, "sk": {"S": f"s{i}"}, "l": {"N": str(i)},
                                                    "body": {"S": big}})
    assert exc.value.response["Error"]["Code"] == "ItemCollectionSizeLimitExceededException"
    stored = ddb.query(TableName=lsi_table, KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": {"S": "p"}})["Count"]
    assert 1 <= stored < 20
    # other partition keys have collections of their own; shrinking writes are always allowed
    ddb.put_item(TableName=lsi_table, Item={"pk": {"S": "q"}, "sk": {"S": "s"}, "body": {"S": big}})
    ddb.put_item(TableName=lsi_table, Item={"pk": {"S": "p"}, "sk": {"S": "s0"}})


# --- SQS: messages survive a restart on the same data directory -----------------------------------------


def test_messages_survive_a_restart(tmp_path):
    from riverbed.config import load_settings
    from riverbed.server import make_background

    settings = load_settings({"port": 0, "data_dir": str(tmp_path), "region": REGION}, environ={})
    first = make_background(settings)
    first.start()
    try:
        sqs = make_client(first.app.endpoint_url, "sqs")
        url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
        sent = sqs.send_message(QueueUrl=url, MessageBody="still here")
        sqs.receive_message(QueueUrl=url)
    finally:
        first.stop()
    second = make_background(settings)
    second.start()
    try:
        sqs = make_client(second.app.endpoint_url, "sqs")
        url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
        [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
        assert message["MessageId"] == sent["MessageId"] and message["Body"] == "still here"
        assert message["Attributes"]["ApproximateReceiveCount"] == "2"
    finally:
        second.stop()


# --- SNS/SQS: the in-process API that destinations use ---------------------------------------------------


def test_in_process_api_for_destinations(server, table_name):
    app = server.app
    name = f"dest-{table_name}"
    sqs = make_client(app.endpoint_url, "sqs")
    sns = make_client(app.endpoint_url, "sns")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    assert app.sqs.queue_exists(queue) and app.sns.topic_exists(topic)

    async def deliver() -> tuple[str, str]:
        return app.sqs.send_message(queue, '{"direct": 1}'), app.sns.publish(topic, '{"via": "sns"}')

    direct, _ = server.call(deliver(), 10)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert sorted(m["Body"] for m in received) == ['{"direct": 1}', '{"via": "sns"}']
    assert direct

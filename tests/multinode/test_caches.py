"""What one node changes, the other node acts on at once: per-node caches never outlive a change.

Two riverbed nodes (each its own App, event loop, server and connection pool) on one PostgreSQL database.
Each test makes the *other* node read the state first (so it would hold a stale copy if it cached one),
changes it on one node, and at once checks the other's behaviour, not just a read: IAM
(execution-role checks), KMS (a disabled key), Lambda (new code runs, not the warm old one), SNS (a
subscription added elsewhere receives the next publish).  Tables, streams, mappings and queues are covered
in test_two_nodes.py.  Skipped only when PostgreSQL is unavailable (see tests/postgres_cluster.py).
"""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table, make_client, zip_code
from tests.multinode.nodes import started_nodes


@pytest.fixture
def nodes(postgres_schema_url, tmp_path):
    with started_nodes(postgres_schema_url, tmp_path) as started:
        yield [lambda service, url=node.app.endpoint_url: make_client(url, service) for node in started]


def _zip(source: str) -> bytes:
    return zip_code(source)


def test_a_subscription_added_on_one_node_receives_the_next_publish_on_the_other(nodes):
    a, b = nodes
    topic = b("sns").create_topic(Name=f"t-{uuid.uuid4().hex[:8]}")["TopicArn"]
    b("sns").publish(TopicArn=topic, Message="before")                 # b reads (and caches) no subscribers
    queue = a("sqs").create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = a("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = a("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                             Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    b("sns").publish(TopicArn=topic, Message="after")
    got = a("sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=2)
    assert [m["Body"] for m in got.get("Messages", [])] == ["after"]
    a("sns").unsubscribe(SubscriptionArn=sub)
    b("sns").publish(TopicArn=topic, Message="gone")
    assert "Messages" not in a("sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=1)


def test_a_key_disabled_on_one_node_is_refused_by_the_other(nodes):
    a, b = nodes
    key = a("kms").create_key()["KeyMetadata"]["KeyId"]
    blob = b("kms").encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    a("kms").disable_key(KeyId=key)
    with pytest.raises(ClientError) as refused:
        b("kms").encrypt(KeyId=key, Plaintext=b"x")
    assert refused.value.response["Error"]["Code"] == "DisabledException"
    assert b("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
    b("kms").enable_key(KeyId=key)
    assert a("kms").decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_a_role_policy_changed_on_one_node_governs_the_other_nodes_checks(nodes):
    a, b = nodes
    arn = create_table(a("dynamodb"), f"t-{uuid.uuid4().hex[:8]}", stream="NEW_IMAGE")["LatestStreamArn"]
    role = f"role-{uuid.uuid4().hex[:8]}"
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role_arn = a("iam").create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    fn = f"fn-{uuid.uuid4().hex[:8]}"
    b("lambda").create_function(FunctionName=fn, Runtime="python3.12", Role=role_arn, Handler="handler.handler",
                                Code={"ZipFile": _zip("def handler(event, context):\n    return None\n")})
    with pytest.raises(ClientError) as refused:                       # b reads the role: it may not read streams
        b("lambda").create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, StartingPosition="LATEST")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    a("iam").put_role_policy(RoleName=role, PolicyName="streams", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
            "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
            "dynamodb:ListStreams"]}]}))
    mapping = b("lambda").create_event_source_mapping(FunctionName=fn, EventSourceArn=arn,
                                                      StartingPosition="LATEST")
    b("lambda").delete_event_source_mapping(UUID=mapping["UUID"])
    a("iam").put_role_policy(RoleName=role, PolicyName="deny", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Resource": "*", "Action": "dynamodb:*"}]}))
    with pytest.raises(ClientError):                                   # an explicit Deny beats the Allow
        b("lambda").create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, StartingPosition="LATEST")


def test_code_and_configuration_updated_on_one_node_run_on_the_other(nodes):
    a, b = nodes
    fn = f"fn-{uuid.uuid4().hex[:8]}"
    source = "import os\ndef handler(event, context):\n    return [{!r}, os.environ.get('COLOUR')]\n"
    a("lambda").create_function(FunctionName=fn, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                                Handler="handler.handler", Code={"ZipFile": _zip(source.format("v1"))},
                                Environment={"Variables": {"COLOUR": "red"}})

    def invoke_on_b():
        return json.loads(b("lambda").invoke(FunctionName=fn)["Payload"].read())

    assert invoke_on_b() == ["v1", "red"]                              # b now has a warm v1 environment
    a("lambda").update_function_code(FunctionName=fn, ZipFile=_zip(source.format("v2")))
    a("lambda").get_waiter("function_updated_v2").wait(FunctionName=fn, WaiterConfig={"Delay": 1})
    assert invoke_on_b() == ["v2", "red"]
    a("lambda").update_function_configuration(FunctionName=fn, Environment={"Variables": {"COLOUR": "blue"}})
    a("lambda").get_waiter("function_updated_v2").wait(FunctionName=fn, WaiterConfig={"Delay": 1})
    assert invoke_on_b() == ["v2", "blue"]


def test_a_fifo_topic_deduplicates_a_message_published_again_through_the_other_node(nodes):
    a, b = nodes
    topic = a("sns").create_topic(Name=f"t-{uuid.uuid4().hex[:8]}.fifo",
                                  Attributes={"FifoTopic": "true"})["TopicArn"]
    queue = a("sqs").create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}.fifo",
                                  Attributes={"FifoQueue": "true"})["QueueUrl"]
    queue_arn = a("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    a("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sent = [node("sns").publish(TopicArn=topic, Message=f"m{n}", MessageGroupId="g", MessageDeduplicationId="d1")
            for n, node in enumerate((a, b))]
    assert sent[0]["MessageId"] == sent[1]["MessageId"]
    assert sent[0]["SequenceNumber"] == sent[1]["SequenceNumber"]
    third = b("sns").publish(TopicArn=topic, Message="m2", MessageGroupId="g", MessageDeduplicationId="d2")
    assert int(third["SequenceNumber"]) > int(sent[0]["SequenceNumber"])
    bodies = []
    for _ in range(3):
        got = b("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in got.get("Messages", []):
            bodies.append(message["Body"])
            b("sqs").delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert bodies == ["m0", "m2"]


def test_queue_attributes_set_on_one_node_apply_to_the_next_send_on_the_other(nodes):
    a, b = nodes
    queue = a("sqs").create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    b("sqs").send_message(QueueUrl=queue, MessageBody="now")              # b reads the queue
    a("sqs").set_queue_attributes(QueueUrl=queue, Attributes={"DelaySeconds": "300"})
    b("sqs").send_message(QueueUrl=queue, MessageBody="later")
    counts = a("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesDelayed"]) == ("1", "1")
    a("sqs").delete_queue(QueueUrl=queue)
    with pytest.raises(ClientError) as gone:
        b("sqs").send_message(QueueUrl=queue, MessageBody="nowhere")
    assert gone.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_a_long_poll_on_one_node_is_woken_by_a_send_on_the_other(nodes):
    a, b = nodes
    queue = a("sqs").create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        waiting = pool.submit(b("sqs").receive_message, QueueUrl=queue, WaitTimeSeconds=20)
        time.sleep(1.0)                                                  # b's receiver is waiting
        a("sqs").send_message(QueueUrl=queue, MessageBody="wake up")
        got = waiting.result(timeout=30)
        waited = time.monotonic() - started
    assert [m["Body"] for m in got["Messages"]] == ["wake up"]
    assert waited < 10.0, f"the receiver was not woken: it waited {waited:.1f} s"

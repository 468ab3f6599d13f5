"""The SNS domain in-process: fan-out to SQS, filter policies, FIFO, dead letters, Lambda hook."""

from __future__ import annotations

import json

import pytest

from riverbed.clock import ManualClock
from riverbed.services.sns.errors import InvalidParameter, NotFound
from riverbed.services.sns.service import SnsService
from riverbed.services.sqs.service import SqsService
from riverbed.storage.sqlite import SqliteStore

REGION, ACCOUNT = "us-east-1", "000000000000"


class FakeApp:
    def __init__(self) -> None:
        self.clock = ManualClock(1_700_000_000.0)
        self.store = SqliteStore(None)
        self.endpoint_url = "http://localhost:4566"
        self.sqs = SqsService(self.store, self.clock)
        self.invocations: list[tuple[str, bytes]] = []

    def invoke_async(self, function_arn: str, payload: bytes, **where: str | None) -> str:
        if function_arn.endswith(":missing"):
            raise LookupError(function_arn)
        self.invocations.append((function_arn, payload))
        return "request-id"


@pytest.fixture
def app() -> FakeApp:
    return FakeApp()


@pytest.fixture
def sns(app: FakeApp) -> SnsService:
    # The fake stands in for Lambda (the Functions interface) and hands over its SQS service.
    return SnsService(app.store, app.clock, queues=app.sqs, functions=app,  # type: ignore[arg-type]
                      endpoint_url=lambda: app.endpoint_url)


def bodies(app: FakeApp, name: str) -> list[str]:
    queue = app.sqs.queues.get(f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
    return [m["Body"] for m in app.sqs.receive(queue, 10, None, set(), ["All"])]


def test_fan_out_with_filters(app, sns):
    topic = sns.create_topic(REGION, ACCOUNT, "t", None, None)
    for name in ("all", "blue", "body"):
        app.sqs.create_queue(REGION, ACCOUNT, name, None)
    sns.subscribe(topic, "sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:all", {"RawMessageDelivery": "true"})
    sns.subscribe(topic, "sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:blue",
                  {"RawMessageDelivery": "true", "FilterPolicy": '{"color": ["blue"]}'})
    sns.subscribe(topic, "sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:body",
                  {"RawMessageDelivery": "true", "FilterPolicy": '{"size": [{"numeric": [">", 3]}]}',
                   "FilterPolicyScope": "MessageBody"})
    for message, color in (('{"size": 5}', "blue"), ('{"size": 1}', "red")):
        note = sns.prepare(topic, message, attributes={"color": {"DataType": "String", "StringValue": color}})
        sns.publish_notification(topic, note)
    assert bodies(app, "all") == ['{"size": 5}', '{"size": 1}']
    assert bodies(app, "blue") == ['{"size": 5}']
    assert bodies(app, "body") == ['{"size": 5}']


def test_subscribe_rules(app, sns):
    topic = sns.create_topic(REGION, ACCOUNT, "t", None, None)
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"
    arn = sns.subscribe(topic, "sqs", queue, None)
    assert sns.subscribe(topic, "sqs", queue, {"RawMessageDelivery": "false"}) == arn
    with pytest.raises(InvalidParameter) as exc:
        sns.subscribe(topic, "sqs", queue, {"RawMessageDelivery": "true"})
    assert exc.value.message == ("Invalid parameter: Attributes Reason: Subscription already exists with "
                                 "different attributes")
    with pytest.raises(InvalidParameter) as exc:
        sns.subscribe(topic, "test-protocol", queue, None)
    assert exc.value.message == ("Invalid parameter: Amazon SNS does not support this protocol string: "
                                 "test-protocol")
    with pytest.raises(InvalidParameter) as exc:
        sns.subscribe(topic, "sqs", "http://localhost/000000000000/q", None)
    assert exc.value.message == "Invalid parameter: SQS endpoint ARN"
    with pytest.raises(InvalidParameter) as exc:
        sns.subscribe(topic, "sqs", queue + ".fifo", None)
    assert "FIFO SQS Queues can not be subscribed to standard SNS topics" in exc.value.message
    with pytest.raises(InvalidParameter) as exc:
        sns.subscribe(topic, "sqs", queue + "2", {"RawMessageDelivery": "wrongvalue"})
    assert exc.value.message == "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value " \
                                "[wrongvalue]. Must be true or false."
    sub = sns.subscription(arn, REGION)
    with pytest.raises(InvalidParameter) as exc:
        sns.set_subscription_attribute(sub, "Bogus", "x")
    assert exc.value.message == "Invalid parameter: AttributeName"
    with pytest.raises(InvalidParameter) as exc:
        sns.set_subscription_attribute(sub, "RedrivePolicy", '{"deadLetterTargetArn": "nope"}')
    assert exc.value.message == "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"
    sns.unsubscribe(arn)
    sns.unsubscribe(arn)
    with pytest.raises(NotFound):
        sns.subscription(arn, REGION)


def test_topic_rules(sns):
    topic = sns.create_topic(REGION, ACCOUNT, "t", {"DisplayName": "x"}, [{"Key": "k", "Value": "v"}])
    assert sns.create_topic(REGION, ACCOUNT, "t", None, None).arn == topic.arn
    with pytest.raises(InvalidParameter) as exc:
        sns.create_topic(REGION, ACCOUNT, "t", {"DisplayName": "y"}, None)
    assert exc.value.message == ("Invalid parameter: Attributes Reason: Topic already exists with different "
                                 "attributes")
    with pytest.raises(InvalidParameter) as exc:
        sns.create_topic(REGION, ACCOUNT, "t", None, [{"Key": "k", "Value": "other"}])
    assert exc.value.message == "Invalid parameter: Tags Reason: Topic already exists with different tags"
    for name, attributes in (("a.fifo", None), ("b", {"FifoTopic": "true"}), ("bad name", None), ("", None)):
        with pytest.raises(InvalidParameter) as exc:
            sns.create_topic(REGION, ACCOUNT, name, attributes, None)
        assert exc.value.message == "Invalid parameter: Topic Name"
    with pytest.raises(InvalidParameter) as exc:
        sns.topic("arn:aws:sns:eu-west-1:000000000000:t", REGION)
    assert exc.value.message == "Invalid parameter: TopicArn"
    with pytest.raises(NotFound):
        sns.topic("arn:aws:sns:us-east-1:000000000000:missing", REGION)
    with pytest.raises(InvalidParameter):
        sns.set_topic_attribute(topic, "FifoTopic", "false")


def test_fifo_topic_to_fifo_queue(app, sns):
    topic = sns.create_topic(REGION, ACCOUNT, "t.fifo", {"FifoTopic": "true",
                                                         "ContentBasedDeduplication": "true"},
                             None)
    app.sqs.create_queue(REGION, ACCOUNT, "q.fifo", {"FifoQueue": "true"})
    sns.subscribe(topic, "sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q.fifo", None)
    with pytest.raises(InvalidParameter) as exc:
        sns.prepare(topic, "m")
    assert exc.value.message == "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    first = sns.publish_notification(topic, sns.prepare(topic, "Test", group_id="g"))
    again = sns.publish_notification(topic, sns.prepare(topic, "Test", group_id="g"))
    assert again.message_id == first.message_id and first.sequence_number is not None
    queue = app.sqs.queues.get(f"arn:aws:sqs:{REGION}:{ACCOUNT}:q.fifo")
    got = app.sqs.receive(queue, 10, None, {"All"}, [])
    assert len(got) == 1
    assert got[0]["Attributes"]["MessageDeduplicationId"] == \
        "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25"
    assert json.loads(got[0]["Body"])["SequenceNumber"] == first.sequence_number
    standard = sns.create_topic(REGION, ACCOUNT, "s", None, None)
    with pytest.raises(InvalidParameter):
        sns.prepare(standard, "m", dedup_id="d")


def test_dead_letter_when_queue_missing(app, sns):
    topic = sns.create_topic(REGION, ACCOUNT, "t", None, None)
    app.sqs.create_queue(REGION, ACCOUNT, "dlq", None)
    sns.subscribe(topic, "sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:gone", {
        "RawMessageDelivery": "true",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"})})
    sns.publish(topic.arn, "lost")
    assert bodies(app, "dlq") == ["lost"]


def test_lambda_delivery_through_hook(app, sns):
    topic = sns.create_topic(REGION, ACCOUNT, "t", None, None)
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:handler"
    sub = sns.subscribe(topic, "lambda", fn, None)
    app.sqs.create_queue(REGION, ACCOUNT, "dlq", None)
    redrive = json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"})
    sns.subscribe(topic, "lambda", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:missing",
                  {"RedrivePolicy": redrive})
    with pytest.raises(InvalidParameter):
        sns.subscribe(topic, "lambda", fn, {"RawMessageDelivery": "true"})
    message_id = sns.publish(topic.arn, "to lambda", subject="hi")
    [(arn, payload)] = app.invocations
    record = json.loads(payload)["Records"][0]
    assert arn == fn and record["EventSubscriptionArn"] == sub
    assert record["Sns"]["MessageId"] == message_id and record["Sns"]["Subject"] == "hi"
    envelope = json.loads(bodies(app, "dlq")[0])
    assert envelope["Message"] == "to lambda" and envelope["MessageId"] == message_id


def test_in_process_publish_errors(sns):
    assert not sns.topic_exists("arn:aws:sns:us-east-1:000000000000:nope")
    with pytest.raises(NotFound):
        sns.publish("arn:aws:sns:us-east-1:000000000000:nope", "m")
    with pytest.raises(InvalidParameter):
        sns.publish("nope", "m")


def test_delete_topic_drops_subscriptions(sns):
    topic = sns.create_topic(REGION, ACCOUNT, "t", None, None)
    sns.subscribe(topic, "sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q", None)
    sns.delete_topic(topic.arn)
    assert sns.topics.all_subscriptions(REGION, ACCOUNT) == []
    assert not sns.topic_exists(topic.arn)



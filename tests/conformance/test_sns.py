"""SNS through boto3: topics, subscriptions, publishing, fan-out to SQS (envelope and raw delivery, filter
policies on attributes and on the body), FIFO topics, batches, tags and errors.

Error texts and shapes are the ones recorded from AWS in sns.snapshot.json
(provenance: tests/data/aws-recorded/README.md).
"""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import REGION, make_client

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def sns(endpoint):
    return make_client(endpoint, "sns")


@pytest.fixture(scope="module")
def sqs(endpoint):
    return make_client(endpoint, "sqs")


@pytest.fixture
def name():
    return f"t-{uuid.uuid4().hex[:12]}"


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str, int]:
    response = exc.value.response
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    return response["Error"]["Code"], response["Error"]["Message"], status


def _queue(sqs, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _bodies(sqs, url: str, **kwargs) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])


# --- topics ------------------------------------------------------------------------------------------------

def test_topic_lifecycle(sns, name):
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "TestTopic"})["TopicArn"]
    assert arn == f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"
    assert sns.create_topic(Name=name)["TopicArn"] == arn
    assert {"TopicArn": arn} in sns.list_topics()["Topics"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "TestTopic" and attributes["Owner"] == ACCOUNT
    assert attributes["SubscriptionsConfirmed"] == "0" and attributes["TopicArn"] == arn
    assert json.loads(attributes["Policy"])["Statement"][0]["Resource"] == arn
    delivery = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert delivery["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3
    assert "FifoTopic" not in attributes
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Renamed")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Renamed"
    with pytest.raises(ClientError) as exc:
        sns.create_topic(Name=name, Attributes={"DisplayName": "Other"})
    assert _error(exc) == ("InvalidParameter", ("Invalid parameter: Attributes Reason: Topic already exists "
                                                "with "
                                               "different attributes"), 400)
    with pytest.raises(ClientError) as exc:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="FifoTopic", AttributeValue="false")
    assert _error(exc) == ("InvalidParameter", "Invalid parameter: AttributeName", 400)
    sns.delete_topic(TopicArn=arn)
    sns.delete_topic(TopicArn=arn)
    with pytest.raises(ClientError) as exc:
        sns.get_topic_attributes(TopicArn=arn)
    assert _error(exc) == ("NotFound", "Topic does not exist", 404)


def test_topic_errors(sns, name):
    with pytest.raises(ClientError) as exc:
        sns.get_topic_attributes(TopicArn="bad")
    assert _error(exc) == ("InvalidParameter", ("Invalid parameter: TopicArn Reason: An ARN must have at "
                                                "least 6 "
                                               "elements, not 1"), 400)
    for bad_name, attributes in ((f"{name}.fifo", {}), (name, {"FifoTopic": "true"}), ("with space", {})):
        with pytest.raises(ClientError) as exc:
            sns.create_topic(Name=bad_name, Attributes=attributes)
        assert _error(exc) == ("InvalidParameter", "Invalid parameter: Topic Name", 400)


def test_fifo_topic_attributes(sns, name):
    arn = sns.create_topic(Name=f"{name}.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert (attributes["FifoTopic"], attributes["ContentBasedDeduplication"]) == ("true", "false")


def test_tags(sns, name):
    arn = sns.create_topic(Name=name, Tags=[{"Key": "k2", "Value": "v2"}, {"Key": "k1",
                                                                           "Value": "v1"}])["TopicArn"]
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k1", "Value": "v1"},
                                                                   {"Key": "k2", "Value": "v2"}]
    sns.untag_resource(ResourceArn=arn, TagKeys=["k1"])
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k2", "Value": "v2b"}])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k2", "Value": "v2b"}]
    with pytest.raises(ClientError) as exc:
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
    assert _error(exc) == ("InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.", 400)
    with pytest.raises(ClientError) as exc:
        sns.create_topic(Name=name, Tags=[{"Key": "k2", "Value": "other"}])
    assert _error(exc)[1] == "Invalid parameter: Tags Reason: Topic already exists with different tags"


# --- subscriptions ------------------------------------------------------------------------------------------

def test_subscription_lifecycle(sns, sqs, name):
    topic = sns.create_topic(Name=name)["TopicArn"]
    _, queue = _queue(sqs, name)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    assert sub.startswith(topic + ":")
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"] == sub
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert {k: attributes[k] for k in ("Endpoint", "Protocol", "RawMessageDelivery", "PendingConfirmation",
                                       "ConfirmationWasAuthenticated", "TopicArn", "Owner")} == {
        "Endpoint": queue, "Protocol": "sqs", "RawMessageDelivery": "false", "PendingConfirmation": "false",
        "ConfirmationWasAuthenticated": "true", "TopicArn": topic, "Owner": ACCOUNT}
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed == [{"SubscriptionArn": sub, "Owner": ACCOUNT, "Protocol": "sqs", "Endpoint": queue,
                       "TopicArn": topic}]
    assert listed[0] in sns.list_subscriptions()["Subscriptions"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                    AttributeValue="true")
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue,
                      Attributes={"RawMessageDelivery": "false"})
    assert _error(exc)[1] == ("Invalid parameter: Attributes Reason: Subscription already exists with "
                              "different attributes")
    for attribute, value, message in (
            ("Fake", "x", "Invalid parameter: AttributeName"),
            ("RawMessageDelivery", "test-ValUe", ("Invalid parameter: RawMessageDelivery: Invalid value "
                                                 "[test-ValUe]. Must be true or false.")),
            ("RedrivePolicy", '{"deadLetterTargetArn": "x"}', ("Invalid parameter: RedrivePolicy: "
                                                              "deadLetterTargetArn is an invalid arn"))):
        with pytest.raises(ClientError) as exc:
            sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName=attribute,
                                            AttributeValue=value)
        assert _error(exc) == ("InvalidParameter", message, 400)
    sns.unsubscribe(SubscriptionArn=sub)
    sns.unsubscribe(SubscriptionArn=sub)
    with pytest.raises(ClientError) as exc:
        sns.get_subscription_attributes(SubscriptionArn=sub)
    assert _error(exc) == ("NotFound", "Subscription does not exist", 404)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_subscribe_errors(sns, sqs, name):
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue_url, _ = _queue(sqs, name)
    cases = [
        ({"TopicArn": topic, "Protocol": "test-protocol", "Endpoint": "x"},
         ("InvalidParameter", ("Invalid parameter: Amazon SNS does not support this protocol string: "
                               "test-protocol"), 400)),
        ({"TopicArn": topic, "Protocol": "sqs", "Endpoint": queue_url},
         ("InvalidParameter", "Invalid parameter: SQS endpoint ARN", 400)),
        ({"TopicArn": topic + "-missing", "Protocol": "sqs",
          "Endpoint": "arn:aws:sqs:us-east-1:000000000000:q"},
         ("NotFound", "Topic does not exist", 404)),
        ({"TopicArn": topic, "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:000000000000:q.fifo"},
         ("InvalidParameter", ("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can "
                               "not be "
                              "subscribed to standard SNS topics"), 400)),
        ({"TopicArn": topic, "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:000000000000:q",
              "Attributes": {"RawMessageDelivery": "wrongvalue"}},
         ("InvalidParameter", ("Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value "
                              "[wrongvalue]. Must be true or false."), 400)),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ClientError) as exc:
            sns.subscribe(**kwargs)
        assert _error(exc) == expected
    with pytest.raises(ClientError) as exc:
        sns.unsubscribe(SubscriptionArn="not-an-arn")
    assert _error(exc)[1] == ("Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 "
                              "elements, not 1")
    assert sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://example.com/hook")[
        "SubscriptionArn"] == "pending confirmation"


# --- publishing and delivery to SQS -------------------------------------------------------------------------

def test_publish_delivers_the_sns_envelope(sns, sqs, endpoint, name):
    topic = sns.create_topic(Name=name)["TopicArn"]
    url, queue = _queue(sqs, name)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    message_id = sns.publish(TopicArn=topic, Message="öä test", Subject="subject", MessageAttributes={
        "attr1": {"DataType": "Number", "StringValue": "99.12"},
        "bin": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}})["MessageId"]
    [message] = _bodies(sqs, url)
    body = json.loads(message["Body"])
    assert list(body) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                          "SignatureVersion",
                          "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
    assert (body["Type"], body["MessageId"], body["TopicArn"], body["Subject"], body["Message"]) == \
        ("Notification", message_id, topic, "subject", "öä test")
    assert body["SignatureVersion"] == "1"
    assert body["Timestamp"].endswith("Z") and len(body["Timestamp"]) == 24
    assert body["UnsubscribeURL"] == f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={sub}"
    assert body["MessageAttributes"] == {"attr1": {"Type": "Number", "Value": "99.12"},
                                         "bin": {"Type": "Binary", "Value": "AgME"}}
    sns.publish(TopicArn=topic, Message="no subject")
    [plain] = _bodies(sqs, url)
    assert "Subject" not in json.loads(plain["Body"]) and "MessageAttributes" not in json.loads(plain["Body"])


def test_raw_delivery_keeps_attributes(sns, sqs, name):
    topic = sns.create_topic(Name=name)["TopicArn"]
    url, queue = _queue(sqs, name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="Test msg", MessageAttributes={
        "attr1": {"DataType": "Number", "StringValue": "99.12"}})
    [message] = _bodies(sqs, url, MessageAttributeNames=["All"])
    assert message["Body"] == "Test msg"
    assert message["MessageAttributes"] == {"attr1": {"DataType": "Number", "StringValue": "99.12"}}
    assert message["MD5OfMessageAttributes"] == "d302007e9aa062660afc85fd0a482472"


def test_fan_out_with_filter_policies(sns, sqs, name):
    topic = sns.create_topic(Name=name)["TopicArn"]
    queues = {key: _queue(sqs, f"{name}-{key}") for key in ("all", "range", "body")}
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queues["all"][1],
                  Attributes={"RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queues["range"][1], Attributes={
        "RawMessageDelivery": "true", "FilterPolicy": json.dumps({"attr1": [{"numeric": [">", 0, "<=",
                                                                                         100]}]})})
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queues["body"][1], Attributes={
        "RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
        "FilterPolicy": json.dumps({"order": {"kind": ["book"]}})})["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["FilterPolicyScope"] == "MessageBody"
    for message, value in (('{"order": {"kind": "book"}}', "99.12"), ('{"order": {"kind": "dvd"}}', "100.12"),
                           ("not json", "5")):
        sns.publish(TopicArn=topic, Message=message,
                    MessageAttributes={"attr1": {"DataType": "Number", "StringValue": value}})

    def received(key: str) -> list[str]:
        return sorted(m["Body"] for m in _bodies(sqs, queues[key][0]))

    assert received("all") == sorted(['{"order": {"kind": "book"}}', '{"order": {"kind": "dvd"}}',
                                      "not json"])
    assert received("range") == sorted(['{"order": {"kind": "book"}}', "not json"])
    assert received("body") == ['{"order": {"kind": "book"}}']
    with pytest.raises(ClientError) as exc:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                        AttributeValue="{invalid")
    assert _error(exc)[1].startswith("Invalid parameter: FilterPolicy: failed to parse JSON.")


def test_message_structure_json(sns, sqs, name):
    topic = sns.create_topic(Name=name)["TopicArn"]
    url, queue = _queue(sqs, name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "d",
                                                                             "sqs": "for sqs"}))
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "default field"}))
    assert sorted(json.loads(m["Body"])["Message"] for m in _bodies(sqs, url)) == ["default field", "for sqs"]
    prefix = "Invalid parameter: Message Structure - "
    for message, text in (("{not json", prefix + "JSON message body failed to parse"),
                          ('{"sqs": "x"}', prefix + "No default entry in JSON message body")):
        with pytest.raises(ClientError) as exc:
            sns.publish(TopicArn=topic, MessageStructure="json", Message=message)
        assert _error(exc) == ("InvalidParameter", text, 400)


def test_publish_errors(sns, name):
    topic = sns.create_topic(Name=name)["TopicArn"]
    invalid = "InvalidParameter"
    empty_attribute = {"attr1": {"DataType": "String", "StringValue": ""}}
    cases = [
        ({"TopicArn": topic, "Message": ""}, (invalid, "Invalid parameter: Empty message", 400)),
        ({"TopicArn": topic, "Message": "x" * 262_145},
         (invalid, "Invalid parameter: Message too long", 400)),
        ({"TopicArn": topic, "Message": "x", "Subject": ""}, (invalid, "Invalid parameter: Subject", 400)),
        ({"TopicArn": topic + "-missing", "Message": "x"}, ("NotFound", "Topic does not exist", 404)),
        ({"TopicArn": "arn:aws:sns:eu-west-1:000000000000:" + name, "Message": "x"},
         (invalid, "Invalid parameter: TopicArn", 400)),
        ({"TopicArn": "a:b", "Message": "x"},
         (invalid, "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2", 400)),
        ({"TargetArn": topic + "-missing", "Message": "x"},
         (invalid, ("Invalid parameter: TargetArn Reason: No endpoint found for the target arn "
                    "specified"), 400)),
        ({"TopicArn": topic, "Message": "x", "MessageAttributes": empty_attribute},
         ("ParameterValueInvalid", ("The message attribute 'attr1' must contain non-empty message attribute "
                                    "value for message attribute type 'String'."), 400)),
        ({"TopicArn": topic, "Message": "x", "MessageDeduplicationId": "d"},
         (invalid, ("Invalid parameter: MessageDeduplicationId Reason: The request includes "
                    "MessageDeduplicationId parameter that is not valid for this topic type"), 400)),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ClientError) as exc:
            sns.publish(**kwargs)
        assert _error(exc) == expected
    assert sns.publish(TargetArn=topic, Message="by target")["MessageId"]


def test_publish_batch(sns, sqs, name):
    topic = sns.create_topic(Name=name)["TopicArn"]
    url, queue = _queue(sqs, name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    result = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "one", "MessageAttributes": {"attr1": {"DataType": "Number",
                                                                      "StringValue": "19.12"}}},
        {"Id": "2", "Message": "two"}])
    assert [e["Id"] for e in result["Successful"]] == ["1", "2"] and result["Failed"] == []
    messages = _bodies(sqs, url, MessageAttributeNames=["All"])
    assert sorted(m["Body"] for m in messages) == ["one", "two"]
    with_attrs = next(m for m in messages if m["Body"] == "one")
    assert with_attrs["MD5OfMessageAttributes"] == "1f07082409022a373fa2a2601f82b3cb"
    cases = [
        ([{"Id": str(i), "Message": "m"} for i in range(11)],
         ("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.", 400)),
        ([{"Id": "1", "Message": "m"}, {"Id": "1", "Message": "n"}],
         ("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.", 400)),
        ([{"Id": "message.id", "Message": "m"}],
         ("InvalidBatchEntryId", ("The Id of a batch entry in the batch request contains an impermissible "
                                  "character: "
                                 "message.id"), 400)),
        ([{"Id": "1", "Message": "x" * 200_000}, {"Id": "2", "Message": "y" * 100_000}],
         ("BatchRequestTooLong", "The length of all the messages put together is more than the limit.", 400)),
    ]
    for entries, expected in cases:
        with pytest.raises(ClientError) as exc:
            sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        assert _error(exc) == expected
    with pytest.raises(ClientError) as exc:
        sns.publish_batch(TopicArn=topic + "-missing", PublishBatchRequestEntries=[{"Id": "1",
                                                                                    "Message": "m"}])
    assert _error(exc) == ("NotFound", "Topic does not exist", 404)


def test_fifo_topic_to_fifo_queue(sns, sqs, name):
    attributes = {"FifoTopic": "true", "ContentBasedDeduplication": "true"}
    topic = sns.create_topic(Name=f"{name}.fifo", Attributes=attributes)["TopicArn"]
    url, queue = _queue(sqs, f"{name}.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)
    with pytest.raises(ClientError) as exc:
        sns.publish(TopicArn=topic, Message="Test")
    assert _error(exc)[1] == "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    first = sns.publish(TopicArn=topic, Message="Test", MessageGroupId="message-group-id-1")
    duplicate = sns.publish(TopicArn=topic, Message="Test", MessageGroupId="message-group-id-1")
    assert duplicate["MessageId"] == first["MessageId"] and first["SequenceNumber"].isdigit()
    sns.publish(TopicArn=topic, Message="Second", MessageGroupId="message-group-id-1")
    messages = _bodies(sqs, url, AttributeNames=["All"])
    assert [json.loads(m["Body"])["Message"] for m in messages] == ["Test", "Second"]
    assert messages[0]["Attributes"]["MessageGroupId"] == "message-group-id-1"
    assert messages[0]["Attributes"]["MessageDeduplicationId"] == \
        "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25"
    envelope = json.loads(messages[0]["Body"])
    assert list(envelope) == ["Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp",
                              "UnsubscribeURL"]


def test_dead_letter_queue_for_a_missing_endpoint(sns, sqs, name):
    topic = sns.create_topic(Name=name)["TopicArn"]
    dlq_url, dlq = _queue(sqs, f"{name}-dlq")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}-gone",
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq})})
    sns.publish(TopicArn=topic, Message="test_dlq_after_sqs_endpoint_deleted")
    [message] = _bodies(sqs, dlq_url)
    assert json.loads(message["Body"])["Message"] == "test_dlq_after_sqs_endpoint_deleted"


def test_lambda_subscriber_receives_the_sns_event(system_riverbed):
    import threading

    events: list[dict] = []
    arrived = threading.Event()

    def handler(event, context):
        events.append(event)
        arrived.set()

    rb = system_riverbed  # a Python callable as the function: riverbed's in-process API
    rb.register_function("sns-handler", handler)
    sns = rb.client("sns")
    topic = sns.create_topic(Name="lambda-topic")["TopicArn"]
    function = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sns-handler"
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)["SubscriptionArn"]
    message_id = sns.publish(TopicArn=topic, Message="Hello world.")["MessageId"]
    assert arrived.wait(10)
    [record] = events[0]["Records"]
    assert (record["EventSource"], record["EventVersion"], record["EventSubscriptionArn"]) == ("aws:sns",
                                                                                               "1.0", sub)
    assert record["Sns"]["MessageId"] == message_id and record["Sns"]["Subject"] is None
    assert record["Sns"]["Message"] == "Hello world." and record["Sns"]["MessageAttributes"] == {}

"""The SNS envelope for SQS and the Lambda event, built without a server."""

from __future__ import annotations

import json

from riverbed.services.sns.delivery import envelope, lambda_event
from riverbed.services.sns.messages import Notification

TOPIC = "arn:aws:sns:us-east-1:000000000000:t"
SUB = TOPIC + ":6ad2d3a4-0d43-4b6a-8c35-3b1a1b0f5c0e"


def note(**changes) -> Notification:
    base = Notification("m-1", TOPIC, "hello", 1_700_000_000.123, attributes={
        "attr1": {"DataType": "Number", "StringValue": "1"}, "b": {"DataType": "Binary",
                                                                   "BinaryValue": "AgME"}})
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_standard_envelope_members_in_aws_order():
    text = envelope(note(), SUB, "hello", endpoint="http://localhost:4566", region="us-east-1", fifo=False)
    doc = json.loads(text)
    assert list(doc) == ["Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion",
                         "Signature",
                         "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
    assert doc["Type"] == "Notification" and doc["Timestamp"] == "2023-11-14T22:13:20.123Z"
    assert doc["SignatureVersion"] == "1"
    assert doc["UnsubscribeURL"] == f"http://localhost:4566/?Action=Unsubscribe&SubscriptionArn={SUB}"
    assert doc["MessageAttributes"] == {"attr1": {"Type": "Number", "Value": "1"},
                                        "b": {"Type": "Binary", "Value": "AgME"}}
    assert text.startswith('{\n  "Type" : "Notification",\n')


def test_subject_only_when_given_and_fifo_shape():
    with_subject = json.loads(envelope(note(subject="s", attributes={}), SUB, "hello", endpoint="e",
                                       region="us-east-1", fifo=False))
    assert list(with_subject)[:5] == ["Type", "MessageId", "TopicArn", "Subject", "Message"]
    assert "MessageAttributes" not in with_subject
    fifo = json.loads(envelope(note(sequence_number="10000000000000000001", attributes={}), SUB, "hello",
                               endpoint="e", region="us-east-1", fifo=True))
    assert list(fifo) == ["Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp",
                          "UnsubscribeURL"]


def test_lambda_event_shape():
    event = lambda_event(note(), SUB, "hello", endpoint="http://localhost:4566", region="us-east-1")
    record = event["Records"][0]
    assert (record["EventSource"], record["EventVersion"], record["EventSubscriptionArn"]) == \
        ("aws:sns", "1.0", SUB)
    sns = record["Sns"]
    assert sns["Subject"] is None and sns["Message"] == "hello" and sns["TopicArn"] == TOPIC
    assert sns["SigningCertUrl"].startswith("https://sns.us-east-1.amazonaws.com/")
    assert sns["UnsubscribeUrl"].endswith(SUB)
    assert sns["MessageAttributes"]["attr1"] == {"Type": "Number", "Value": "1"}
    assert set(sns) == {"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                        "SignatureVersion",
                        "Signature", "SigningCertUrl", "UnsubscribeUrl", "MessageAttributes"}


def test_message_structure_picks_protocol_entry():
    n = note(per_protocol={"default": "d", "sqs": "for sqs"}, message="d")
    assert n.message_for("sqs") == "for sqs" and n.message_for("lambda") == "d"

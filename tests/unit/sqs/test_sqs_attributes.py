"""Queue attribute checks and their AWS texts (sqs snapshot)."""

from __future__ import annotations

import pytest

from riverbed.services.sqs import attributes as attrs
from riverbed.services.sqs.errors import InvalidAttributeName, InvalidAttributeValue, InvalidParameterValue


def _types(arn):
    return {"arn:aws:sqs:us-east-1:000000000000:dlq": "standard",
            "arn:aws:sqs:us-east-1:000000000000:dlq.fifo": "fifo"}.get(arn)


def norm(given, fifo=False, creating=True, current=None):
    return attrs.normalize(given, fifo=fifo, creating=creating, queue_type=_types, current=current)


def test_ranges_and_normal_form():
    assert norm({"VisibilityTimeout": " 20", "DelaySeconds": "900"}) == {"VisibilityTimeout": "20",
                                                                         "DelaySeconds": "900"}
    for name, bad in (("VisibilityTimeout", "43201"), ("DelaySeconds", "-1"), ("MaximumMessageSize", "1023"),
                      ("MessageRetentionPeriod", "59"), ("ReceiveMessageWaitTimeSeconds", "x")):
        with pytest.raises(InvalidAttributeValue) as exc:
            norm({name: bad})
        assert exc.value.message == f"Invalid value for the parameter {name}."


def test_fifo_attributes_on_standard_queue():
    with pytest.raises(InvalidAttributeName) as exc:
        norm({"ContentBasedDeduplication": "true"})
    assert exc.value.message == "Unknown Attribute ContentBasedDeduplication."
    with pytest.raises(InvalidAttributeName) as exc:
        norm({"DeduplicationScope": "queue"})
    assert exc.value.message == "You can specify the DeduplicationScope only when FifoQueue is set to true."
    with pytest.raises(InvalidAttributeName) as exc:
        norm({"FifoQueue": "false"})
    assert exc.value.message == "Unknown Attribute FifoQueue."


def test_fifo_flag_cannot_change():
    with pytest.raises(InvalidAttributeValue) as exc:
        norm({"FifoQueue": "false"}, fifo=True, creating=False)
    assert exc.value.message == ("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is "
                                 "not supported.")
    with pytest.raises(InvalidAttributeName):
        norm({"FifoQueue": "true"}, fifo=False, creating=False)


def test_unknown_attribute():
    with pytest.raises(InvalidAttributeName) as exc:
        norm({"Bogus": "1"})
    assert exc.value.message == "Unknown Attribute Bogus."
    assert exc.value.extra["__query_code"] == "InvalidAttributeName"


def test_redrive_policy():
    text = '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq", "maxReceiveCount": "3"}'
    normal = '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":3}'
    assert norm({"RedrivePolicy": text}) == {"RedrivePolicy": normal}
    missing = '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nope", "maxReceiveCount": 3}'
    with pytest.raises(InvalidParameterValue) as exc:
        norm({"RedrivePolicy": missing})
    assert exc.value.message.endswith("Reason: Dead letter target does not exist.")
    with pytest.raises(InvalidParameterValue) as exc:
        norm({"RedrivePolicy": '{"deadLetterTargetArn": "not-an-arn", "maxReceiveCount": 3}'})
    assert exc.value.message.endswith("Reason: Invalid value for deadLetterTargetArn.")
    with pytest.raises(InvalidParameterValue):
        norm({"RedrivePolicy": '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq", '
                                '"maxReceiveCount": 0}'})
    with pytest.raises(InvalidParameterValue) as exc:
        norm({"RedrivePolicy": '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq.fifo", '
                                '"maxReceiveCount": 1}'})
    assert "same type" in exc.value.message
    assert norm({"RedrivePolicy": ""}) == {"RedrivePolicy": ""}


def test_apply_removes_and_switches_encryption():
    current = attrs.defaults(False)
    with_kms = attrs.apply(current, {"KmsMasterKeyId": "k"})
    assert with_kms["SqsManagedSseEnabled"] == "false" and with_kms["KmsDataKeyReusePeriodSeconds"] == "300"
    back = attrs.apply(with_kms, {"KmsMasterKeyId": ""})
    assert "KmsMasterKeyId" not in back and "KmsDataKeyReusePeriodSeconds" not in back
    with pytest.raises(InvalidAttributeName):
        norm({"KmsMasterKeyId": "k", "SqsManagedSseEnabled": "true"})


def test_defaults_follow_recorded_aws():
    assert attrs.defaults(False)["MaximumMessageSize"] == "1048576"
    assert attrs.defaults(True)["DeduplicationScope"] == "queue"
    assert attrs.defaults(True)["FifoThroughputLimit"] == "perQueue"

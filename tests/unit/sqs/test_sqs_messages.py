"""Message input checks, receipt handles and the received-message shape."""

from __future__ import annotations

import pytest

from riverbed.services.sqs import messages
from riverbed.services.sqs.errors import (
    InvalidMessageContents,
    InvalidParameterValue,
    MissingParameter,
    ReceiptHandleIsInvalid,
)


def test_body_rules():
    with pytest.raises(MissingParameter) as exc:
        messages.check_body("")
    assert exc.value.message == "The request must contain the parameter MessageBody."
    assert exc.value.code == "MissingRequiredParameterException"
    assert exc.value.extra["__query_code"] == "MissingParameter"
    with pytest.raises(InvalidMessageContents):
        messages.check_body("bad \x00 char")
    assert messages.check_body("ok\r\n\t\U0001f600") == "ok\r\n\t\U0001f600"


def test_attribute_rules():
    with pytest.raises(InvalidParameterValue) as exc:
        messages.check_attributes({"ErrorDetails": {"DataType": "String", "StringValue": ""}})
    assert exc.value.message == ("Message (user) attribute 'ErrorDetails' must contain a non-empty value of "
                                 "type 'String'.")
    with pytest.raises(InvalidParameterValue):
        messages.check_attributes({"n": {"DataType": "Number", "StringValue": "abc"}})
    with pytest.raises(InvalidParameterValue):
        messages.check_attributes({"t": {"DataType": "Text", "StringValue": "abc"}})
    with pytest.raises(InvalidParameterValue):
        messages.check_attributes({f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)})
    for bad in (".a", "a.", "a..b", "a b", "AWS.x"):
        with pytest.raises(InvalidParameterValue):
            messages.check_attributes({bad: {"DataType": "String", "StringValue": "v"}})
    out = messages.check_attributes({"b": {"DataType": "Binary.gz", "BinaryValue": b"\x01"},
                                     "n": {"DataType": "Number.int", "StringValue": "5"}})
    assert out == {"b": {"DataType": "Binary.gz", "BinaryValue": "AQ=="},
                   "n": {"DataType": "Number.int", "StringValue": "5"}}


def test_system_attributes_only_trace_header():
    ok = messages.check_attributes({"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1"}},
                                   system=True)
    assert ok["AWSTraceHeader"]["StringValue"] == "Root=1"
    with pytest.raises(InvalidParameterValue):
        messages.check_attributes({"Other": {"DataType": "String", "StringValue": "x"}}, system=True)


def test_group_and_dedup_tokens():
    assert messages.check_token("g-1!", "MessageGroupId") == "g-1!"
    for bad in ("", "group 123", "a" * 129):
        with pytest.raises(InvalidParameterValue) as exc:
            messages.check_token(bad, "MessageGroupId")
        assert exc.value.message == (f"Value {bad} for parameter MessageGroupId is invalid. Reason: "
                                     f"MessageGroupId can only include alphanumeric and punctuation "
                                     f"characters. 1 to 128 in "
                                     "length.")


def test_message_size_counts_attributes():
    attrs = messages.check_attributes({"ab": {"DataType": "String", "StringValue": "xyz"}})
    assert messages.message_size("héllo", attrs) == 6 + 2 + 6 + 3


def test_receipt_round_trip_and_garbage():
    handle = messages.encode_receipt("arn:aws:sqs:us-east-1:1:q", 42, "tok")
    assert messages.decode_receipt(handle) == ("arn:aws:sqs:us-east-1:1:q", 42, "tok")
    for bad in ("garbage", "", "aGVsbG8=", None):
        with pytest.raises(ReceiptHandleIsInvalid) as exc:
            messages.decode_receipt(bad)
        assert exc.value.message.endswith("is not a valid receipt handle.")


def test_attribute_name_filters():
    names = ["General", "Hello", "Help.Me"]
    assert [n for n in names if messages.wanted_attribute(["All"], n)] == names
    assert [n for n in names if messages.wanted_attribute([".*"], n)] == names
    assert [n for n in names if messages.wanted_attribute(["He.*"], n)] == ["Hello", "Help.Me"]
    assert [n for n in names if messages.wanted_attribute(["Hello", "Nope"], n)] == ["Hello"]


def test_received_message_filters_and_digests():
    data = {"id": "m", "body": "msg", "md5": "x",
            "attrs": {"Hello": {"DataType": "String", "StringValue": "There"},
                      "General": {"DataType": "String", "StringValue": "Kenobi"}}}
    system = {"SenderId": "1", "SentTimestamp": "5", "ApproximateReceiveCount": "1"}
    out = messages.received_message(data, "rh", system, {"SenderId"}, ["Hello"])
    assert out["Attributes"] == {"SenderId": "1"}
    assert out["MessageAttributes"] == {"Hello": {"DataType": "String", "StringValue": "There"}}
    assert out["MD5OfMessageAttributes"] == "a311262e065454b75da111d535b8dacd"
    bare = messages.received_message(data, "rh", system, set(), [])
    assert set(bare) == {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"}
    everything = messages.received_message(data, "rh", system, {"All"}, ["All"])
    assert everything["Attributes"] == system

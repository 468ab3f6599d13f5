"""The query protocol, checked against botocore's own serializer and parser (what boto3 sends and reads)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.model
import botocore.parsers
import botocore.serialize
import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riverbed.core.models import load_service_model
from riverbed.errors import ServiceError
from riverbed.protocol.query import (
    parse_query_request,
    serialize_query_error,
    serialize_query_response,
)
from riverbed.services.sqs.wire import QUERY_NAMES, QUERY_NAMESPACE
from tests.unit.protocol.botocore_shapes import drop_empty, legacy_sqs_model, strategy, to_wire

SESSION = botocore.session.get_session()
SNS = SESSION.get_service_model("sns")
SERIALIZER = botocore.serialize.create_serializer("query", include_validation=False)
PARSER = botocore.parsers.create_parser("query")
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _raw(service: str) -> dict[str, Any]:
    model = load_service_model(service)
    return {"metadata": model.metadata, "operations": model.operations, "shapes": model.shapes}


SQS_QUERY = botocore.model.ServiceModel(legacy_sqs_model(_raw("sqs"), QUERY_NAMES), service_name="sqs")
# The wire quirks a service description carries (SQS: legacy element names and namespace).
LEGACY = {"sqs": QUERY_NAMES}
NAMESPACE = {"sqs": QUERY_NAMESPACE}


def _form(botocore_model: botocore.model.ServiceModel, op: str, params: dict[str, Any]) -> dict[str, str]:
    request = SERIALIZER.serialize_to_request(params, botocore_model.operation_model(op))
    return {k: str(v) for k, v in request["body"].items()}


def _parse_response(botocore_model: botocore.model.ServiceModel, op: str, body: bytes,
                    status: int = 200) -> dict[str, Any]:
    shape = botocore_model.operation_model(op).output_shape
    parsed = PARSER.parse({"body": body, "headers": HeadersDict(), "status_code": status}, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


# --- requests: botocore's query serializer -> parse_query_request -> the same params ----------------

SNS_OPS = ["Publish", "PublishBatch", "CreateTopic", "Subscribe", "SetSubscriptionAttributes", "TagResource",
           "AddPermission", "ListTopics"]
SQS_OPS = ["SendMessage", "SendMessageBatch", "CreateQueue", "ReceiveMessage", "ChangeMessageVisibilityBatch",
           "DeleteMessageBatch", "TagQueue", "UntagQueue", "AddPermission", "GetQueueAttributes",
           "SetQueueAttributes"]


def _round_trip(botocore_model: botocore.model.ServiceModel, service: str, op: str, params: dict) -> None:
    form = _form(botocore_model, op, params)
    name, parsed = parse_query_request(load_service_model(service), form, LEGACY.get(service))
    shape = botocore_model.operation_model(op).input_shape
    assert name == op
    assert parsed == drop_empty(shape, to_wire(shape, params))


@pytest.mark.parametrize("op", SNS_OPS)
def test_sns_requests_round_trip(op: str) -> None:
    shape = SNS.operation_model(op).input_shape

    @SETTINGS
    @given(strategy(shape))
    def check(params: dict) -> None:
        _round_trip(SNS, "sns", op, params)

    check()


@pytest.mark.parametrize("op", SQS_OPS)
def test_sqs_legacy_requests_round_trip(op: str) -> None:
    shape = SQS_QUERY.operation_model(op).input_shape

    @SETTINGS
    @given(strategy(shape))
    def check(params: dict) -> None:
        _round_trip(SQS_QUERY, "sqs", op, params)

    check()


def test_sns_publish_example() -> None:
    form = _form(SNS, "Publish", {"TopicArn": "arn:t", "Message": "hi & <there>", "MessageAttributes": {
        "a": {"DataType": "String", "StringValue": "v"}, "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}})
    assert form["MessageAttributes.entry.1.Name"] == "a"
    assert parse_query_request(load_service_model("sns"), form) == ("Publish", {
        "TopicArn": "arn:t", "Message": "hi & <there>", "MessageAttributes": {
            "a": {"DataType": "String", "StringValue": "v"}, "b": {"DataType": "Binary", "BinaryValue": "AAE="}}})


def test_legacy_sqs_form_names() -> None:
    form = {"Action": "SendMessage", "QueueUrl": "http://q", "MessageBody": "b", "DelaySeconds": "5",
            "MessageAttribute.1.Name": "n", "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "v"}
    assert parse_query_request(load_service_model("sqs"), form, QUERY_NAMES) == ("SendMessage", {
        "QueueUrl": "http://q", "MessageBody": "b", "DelaySeconds": 5,
        "MessageAttributes": {"n": {"DataType": "String", "StringValue": "v"}}})
    form = {"Action": "CreateQueue", "QueueName": "q", "Attribute.1.Name": "VisibilityTimeout",
            "Attribute.1.Value": "40", "Tag.1.Key": "k", "Tag.1.Value": "v"}
    assert parse_query_request(load_service_model("sqs"), form, QUERY_NAMES)[1] == {
        "QueueName": "q", "Attributes": {"VisibilityTimeout": "40"}, "tags": {"k": "v"}}
    form = {"Action": "ReceiveMessage", "QueueUrl": "u", "AttributeName.1": "All", "AttributeName.2": "SenderId",
            "MessageAttributeName.1": "All", "MaxNumberOfMessages": "10"}
    assert parse_query_request(load_service_model("sqs"), form, QUERY_NAMES)[1] == {
        "QueueUrl": "u", "AttributeNames": ["All", "SenderId"], "MessageAttributeNames": ["All"],
        "MaxNumberOfMessages": 10}


def test_scalars_are_typed() -> None:
    cw = load_service_model("cloudwatch")
    form = {"Action": "PutMetricData", "Namespace": "ns", "MetricData.member.1.MetricName": "m",
            "MetricData.member.1.Value": "1.5", "MetricData.member.1.Timestamp": "2024-01-02T03:04:05Z",
            "MetricData.member.1.StorageResolution": "60",
            "MetricData.member.1.Dimensions.member.1.Name": "d", "MetricData.member.1.Dimensions.member.1.Value": "v"}
    _, params = parse_query_request(cw, form)
    datum = params["MetricData"][0]
    assert datum["Value"] == 1.5 and datum["StorageResolution"] == 60
    assert datum["Timestamp"] == int(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp())
    assert datum["Dimensions"] == [{"Name": "d", "Value": "v"}]


def test_bad_numbers_and_actions() -> None:
    with pytest.raises(ServiceError) as info:
        parse_query_request(load_service_model("sns"), {"Action": "ListOriginationNumbers", "MaxResults": "abc"})
    assert info.value.code == "InvalidParameterValue"
    with pytest.raises(ServiceError) as info:
        parse_query_request(load_service_model("sns"), {"Action": "Nope"})
    assert info.value.code == "InvalidAction"
    with pytest.raises(ServiceError) as info:
        parse_query_request(load_service_model("sns"), {})
    assert info.value.code == "MissingAction"


# --- responses: serialize_query_response -> botocore's query parser -> the same dict ----------------

SNS_OUT = ["ListTopics", "GetTopicAttributes", "Publish", "PublishBatch", "ListSubscriptionsByTopic",
           "ListTagsForResource", "CreateTopic", "Subscribe"]
SQS_OUT = ["ReceiveMessage", "SendMessageBatch", "GetQueueAttributes", "ListQueues", "ListQueueTags",
           "SendMessage", "CreateQueue", "DeleteMessageBatch"]
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
                   | st.sampled_from("\n\t\r"), max_size=12)


def _response_round_trip(botocore_model: botocore.model.ServiceModel, service: str, op: str, result: dict) -> None:
    body = serialize_query_response(load_service_model(service), op, to_wire(
        botocore_model.operation_model(op).output_shape, result), "req-1", LEGACY.get(service),
        NAMESPACE.get(service, ""))
    parsed = _parse_response(botocore_model, op, body)
    shape = botocore_model.operation_model(op).output_shape
    assert to_wire(shape, parsed) == _expected_xml(shape, to_wire(shape, result))


def _expected_xml(shape: botocore.model.Shape, value: Any) -> Any:
    """What botocore reads back: flattened empty lists/maps vanish; empty text reads as ''."""
    t = shape.type_name
    if t == "structure":
        out = {}
        for k, v in value.items():
            member = shape.members[k]
            flat = member.serialization.get("flattened") and member.type_name in ("list", "map")
            if flat and not v:
                continue
            out[k] = _expected_xml(member, v)
        return out
    if t == "list":
        return [_expected_xml(shape.member, v) for v in value]
    if t == "map":
        return {k: _expected_xml(shape.value, v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("op", SNS_OUT)
def test_sns_responses_parse_in_botocore(op: str) -> None:
    shape = SNS.operation_model(op).output_shape

    @SETTINGS
    @given(strategy(shape, text=XML_TEXT))
    def check(result: dict) -> None:
        _response_round_trip(SNS, "sns", op, result)

    check()


@pytest.mark.parametrize("op", SQS_OUT)
def test_sqs_legacy_responses_parse_in_botocore(op: str) -> None:
    shape = SQS_QUERY.operation_model(op).output_shape

    @SETTINGS
    @given(strategy(shape, text=XML_TEXT))
    def check(result: dict) -> None:
        _response_round_trip(SQS_QUERY, "sqs", op, result)

    check()


def test_response_envelope() -> None:
    body = serialize_query_response(load_service_model("sns"), "Publish", {"MessageId": "m-1"}, "req-9")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<PublishResponse '
                           b'xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
                           b"<MessageId>m-1</MessageId></PublishResult>")
    assert body.endswith(b"<ResponseMetadata><RequestId>req-9</RequestId></ResponseMetadata></PublishResponse>")
    parsed = PARSER.parse({"body": body, "headers": HeadersDict(), "status_code": 200},
                          SNS.operation_model("Publish").output_shape)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"


def test_operation_without_output() -> None:
    body = serialize_query_response(load_service_model("sns"), "DeleteTopic", {}, "r")
    assert b"<DeleteTopicResponse" in body and b"<RequestId>r</RequestId>" in body
    assert _parse_response(SNS, "DeleteTopic", body) == {}


def test_timestamps_are_iso8601() -> None:
    iam = SESSION.get_service_model("iam")
    body = serialize_query_response(load_service_model("iam"), "GetUser", {"User": {
        "Path": "/", "UserName": "u", "UserId": "AIDA", "Arn": "arn", "CreateDate": 1704164645.5}}, "r")
    assert b"<CreateDate>2024-01-02T03:04:05.500Z</CreateDate>" in body
    parsed = _parse_response(iam, "GetUser", body)
    assert parsed["User"]["CreateDate"] == datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=parsed["User"][
        "CreateDate"].tzinfo)


# --- errors ------------------------------------------------------------------------------------------

def test_errors_parse_in_botocore() -> None:
    err = ServiceError("Topic does not exist & <gone>", code="NotFound", status=404)
    body = serialize_query_error(err, "req-2", load_service_model("sns"))
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse '
                           b'xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>')
    parsed = PARSER.parse({"body": body, "headers": HeadersDict(), "status_code": 404},
                          SNS.operation_model("GetTopicAttributes").output_shape)
    assert parsed["Error"] == {"Type": "Sender", "Code": "NotFound", "Message": "Topic does not exist & <gone>"}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-2"


def test_receiver_fault_and_query_code() -> None:
    err = ServiceError("boom", code="InternalError", status=500)
    err.sender = False
    assert b"<Type>Receiver</Type>" in serialize_query_error(err, "r")
    sqs_err = ServiceError("The request must contain the parameter MessageBody.",
                           code="MissingRequiredParameterException", extra={"__query_code": "MissingParameter"})
    body = serialize_query_error(sqs_err, "r", load_service_model("sqs"), QUERY_NAMESPACE)
    assert b'xmlns="http://queue.amazonaws.com/doc/2012-11-05/"' in body
    parsed = PARSER.parse({"body": body, "headers": HeadersDict(), "status_code": 400},
                          SQS_QUERY.operation_model("SendMessage").output_shape)
    assert parsed["Error"]["Code"] == "MissingParameter"
    assert parsed["Error"]["Message"] == "The request must contain the parameter MessageBody."


def test_error_without_message_or_model() -> None:
    body = serialize_query_error(ServiceError("", code="ResourceNotFound"), "r")
    assert body == (b'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
                    b"<Code>ResourceNotFound</Code></Error><RequestId>r</RequestId></ErrorResponse>")

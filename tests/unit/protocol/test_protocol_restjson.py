"""REST-JSON (Lambda), checked against botocore's own rest-json serializer and parser."""

from __future__ import annotations

import base64
import io
import json
from typing import Any
from urllib.parse import unquote

import botocore.parsers
import botocore.serialize
import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.response import StreamingBody
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riverbed.core.models import load_service_model
from riverbed.errors import LambdaResourceNotFoundException, ServiceError, TooManyRequestsException, error
from riverbed.protocol.restjson import (
    RestJsonRouter,
    parse_json_body,
    parse_restjson_request,
    serialize_restjson_error,
    serialize_restjson_response,
)
from tests.unit.protocol.botocore_shapes import HEADER_TEXT, LABEL_TEXT, SAFE_TEXT, strategy, to_wire

LAMBDA = botocore.session.get_session().get_service_model("lambda")
MODEL = load_service_model("lambda")
ROUTER = RestJsonRouter(MODEL)
SERIALIZER = botocore.serialize.create_serializer("rest-json", include_validation=False)
PARSER = botocore.parsers.create_parser("rest-json")
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPS = ["Invoke", "CreateFunction", "GetFunction", "ListFunctions", "CreateEventSourceMapping",
       "UpdateFunctionConfiguration", "ListVersionsByFunction", "UntagResource", "GetLayerVersionByArn",
       "ListProvisionedConcurrencyConfigs", "DeleteFunction", "PutFunctionConcurrency"]


# --- routing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "query", "expected"), [
    ("POST", "/2015-03-31/functions/my-fn/invocations", None, ("Invoke", {"FunctionName": "my-fn"})),
    ("POST", "/2015-03-31/functions", None, ("CreateFunction", {})),
    ("GET", "/2015-03-31/functions/", None, ("ListFunctions", {})),
    ("GET", "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f", None,
     ("GetFunction", {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f"})),
    ("GET", "/2015-03-31/functions/f/configuration", None, ("GetFunctionConfiguration", {"FunctionName": "f"})),
    ("DELETE", "/2015-03-31/functions/f", None, ("DeleteFunction", {"FunctionName": "f"})),
    ("POST", "/2015-03-31/event-source-mappings/", None, ("CreateEventSourceMapping", {})),
    ("GET", "/2015-03-31/event-source-mappings/1234", None, ("GetEventSourceMapping", {"UUID": "1234"})),
    ("GET", "/2018-10-31/layers", {"find": ["LayerVersion"], "Arn": ["x"]}, ("GetLayerVersionByArn", {})),
    ("GET", "/2018-10-31/layers", {}, ("ListLayers", {})),
    ("GET", "/2018-10-31/layers", None, ("ListLayers", {})),
    ("GET", "/2019-09-30/functions/f/provisioned-concurrency", {"List": ["ALL"]},
     ("ListProvisionedConcurrencyConfigs", {"FunctionName": "f"})),
    ("GET", "/2019-09-30/functions/f/provisioned-concurrency", {"Qualifier": ["1"]},
     ("GetProvisionedConcurrencyConfig", {"FunctionName": "f"})),
])
def test_router(method: str, path: str, query: dict | None, expected: tuple) -> None:
    assert ROUTER.match(method, path, query) == expected


def test_router_misses() -> None:
    assert ROUTER.match("GET", "/nope") is None
    assert ROUTER.match("PATCH", "/2015-03-31/functions") is None
    assert ROUTER.match("POST", "/2015-03-31/functions/a/b/invocations") is None


# --- requests: botocore's rest-json serializer -> router + parse_restjson_request -> same params -------

def _override(name: str, member: Any) -> Any:
    location = member.serialization.get("location")
    if location == "uri":
        return LABEL_TEXT
    if location == "header":
        return HEADER_TEXT if member.type_name == "string" else None
    if location == "querystring" and member.type_name == "string":
        return SAFE_TEXT.filter(bool)
    return None


def _request(op: str, params: dict[str, Any]) -> dict[str, Any]:
    request = SERIALIZER.serialize_to_request(params, LAMBDA.operation_model(op))
    path, _, literal_query = request["url_path"].partition("?")
    query: dict[str, list[str]] = {}
    for part in filter(None, literal_query.split("&")):
        k, _, v = part.partition("=")
        query.setdefault(k, []).append(v)
    for k, v in request["query_string"].items():
        query.setdefault(k, []).extend(v if isinstance(v, list) else [v])
    match = ROUTER.match(request["method"], unquote(path), query)
    assert match is not None and match[0] == op, (request["url_path"], match)
    body = request["body"]
    return parse_restjson_request(MODEL, op, match[1], query, dict(request["headers"]),
                                  body if isinstance(body, bytes) else body.encode())


def _expected_request(op: str, params: dict[str, Any]) -> dict[str, Any]:
    shape = LAMBDA.operation_model(op).input_shape
    expected = to_wire(shape, params)
    payload = shape.serialization.get("payload")
    if payload and payload in params:
        expected[payload] = params[payload]  # a blob payload stays raw bytes
        if not params[payload]:
            del expected[payload]
    for name, member in shape.members.items():
        if member.serialization.get("location") == "querystring" and member.type_name == "list" and \
                not params.get(name):
            expected.pop(name, None)  # an empty list sends no query parameter
    return expected


@pytest.mark.parametrize("op", OPS)
def test_requests_round_trip(op: str) -> None:
    shape = LAMBDA.operation_model(op).input_shape
    required = {n: (LABEL_TEXT if shape.members[n].serialization.get("location") == "uri" else
                    strategy(shape.members[n])) for n in shape.required_members}

    @SETTINGS
    @given(strategy(shape, override=_override), st.fixed_dictionaries(required))
    def check(params: dict, required_params: dict) -> None:
        params = {**params, **required_params}
        assert _request(op, params) == _expected_request(op, params)

    check()


def test_invoke_request_example() -> None:
    params = {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f", "Payload": b'{"a": 1}',
              "InvocationType": "Event", "LogType": "Tail", "Qualifier": "3"}
    assert _request("Invoke", params) == params


def test_querystring_types_and_unknown_body_fields() -> None:
    parsed = parse_restjson_request(MODEL, "ListFunctions", {}, {"MaxItems": ["5"], "Marker": ["m"]}, {}, b"")
    assert parsed == {"MaxItems": 5, "Marker": "m"}
    parsed = parse_restjson_request(MODEL, "PutFunctionConcurrency", {"FunctionName": "f"}, {}, {},
                                    b'{"ReservedConcurrentExecutions": 3, "Bogus": 1}')
    assert parsed == {"FunctionName": "f", "ReservedConcurrentExecutions": 3}


@pytest.mark.parametrize(("body", "detail"), [
    (b"{i", ("Unexpected character ('i' (code 105)): was expecting double-quote to start field name\n at [Source: "
            "REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 2]")),
    (b"n\x87r", ("Invalid UTF-8 start byte 0x87\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`"
                " disabled); line: 1, column: 3]")),
    (b"STRING_VALUE", ("Unrecognized token 'STRING_VALUE': was expecting (JSON String, Number, Array, Object or "
                      "token 'null', 'true' or 'false')")),
    (b'{"a": 1', "Unexpected end-of-input"),
])
def test_malformed_json_is_invalid_request_content(body: bytes, detail: str) -> None:
    with pytest.raises(ServiceError) as info:
        parse_restjson_request(MODEL, "CreateFunction", {}, {}, {}, body)
    assert info.value.code == "InvalidRequestContentException"
    assert info.value.message.startswith("Could not parse request body into json: Could not parse payload into json: "
                                         + detail)
    with pytest.raises(ServiceError):
        parse_json_body(body)


def test_body_must_be_an_object() -> None:
    with pytest.raises(ServiceError) as info:
        parse_restjson_request(MODEL, "CreateFunction", {}, {}, {}, b"[1]")
    assert info.value.code == "InvalidRequestContentException"


# --- responses: serialize_restjson_response -> botocore's rest-json parser -> same dict ------------------

def _parse(op: str, status: int, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    operation = LAMBDA.operation_model(op)
    raw: Any = body
    if operation.has_streaming_output:  # botocore's endpoint hands streaming payloads over unread
        raw = StreamingBody(io.BytesIO(body), len(body))
    parsed = PARSER.parse({"body": raw, "headers": HeadersDict(headers), "status_code": status},
                          operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    payload = operation.output_shape.serialization.get("payload")
    if payload and isinstance(parsed.get(payload), StreamingBody):
        parsed[payload] = parsed[payload].read()
    return parsed


def _out_override(name: str, member: Any) -> Any:
    if member.serialization.get("location") == "header":
        return HEADER_TEXT
    if member.serialization.get("location") == "statusCode":
        return st.sampled_from([200, 202])
    return None


@pytest.mark.parametrize("op", ["Invoke", "CreateFunction", "GetFunction", "ListFunctions",
                                "CreateEventSourceMapping", "ListVersionsByFunction", "GetPolicy"])
def test_responses_parse_in_botocore(op: str) -> None:
    shape = LAMBDA.operation_model(op).output_shape

    @SETTINGS
    @given(strategy(shape, override=_out_override))
    def check(result: dict) -> None:
        wire = to_wire(shape, result)
        payload = shape.serialization.get("payload")
        if payload and payload in result:
            wire[payload] = result[payload]
        status, headers, body = serialize_restjson_response(MODEL, op, wire)
        parsed = _parse(op, status, headers, body)
        expected = dict(wire)
        if op == "Invoke":
            expected.setdefault("StatusCode", 200)
            assert parsed.pop("Payload") == expected.pop("Payload", b"")
        assert to_wire(shape, parsed) == expected

    check()


def test_status_codes() -> None:
    assert serialize_restjson_response(MODEL, "CreateFunction", {"FunctionName": "f"})[0] == 201
    assert serialize_restjson_response(MODEL, "CreateEventSourceMapping", {"UUID": "u"})[0] == 202
    assert serialize_restjson_response(MODEL, "DeleteFunction", {}) == (204, {}, b"")
    assert serialize_restjson_response(MODEL, "TagResource", None) == (204, {}, b"")
    assert serialize_restjson_response(MODEL, "GetFunction", {})[0] == 200


def test_invoke_response() -> None:
    status, headers, body = serialize_restjson_response(MODEL, "Invoke", {
        "StatusCode": 200, "Payload": b'{"ok": true}', "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST",
        "LogResult": base64.b64encode(b"log").decode()})
    assert status == 200 and body == b'{"ok": true}'
    assert headers == {"X-Amz-Function-Error": "Unhandled", "X-Amz-Executed-Version": "$LATEST",
                       "X-Amz-Log-Result": "bG9n"}
    parsed = _parse("Invoke", status, headers, body)
    assert parsed["Payload"] == b'{"ok": true}'
    assert parsed["StatusCode"] == 200 and parsed["FunctionError"] == "Unhandled"
    status, _, body = serialize_restjson_response(MODEL, "Invoke", {"StatusCode": 202, "Payload": b""})
    assert (status, body) == (202, b"")


# --- errors ------------------------------------------------------------------------------------------

def _parse_error(op: str, status: int, headers: dict[str, str], body: bytes) -> tuple[dict, dict]:
    response = {"body": body, "headers": HeadersDict(headers), "status_code": status}
    parsed = PARSER.parse(response, LAMBDA.operation_model(op).output_shape)
    code = parsed["Error"]["Code"]
    modeled = PARSER.parse(response, LAMBDA.shape_for_error_code(code)) if LAMBDA.shape_for_error_code(code) else {}
    return parsed, modeled


def test_error_spelled_as_its_shape() -> None:
    err = LambdaResourceNotFoundException("Function not found: arn:aws:lambda:us-east-1:1:function:f")
    status, headers, body = serialize_restjson_error(err, MODEL)
    assert status == 404 and headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert json.loads(body) == {"Type": "User", "Message": err.message}
    parsed, modeled = _parse_error("GetFunction", status, headers, body)
    assert parsed["Error"] == {"Code": "ResourceNotFoundException", "Message": err.message}
    assert modeled == {"Type": "User", "Message": err.message}

    status, headers, body = serialize_restjson_error(error("InvalidParameterValueException", "bad"), MODEL)
    assert json.loads(body) == {"Type": "User", "message": "bad"}
    parsed, modeled = _parse_error("CreateFunction", status, headers, body)
    assert parsed["Error"]["Message"] == "bad" and modeled == {"Type": "User", "message": "bad"}


def test_error_extra_members_and_headers() -> None:
    err = TooManyRequestsException("Rate Exceeded.", extra={
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "retryAfterSeconds": "1"})
    status, headers, body = serialize_restjson_error(err, MODEL)
    assert status == 429 and headers["Retry-After"] == "1"
    parsed, modeled = _parse_error("Invoke", status, headers, body)
    assert parsed["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate Exceeded."}
    assert modeled == {"Type": "User", "message": "Rate Exceeded.", "retryAfterSeconds": "1",
                       "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"}


def test_error_status_from_model_and_without_model() -> None:
    status, _, _ = serialize_restjson_error(error("ResourceNotFoundException", "gone"), MODEL)
    assert status == 404
    status, headers, body = serialize_restjson_error(ServiceError("x", code="ValidationException"))
    assert status == 400 and json.loads(body) == {"Type": "User", "message": "x"}
    parsed, _ = _parse_error("CreateFunction", status, headers, body)
    assert parsed["Error"] == {"Code": "ValidationException", "Message": "x"}

"""Invoking functions through boto3 against a real server: real worker processes, real errors, real logs.

Covers RequestResponse/Event/DryRun, every function-error kind, LogType=Tail, warm reuse and recycling,
throttles, a handler calling riverbed through boto3 (AWS_ENDPOINT_URL), versions, in-process functions,
``riverbed logs`` and restart survival.
"""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client, zip_code

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def zip_of(source: str, module: str = "handler") -> bytes:
    return zip_code(source, f"{module}.py")


ECHO = """
    import os, time

    def handler(event, context):
        print("event:", event)
        if event.get("raise"):
            raise ValueError(event["raise"])
        if event.get("sleep"):
            time.sleep(event["sleep"])
        return {"pid": os.getpid(), "event": event, "version": context.function_version}
"""


@pytest.fixture(scope="module")
def lam(endpoint):
    return make_client(endpoint, "lambda")


@pytest.fixture
def fn_name():
    return f"inv-{uuid.uuid4().hex[:10]}"


def create(lam, name, source=ECHO, handler="handler.handler", **extra):
    params = {"FunctionName": name, "Runtime": "python3.12", "Role": ROLE, "Handler": handler,
                  "Code": {"ZipFile": zip_of(source)}}
    params.update(extra)
    return lam.create_function(**params)


def call(lam, name, event=None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **kwargs)
    body = response["Payload"].read()
    return response, (json.loads(body) if body else None)


def error_of(excinfo):
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_request_response_with_tail_logs(lam, fn_name):
    create(lam, fn_name)
    response, body = call(lam, fn_name, {"a": 1}, LogType="Tail")
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["event"] == {"a": 1} and body["version"] == "$LATEST"
    log = base64.b64decode(response["LogResult"]).decode()
    assert log.startswith("START RequestId: ") and "event: {'a': 1}" in log
    assert "\nEND RequestId: " in log and "REPORT RequestId: " in log and "Init Duration" in log
    request_id = response["ResponseMetadata"]["RequestId"]
    assert f"START RequestId: {request_id} Version: $LATEST" in log


def test_function_errors(lam, fn_name):
    create(lam, fn_name, Timeout=1)
    response, body = call(lam, fn_name, {"raise": "boom"})
    assert response["StatusCode"] == 200 and response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "boom"
    response, body = call(lam, fn_name, {"sleep": 3})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")


def test_import_and_handler_errors(lam, fn_name):
    create(lam, fn_name, handler="missing_module.handler")
    response, body = call(lam, fn_name)
    assert response["FunctionError"] == "Unhandled" and body["errorType"] == "Runtime.ImportModuleError"
    lam.update_function_configuration(FunctionName=fn_name, Handler="handler.nope")
    response, body = call(lam, fn_name)
    assert response["FunctionError"] == "Unhandled" and body["errorType"] == "Runtime.HandlerNotFound"


def test_warm_reuse_and_recycle_on_update(lam, fn_name):
    create(lam, fn_name)
    first = call(lam, fn_name)[1]["pid"]
    assert call(lam, fn_name)[1]["pid"] == first
    lam.update_function_code(FunctionName=fn_name, ZipFile=zip_of(ECHO + "    # changed\n"))
    second = call(lam, fn_name)[1]["pid"]
    assert second != first
    assert call(lam, fn_name)[1]["pid"] == second
    lam.update_function_configuration(FunctionName=fn_name, Environment={"Variables": {"MODE": "x"}})
    assert call(lam, fn_name)[1]["pid"] != second


def test_reserved_concurrency_zero_throttles(lam, fn_name):
    create(lam, fn_name)
    lam.put_function_concurrency(FunctionName=fn_name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as exc:
        call(lam, fn_name)
    assert error_of(exc) == ("TooManyRequestsException", "Rate Exceeded.", 429)
    assert exc.value.response.get("Reason") == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName=fn_name)
    assert call(lam, fn_name)[0]["StatusCode"] == 200


def test_handler_uses_boto3_against_riverbed(lam, ddb, fn_name):
    table = f"made-by-lambda-{uuid.uuid4().hex[:8]}"
    source = f"""
        import boto3

        def handler(event, context):
            client = boto3.client("dynamodb")
            client.create_table(TableName="{table}", BillingMode="PAY_PER_REQUEST",
                                AttributeDefinitions=[{{"AttributeName": "pk", "AttributeType": "S"}}],
                                KeySchema=[{{"AttributeName": "pk", "KeyType": "HASH"}}])
            return client.describe_table(TableName="{table}")["Table"]["TableName"]
    """
    create(lam, fn_name, source=source, Timeout=30)
    response, body = call(lam, fn_name)
    assert "FunctionError" not in response, body
    assert body == table
    assert ddb.describe_table(TableName=table)["Table"]["TableName"] == table


def test_event_dry_run_and_request_errors(lam, fn_name, tmp_path):
    marker = tmp_path / "event.json"
    source = """
        import json, os

        def handler(event, context):
            with open(os.environ["OUT"], "w") as f:
                json.dump({"event": event, "request_id": context.aws_request_id}, f)
    """
    create(lam, fn_name, source=source, Environment={"Variables": {"OUT": str(marker)}})
    response = lam.invoke(FunctionName=fn_name, InvocationType="Event", Payload=b'{"k": "v"}')
    assert response["StatusCode"] == 202 and response["Payload"].read() == b""
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    written = json.loads(marker.read_text())
    assert written == {"event": {"k": "v"}, "request_id": response["ResponseMetadata"]["RequestId"]}

    dry = lam.invoke(FunctionName=fn_name, InvocationType="DryRun")
    assert dry["StatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="doesnotexist", Payload=b"{}")
    assert error_of(exc) == ("ResourceNotFoundException", ("Function not found: arn:aws:lambda:us-east-1:"
                             "000000000000:function:doesnotexist:$LATEST"), 404)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=fn_name, Payload=b"x" * (6 * 1024 * 1024 + 1))
    assert error_of(exc) == ("RequestEntityTooLargeException", ("Request must be smaller than 6291456 bytes for "
                             "the InvokeFunction operation"), 413)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=fn_name, Payload=b"{not json")
    assert error_of(exc)[0] == "InvalidRequestContentException"
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=fn_name, Payload=b"{}", Qualifier="7")
    assert error_of(exc) == ("ResourceNotFoundException", ("Function not found: arn:aws:lambda:us-east-1:"
                             f"000000000000:function:{fn_name}:7"), 404)


def test_invoke_published_version(lam, fn_name):
    create(lam, fn_name, source="def handler(e, c):\n    return 'one'\n", Publish=True)
    lam.update_function_code(FunctionName=fn_name, ZipFile=zip_of("def handler(e, c):\n    return 'two'\n"))
    response, body = call(lam, fn_name, Qualifier="1")
    assert (body, response["ExecutedVersion"]) == ("one", "1")
    response, body = call(lam, f"{fn_name}:$LATEST")
    assert (body, response["ExecutedVersion"]) == ("two", "$LATEST")


def test_register_function_in_process(server, lam, fn_name):
    seen = []

    def handler(event, context):
        seen.append(event)
        return {"name": context.function_name}

    config = server.call(_register(server.app, fn_name, handler), 30)
    assert config["Handler"] == "inprocess" and config["Runtime"] == "python3.12"
    _response, body = call(lam, fn_name, {"x": 1})
    assert body == {"name": fn_name} and seen == [{"x": 1}]
    assert lam.get_function_configuration(FunctionName=fn_name)["Handler"] == "inprocess"
    result = server.call(server.app.lambda_.invoke(fn_name, b'{"y": 2}', account="000000000000",
                                                   region="us-east-1"), 30)
    assert json.loads(result.payload) == {"name": fn_name} and seen[-1] == {"y": 2}


async def _register(app, name, handler):
    return app.register_function(name, handler, timeout=5)


def test_riverbed_logs_command(endpoint, lam, fn_name):
    from riverbed.cli.logs import run_logs

    create(lam, fn_name)
    call(lam, fn_name, {"first": 1})
    call(lam, fn_name, {"second": 2})
    out = io.StringIO()
    assert run_logs(fn_name, False, endpoint, out=out) == 0
    text = out.getvalue()
    assert text.count("START RequestId") == 2 and "event: {'second': 2}" in text
    recent = io.StringIO()
    assert run_logs(fn_name, False, endpoint, out=recent, since="1h") == 0
    assert recent.getvalue() == text                       # both invocations are within the hour
    assert run_logs(fn_name, False, endpoint, out=io.StringIO(), since="ten") == 2


def test_logs_since_units():
    from riverbed.cli.logs import parse_since

    assert [parse_since(t) for t in ("30s", "10m", "2h", "1d", "1w")] == [30, 600, 7200, 86400, 604800]
    for bad in ("", "m", "10", "1.5h", "-1m", "10y"):
        with pytest.raises(ValueError):
            parse_since(bad)


def test_functions_survive_restart(tmp_path: Path):
    from riverbed.config import load_settings
    from riverbed.server import make_background

    def start():
        server = make_background(load_settings({"data_dir": str(tmp_path), "port": 0}, environ={}))
        server.start()
        return server, make_client(server.app.endpoint_url, "lambda")

    server, client = start()
    try:
        create(client, "durable", source="def handler(e, c):\n    return {'kept': e}\n")
        assert call(client, "durable", {"n": 1})[1] == {"kept": {"n": 1}}
    finally:
        server.stop()
    server, client = start()
    try:
        assert client.get_function(FunctionName="durable")["Configuration"]["State"] == "Active"
        assert call(client, "durable", {"n": 2})[1] == {"kept": {"n": 2}}
    finally:
        server.stop()

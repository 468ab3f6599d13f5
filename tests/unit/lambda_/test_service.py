"""The Lambda service object without HTTP: resolve/spec_for/invoke, in-process functions, Event retries
on a manual clock, reset, control routes and how documents render."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from riverbed.app import build_app
from riverbed.clock import ManualClock
from riverbed.config import load_settings
from riverbed.errors import LambdaResourceNotFoundException, TooManyRequestsException
from riverbed.services.lambda_ import asynchronous, functions

ACCOUNT, REGION = "000000000000", "us-east-1"


@pytest.fixture
def app():
    clock = ManualClock(start=1_700_000_000.0)
    application = build_app(load_settings({"in_memory": True, "port": 0, "clock": "manual"}, environ={}), clock)
    yield application
    asyncio.run(application.stop())
    application.close()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_register_resolve_spec_and_invoke(app):
    config = app.register_function("adder", lambda event, context: event["a"] + event["b"], timeout=7,
                                   environment={"MODE": "test"}, reserved_concurrency=2)
    assert config["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:adder"
    assert config["Timeout"] == 7 and config["Environment"] == {"Variables": {"MODE": "test"}}
    doc = app.lambda_.resolve((ACCOUNT, REGION), "adder")
    assert doc is not None and doc["inprocess"] is True
    assert app.lambda_.resolve(ACCOUNT, REGION, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:adder") == doc
    assert app.lambda_.resolve((ACCOUNT, REGION), "missing") is None
    spec = app.lambda_.spec_for(doc)
    assert (spec.timeout, spec.reserved_concurrency, spec.code_zip, spec.environment) == (7, 2, None,
                                                                                         {"MODE": "test"})

    async def scenario() -> Any:
        result = await app.lambda_.invoke("adder", b'{"a": 2, "b": 3}', account=ACCOUNT, region=REGION)
        with pytest.raises(LambdaResourceNotFoundException) as exc:
            await app.lambda_.invoke("missing", b"{}", account=ACCOUNT, region=REGION)
        assert exc.value.message == f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:missing:$LATEST"
        return result

    result = run(scenario())
    assert json.loads(result.payload) == 5 and result.function_error is None
    assert result.executed_version == "$LATEST"


def test_reserved_zero_throttles_in_process(app):
    app.register_function("closed", lambda event, context: 1, reserved_concurrency=0)

    async def scenario() -> None:
        with pytest.raises(TooManyRequestsException):
            await app.lambda_.invoke("closed", b"{}", account=ACCOUNT, region=REGION)

    run(scenario())


def test_register_replaces_configuration(app):
    first = app.register_function("f", lambda e, c: 1, timeout=3)
    second = app.register_function("f", lambda e, c: 2, timeout=9)
    assert second["RevisionId"] != first["RevisionId"] and second["Timeout"] == 9
    assert len(functions.list_functions(app.store, ACCOUNT, REGION)) == 1


def test_event_retries_twice_on_function_errors(app):
    attempts: list[str] = []

    def failing(event, context):
        attempts.append(context.aws_request_id)
        raise RuntimeError("nope")

    app.register_function("flaky", failing)
    clock = app.clock

    async def wait_for(predicate) -> None:
        for _ in range(2000):
            if predicate():
                return
            await asyncio.sleep(0.005)
        raise AssertionError("condition not reached")

    async def scenario() -> None:
        request_id = app.invoke_async("flaky", b'{"n": 1}')
        await wait_for(lambda: len(attempts) == 1 and clock.pending_waits() == 1)
        assert app.lambda_.pending_work() == ["1 Lambda Event invocation(s)"]
        clock.advance(asynchronous.RETRY_DELAYS[0] - 1)
        await asyncio.sleep(0.05)
        assert len(attempts) == 1  # AWS waits a full minute before the second attempt
        clock.advance(1)
        await wait_for(lambda: len(attempts) == 2 and clock.pending_waits() == 1)
        clock.advance(asynchronous.RETRY_DELAYS[1])
        await wait_for(lambda: app.lambda_.async_invocations.pending == 0)
        assert attempts == [request_id] * 3
        dropped = app.lambda_.async_invocations.dropped[-1]
        assert dropped["condition"] == "RetriesExhausted" and dropped["approximateInvokeCount"] == 3

    run(scenario())


def test_event_to_zero_concurrency_is_dropped(app):
    app.register_function("zero", lambda e, c: 1, reserved_concurrency=0)

    async def scenario() -> None:
        app.invoke_async("zero", b"{}")
        await app.lambda_.async_invocations.wait_idle()

    run(scenario())
    assert app.lambda_.async_invocations.dropped[-1]["condition"] == "ZeroReservedConcurrency"
    with pytest.raises(LambdaResourceNotFoundException):
        app.invoke_async("does-not-exist", b"{}")


def test_reset_forgets_functions(app):
    app.register_function("gone", lambda e, c: 1)
    app.reset()
    assert app.lambda_.resolve((ACCOUNT, REGION), "gone") is None
    assert "gone" not in app.lambda_.runtime._inprocess


def test_control_routes(app):
    app.register_function("talker", lambda e, c: print("said", e["n"]))

    async def get(path: str, query: bytes = b"") -> tuple[int, Any]:
        scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": []}
        status, _, body = await app.gateway.handle(scope, b"")
        return status, body

    async def scenario() -> None:
        for n in range(2):
            await app.lambda_.invoke("talker", json.dumps({"n": n}).encode(), account=ACCOUNT, region=REGION)
        status, body = await get("/_riverbed/logs/talker")
        answer = json.loads(body)
        assert status == 200 and len(answer["entries"]) == 2 and "said 1" in answer["entries"][1]["text"]
        status, body = await get("/_riverbed/logs/talker", f"since={answer['next']}".encode())
        assert json.loads(body)["entries"] == []
        status, body = await get("/_riverbed/logs/talker", b"since=999")  # the server restarted: start over
        assert len(json.loads(body)["entries"]) == 2
        assert (await get("/_riverbed/code/" + "0" * 64))[0] == 404
        assert (await get("/_riverbed/logs/talker", b"since=x"))[0] == 400

    run(scenario())


def test_configuration_forms():
    doc = {"name": "f", "account": ACCOUNT, "region": REGION, "version": "$LATEST", "runtime": "python3.12",
           "role": "arn:aws:iam::000000000000:role/r", "handler": "h.h", "code_size": 10, "timeout": 3,
           "memory_size": 128, "last_modified": 1_700_000_000.5, "code_sha256": "x", "revision_id": "r",
           "environment": None}
    got = functions.configuration(doc)
    assert got["LastModified"] == "2023-11-14T22:13:20.500+0000"
    assert (got["State"], got["LastUpdateStatus"]) == ("Active", "Successful")
    assert "Environment" not in got
    created = functions.configuration(doc, form="create")
    assert (created["State"], created["StateReasonCode"]) == ("Pending", "Creating")
    listed = functions.configuration(doc, form="list", qualified=True)
    assert "State" not in listed and "RuntimeVersionConfig" not in listed
    assert listed["FunctionArn"].endswith(":function:f:$LATEST")
    version = functions.configuration(dict(doc, version="3"))
    assert version["FunctionArn"].endswith(":function:f:3")
    assert functions.configuration(dict(doc, version="3"), qualified=False)["FunctionArn"].endswith(":function:f")

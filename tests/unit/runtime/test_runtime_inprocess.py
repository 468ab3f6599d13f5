"""In-process functions and admission (reserved concurrency, account limit), without worker processes."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from riverbed.clock import ManualClock
from riverbed.errors import ServiceException, TooManyRequestsException
from riverbed.runtime import FunctionSpec, Runtime


def spec(name: str, **overrides: Any) -> FunctionSpec:
    fields: dict[str, Any] = {
        "name": name, "arn": f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
        "version": "$LATEST", "handler": "app.handler", "runtime": "python3.12", "timeout": 3,
        "memory_size": 128, "environment": {}, "code_sha256": "none", "code_zip": None, "revision": "r1",
        "region": "us-east-1", "account": "000000000000",
    }
    fields.update(overrides)
    return FunctionSpec(**fields)


def run(tmp_path: Path, scenario: Callable[[Runtime], Any], **kwargs: Any) -> Any:
    async def main() -> Any:
        rt = Runtime(clock=ManualClock(1_700_000_000.0), work_dir=tmp_path, endpoint_url=lambda: "http://x",
                     **kwargs)
        try:
            return await scenario(rt)
        finally:
            await rt.close()

    return asyncio.run(main())


def test_inprocess_result_context_and_captured_print(tmp_path: Path):
    seen: dict[str, Any] = {}

    def handler(event: Any, context: Any) -> Any:
        seen["thread"] = threading.current_thread().name
        print("hello from", event["who"])
        context.log("via context\n")
        return {"arn": context.invoked_function_arn, "rid": context.aws_request_id,
                "mem": context.memory_limit_in_mb, "remaining": context.get_remaining_time_in_millis()}

    async def scenario(rt: Runtime) -> None:
        rt.register_inprocess("local", handler)
        first = await rt.invoke(spec("local"), b'{"who": "test"}', request_id="rid-1")
        assert json.loads(first.payload) == {"arn": spec("local").arn, "rid": "rid-1", "mem": "128",
                                             "remaining": pytest.approx(3000, abs=200)}
        assert first.payload.startswith(b'{"arn": ')
        assert first.log_text.startswith("START RequestId: rid-1 Version: $LATEST\nhello from test\nvia context\n"
                                         "END RequestId: rid-1\nREPORT RequestId: rid-1\tDuration: ")
        assert first.init_duration_ms is not None
        second = await rt.invoke(spec("local"), b'{"who": "again"}')
        assert second.init_duration_ms is None and "hello from again" in second.log_text
        assert seen["thread"].startswith("riverbed-inprocess-local")  # never the event loop's thread
        assert rt.stats("local")["cold_starts"] == 1 and rt.stats("local")["invocations"] == 2
        assert len(rt.logs("local")) == 2

    run(tmp_path, scenario)


def test_inprocess_prints_from_other_threads_are_not_captured(tmp_path: Path, capsys: pytest.CaptureFixture):
    async def scenario(rt: Runtime) -> None:
        rt.register_inprocess("quiet", lambda event, context: "ok")
        print("from the test itself")
        result = await rt.invoke(spec("quiet"), b"{}")
        assert "from the test itself" not in result.log_text

    run(tmp_path, scenario)
    assert "from the test itself" in capsys.readouterr().out


def test_inprocess_exception_payload(tmp_path: Path):
    def handler(event: Any, context: Any) -> None:
        raise KeyError("nope")

    async def scenario(rt: Runtime) -> None:
        rt.register_inprocess("bad", handler)
        result = await rt.invoke(spec("bad"), b"{}", request_id="rid-2")
        assert result.function_error == "Unhandled" and result.error_type == "KeyError"
        error = json.loads(result.payload)
        assert error["errorMessage"] == "'nope'" and error["errorType"] == "KeyError"
        assert error["requestId"] == "rid-2"
        assert len(error["stackTrace"]) == 1 and "in handler" in error["stackTrace"][0]  # runtime frames dropped
        assert "[ERROR] KeyError: 'nope'\nTraceback (most recent call last):\n" in result.log_text

    run(tmp_path, scenario)


def test_inprocess_marshal_error_and_sys_exit(tmp_path: Path):
    async def scenario(rt: Runtime) -> None:
        rt.register_inprocess("setter", lambda event, context: {1})
        result = await rt.invoke(spec("setter"), b"{}", request_id="r")
        assert json.loads(result.payload) == {"errorMessage": "Unable to marshal response: Object of type set is "
                                                              "not JSON serializable",
                                              "errorType": "Runtime.MarshalError", "requestId": "r",
                                              "stackTrace": []}
        rt.register_inprocess("exiter", lambda event, context: sys.exit(4))
        result = await rt.invoke(spec("exiter"), b"{}", request_id="r")
        assert json.loads(result.payload) == {"errorType": "Runtime.ExitError",
                                              "errorMessage": "RequestId: r Error: Runtime exited with error: exit "
                                                              "status 4"}
        assert "Status: error\tError Type: Runtime.ExitError" in result.log_text

    run(tmp_path, scenario)


def test_inprocess_timeout_is_reported(tmp_path: Path):
    release = threading.Event()

    def handler(event: Any, context: Any) -> str:
        print("waiting")
        release.wait(5)
        return "late"

    async def scenario(rt: Runtime) -> None:
        rt.register_inprocess("stuck", handler)
        started = time.monotonic()
        result = await rt.invoke(spec("stuck", timeout=1), b"{}", request_id="rid-3")
        # At least the 1 s timeout, and well short of the 5 s the handler would have taken.
        assert 0.95 < time.monotonic() - started < 4.5
        release.set()
        assert json.loads(result.payload) == {"errorType": "Sandbox.Timedout",
                                              "errorMessage": "RequestId: rid-3 Error: Task timed out after 1.00 "
                                                              "seconds"}
        assert "waiting\n" in result.log_text
        # The manual clock stamps the timeout line (2023-11-14T22:13:20.000Z is 1_700_000_000).
        assert "\n2023-11-14T22:13:20.000Z rid-3 Task timed out after 1." in result.log_text
        assert result.log_text.endswith("\tStatus: timeout\t\n")
        assert (await rt.invoke(spec("stuck"), b"{}")).init_duration_ms is not None  # a fresh "environment"

    run(tmp_path, scenario)


def test_reserved_concurrency_and_account_limit(tmp_path: Path):
    gate = threading.Event()

    def blocked(event: Any, context: Any) -> str:
        gate.wait(5)
        return "done"

    async def wait_busy(rt: Runtime, name: str, n: int) -> None:
        while rt.stats(name)["busy"] < n:
            await asyncio.sleep(0.002)

    async def scenario(rt: Runtime) -> None:
        for name in ("a", "b", "c"):
            rt.register_inprocess(name, blocked)
        reserved = spec("a", reserved_concurrency=1)
        a1 = asyncio.create_task(rt.invoke(reserved, b"{}"))
        await wait_busy(rt, "a", 1)
        with pytest.raises(TooManyRequestsException) as caught:
            await rt.invoke(reserved, b"{}")
        assert caught.value.extra == {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"}
        # Account limit 3, 1 reserved for "a": unreserved functions share 2.
        b1 = asyncio.create_task(rt.invoke(spec("b"), b"{}"))
        c1 = asyncio.create_task(rt.invoke(spec("c"), b"{}"))
        await wait_busy(rt, "b", 1)
        await wait_busy(rt, "c", 1)
        with pytest.raises(TooManyRequestsException) as caught:
            await rt.invoke(spec("b"), b"{}")
        assert caught.value.message == "Rate Exceeded."
        assert caught.value.extra == {"Reason": "ConcurrentInvocationLimitExceeded"}
        gate.set()
        assert [r.payload for r in await asyncio.gather(a1, b1, c1)] == [b'"done"'] * 3
        assert (await rt.invoke(spec("b"), b"{}")).payload == b'"done"'
        assert rt.stats("b")["throttles"] == 1 and rt.stats("b")["busy"] == 0
        with pytest.raises(TooManyRequestsException):
            await rt.invoke(spec("c", reserved_concurrency=0), b"{}")

    run(tmp_path, scenario, account_concurrency=3)


def test_function_without_code_or_callable(tmp_path: Path):
    async def scenario(rt: Runtime) -> None:
        with pytest.raises(ServiceException):
            await rt.invoke(spec("ghost"), b"{}")
        assert rt.stats("ghost")["busy"] == 0

    run(tmp_path, scenario)


def test_closed_runtime_refuses_work(tmp_path: Path):
    async def scenario(rt: Runtime) -> None:
        await rt.close()
        with pytest.raises(ServiceException):
            await rt.invoke(spec("late"), b"{}")

    run(tmp_path, scenario)

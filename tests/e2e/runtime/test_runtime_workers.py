"""The Lambda runtime with real worker processes: results, warm reuse, recycling, errors, logs, limits."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from riverbed.errors import TooManyRequestsException
from riverbed.runtime import InvocationResult, Runtime

ECHO = {"app.py": """
    import os

    def handler(event, context):
        return {"event": event, "pid": os.getpid()}
    """}

SLEEPY = {"app.py": """
    import os, time

    def handler(event, context):
        time.sleep(event.get("sleep", 0))
        return os.getpid()
    """}

REPORT_RE = re.compile(
    r"REPORT RequestId: (?P<id>[0-9a-f-]+)\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: (?P<mem>\d+) MB\tMax Memory Used: \d+ MB\t(?P<init>Init Duration: \d+\.\d\d ms\t)?"
    r"(?P<rest>.*)\n$")


def body(result: InvocationResult) -> Any:
    return json.loads(result.payload)


def process_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie is dead
    except FileNotFoundError:
        return True


async def wait_gone(pid: int, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process_gone(pid):
            return True
        await asyncio.sleep(0.01)
    return False


# --- results, warm reuse, recycling ------------------------------------------------


def test_result_payload_warm_reuse_and_cold_start_reporting(make_spec, with_runtime):
    spec = make_spec("echo", ECHO)

    async def scenario(rt: Runtime) -> None:
        first = await rt.invoke(spec, b'{"n": 1}', request_id="11111111-1111-1111-1111-111111111111")
        second = await rt.invoke(spec, b'{"n": 2}')
        third = await rt.invoke(spec, b"")
        assert first.request_id == "11111111-1111-1111-1111-111111111111"
        assert body(first)["event"] == {"n": 1}
        assert first.payload.startswith(b'{"event": {"n": 1}, "pid": ')  # AWS's ", " / ": " separators
        assert body(third)["event"] == {}  # no payload -> {}
        assert body(first)["pid"] == body(second)["pid"] == body(third)["pid"]
        assert first.function_error is None and first.executed_version == "$LATEST"
        assert first.init_duration_ms is not None and first.init_duration_ms > 0
        assert second.init_duration_ms is None and third.init_duration_ms is None
        assert first.billed_duration_ms >= first.duration_ms + first.init_duration_ms
        assert second.billed_duration_ms >= second.duration_ms
        assert first.max_memory_used_mb > 0
        assert rt.stats("echo") == {"environments": 1, "busy": 0, "cold_starts": 1, "invocations": 3,
                                    "throttles": 0, "errors": 0}

    with_runtime(scenario)


def test_code_change_retires_the_warm_environment(make_spec, with_runtime):
    old = make_spec("recycle", ECHO)
    new = make_spec("recycle", {"app.py": ECHO["app.py"] + "    # v2\n"}, revision="rev-2")

    async def scenario(rt: Runtime) -> None:
        pid_old = body(await rt.invoke(old, b"{}"))["pid"]
        result = await rt.invoke(new, b"{}")
        assert body(result)["pid"] != pid_old
        assert result.init_duration_ms is not None
        assert await wait_gone(pid_old)
        assert rt.stats("recycle")["environments"] == 1
        assert body(await rt.invoke(new, b"{}"))["pid"] == body(result)["pid"]

    with_runtime(scenario)


def test_configuration_change_retires_the_warm_environment(make_spec, with_runtime):
    spec = make_spec("reconf", ECHO)
    changed = make_spec("reconf", ECHO, revision="rev-2", memory_size=256)

    async def scenario(rt: Runtime) -> None:
        pid_old = body(await rt.invoke(spec, b"{}"))["pid"]
        assert body(await rt.invoke(changed, b"{}"))["pid"] != pid_old
        assert await wait_gone(pid_old)

    with_runtime(scenario)


def test_versions_keep_their_own_environments(make_spec, with_runtime):
    latest = make_spec("versions", ECHO)
    v1 = make_spec("versions", {"app.py": ECHO["app.py"] + "    # v1\n"}, version="1",
                   arn="arn:aws:lambda:us-east-1:000000000000:function:versions:1")

    async def scenario(rt: Runtime) -> None:
        a = body(await rt.invoke(latest, b"{}"))["pid"]
        b = body(await rt.invoke(v1, b"{}"))["pid"]
        assert a != b
        assert body(await rt.invoke(latest, b"{}"))["pid"] == a
        result = await rt.invoke(v1, b"{}")
        assert body(result)["pid"] == b and result.executed_version == "1"
        assert "Version: 1\n" in result.log_text

    with_runtime(scenario)


def test_concurrent_invocations_get_their_own_environments(make_spec, with_runtime):
    spec = make_spec("parallel", SLEEPY)

    async def scenario(rt: Runtime) -> None:
        results = await asyncio.gather(*(rt.invoke(spec, b'{"sleep": 0.3}') for _ in range(3)))
        pids = {body(r) for r in results}
        assert len(pids) == 3
        assert rt.stats("parallel")["cold_starts"] == 3
        assert rt.stats("parallel")["environments"] == 3
        again = await rt.invoke(spec, b"{}")
        assert body(again) in pids and again.init_duration_ms is None

    with_runtime(scenario)


# --- what the handler sees ------------------------------------------------------------


def test_environment_variables_as_on_aws(make_spec, with_runtime, monkeypatch, endpoint):
    monkeypatch.setenv("RIVERBED_SERVER_SECRET", "must-not-leak")
    spec = make_spec("envvars", {"app.py": """
        import os, sys

        def handler(event, context):
            return {"env": dict(os.environ), "cwd": os.getcwd(), "path0": sys.path[0]}
        """}, environment={"GREETING": "hello", "TZ": "Europe/Paris"}, memory_size=256)

    async def scenario(rt: Runtime) -> None:
        result = body(await rt.invoke(spec, b"{}"))
        env = result["env"]
        assert env["AWS_ENDPOINT_URL"] == endpoint
        assert env["GREETING"] == "hello"
        assert env["TZ"] == "Europe/Paris"  # TZ is not reserved: the function may set it
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
        assert env["AWS_LAMBDA_FUNCTION_NAME"] == "envvars"
        assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
        assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
        assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/envvars"
        assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"])
        assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
        assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
        assert env["_HANDLER"] == "app.handler"
        assert env["AWS_ACCESS_KEY_ID"] == "test" and env["AWS_SECRET_ACCESS_KEY"] == "test"
        assert env["AWS_SESSION_TOKEN"]
        assert env["LAMBDA_TASK_ROOT"] == result["cwd"] == result["path0"]
        assert env["LAMBDA_RUNTIME_DIR"]
        assert "RIVERBED_SERVER_SECRET" not in env

    with_runtime(scenario)


def test_default_tz_is_utc(make_spec, with_runtime):
    spec = make_spec("tz", {"app.py": """
        import os, time

        def handler(event, context):
            return [os.environ["TZ"], time.strftime("%Z", time.localtime())]
        """})

    async def scenario(rt: Runtime) -> None:
        assert body(await rt.invoke(spec, b"{}")) == [":UTC", "UTC"]

    with_runtime(scenario)


def test_context_object(make_spec, with_runtime):
    spec = make_spec("ctx", {"app.py": """
        def handler(event, context):
            return {
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "aws_request_id": context.aws_request_id,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "remaining": context.get_remaining_time_in_millis(),
                "client_context": context.client_context,
                "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
            }
        """}, timeout=7)

    async def scenario(rt: Runtime) -> None:
        result = await rt.invoke(spec, b"{}", request_id="22222222-2222-2222-2222-222222222222")
        ctx = body(result)
        assert ctx["function_name"] == "ctx"
        assert ctx["function_version"] == "$LATEST"
        assert ctx["invoked_function_arn"] == spec.arn
        assert ctx["memory_limit_in_mb"] == "128"  # a string, as in the AWS Python runtime
        assert ctx["aws_request_id"] == "22222222-2222-2222-2222-222222222222"
        assert ctx["log_group_name"] == "/aws/lambda/ctx"
        assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", ctx["log_stream_name"])
        assert 6000 < ctx["remaining"] <= 7000
        assert ctx["client_context"] is None
        assert ctx["identity"] == [None, None]

    with_runtime(scenario)


def test_handler_in_sub_packages(make_spec, with_runtime):
    files = {
        "pkg/__init__.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/mod.py": "def handler(event, context):\n    return __name__\n",
        "ns/mod.py": "def handler(event, context):\n    return __name__\n",  # namespace package
    }

    async def scenario(rt: Runtime) -> None:
        for handler, expected in [("pkg/sub/mod.handler", "pkg.sub.mod"), ("pkg.sub.mod.handler", "pkg.sub.mod"),
                                  ("ns/mod.handler", "ns.mod")]:
            spec = make_spec(f"sub-{expected}-{handler.count('/')}", files, handler=handler)
            result = await rt.invoke(spec, b"{}")
            assert result.function_error is None, result.payload
            assert body(result) == expected

    with_runtime(scenario)


def test_return_value_marshalling(make_spec, with_runtime):
    files = {"app.py": """
        from decimal import Decimal

        def handler(event, context):
            kind = event["kind"]
            if kind == "decimal":
                return {"int": Decimal("3"), "float": Decimal("1.5")}
            if kind == "text":
                return "caf\\u00e9"
            if kind == "none":
                return None
            if kind == "bytes":
                return b"raw bytes, not json"
            return {1, 2}
        """}
    py312 = make_spec("marshal", files)
    py311 = make_spec("marshal-311", files, runtime="python3.11")

    async def scenario(rt: Runtime) -> None:
        assert (await rt.invoke(py312, b'{"kind": "decimal"}')).payload == b'{"int": 3, "float": 1.5}'
        assert (await rt.invoke(py312, b'{"kind": "text"}')).payload == '"café"'.encode()  # ensure_ascii off
        assert (await rt.invoke(py311, b'{"kind": "text"}')).payload == b'"caf\\u00e9"'
        assert (await rt.invoke(py312, b'{"kind": "none"}')).payload == b"null"
        assert (await rt.invoke(py312, b'{"kind": "bytes"}')).payload == b"raw bytes, not json"
        rid = "33333333-3333-3333-3333-333333333333"
        failed = await rt.invoke(py312, b'{"kind": "set"}', request_id=rid)
        assert failed.function_error == "Unhandled"
        assert body(failed) == {"errorMessage": "Unable to marshal response: Object of type set is not JSON "
                                                "serializable", "errorType": "Runtime.MarshalError",
                                "requestId": rid, "stackTrace": []}

    with_runtime(scenario)


def test_large_event_and_response_size_limit(make_spec, with_runtime):
    spec = make_spec("sizes", {"app.py": """
        import os

        def handler(event, context):
            if "echo" in event:
                return len(event["echo"])
            return [os.getpid(), "a" * event["size"]]
        """})

    async def scenario(rt: Runtime) -> None:
        big_event = json.dumps({"echo": "x" * (5 * 1024 * 1024)}).encode()
        assert body(await rt.invoke(spec, big_event)) == 5 * 1024 * 1024
        ok = await rt.invoke(spec, json.dumps({"size": 6 * 1024 * 1024}).encode())
        assert ok.function_error is None and len(ok.payload) <= 6291556
        pid = body(ok)[0]
        too_big = await rt.invoke(spec, json.dumps({"size": 7 * 1024 * 1024}).encode())
        assert too_big.function_error == "Unhandled"
        assert body(too_big) == {
            "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
            "errorType": "Function.ResponseSizeTooLarge"}
        assert body(await rt.invoke(spec, b'{"size": 1}'))[0] == pid  # the environment survives

    with_runtime(scenario)


# --- logs -------------------------------------------------------------------------------


def test_print_logging_and_raw_fd_output_are_captured(make_spec, with_runtime):
    spec = make_spec("printer", {"app.py": """
        import logging, os, sys

        print("module level")
        logger = logging.getLogger()
        logger.setLevel(logging.INFO)

        def handler(event, context):
            print("from print")
            logger.info("from logging")
            os.write(1, b"from fd 1\\n")
            sys.stderr.write("from stderr\\n")
            os.system("echo from a subprocess")
            print(sys.stdin.read() == "")
            context.log("from context.log\\n")
            return "ok"
        """})

    async def scenario(rt: Runtime) -> None:
        seen: list[tuple[str, str]] = []
        rt.add_log_listener(lambda name, text: seen.append((name, text)))
        rid = "44444444-4444-4444-4444-444444444444"
        result = await rt.invoke(spec, b"{}", request_id=rid)
        assert result.payload == b'"ok"'
        lines = result.log_text.split("\n")
        assert lines[0] == f"START RequestId: {rid} Version: $LATEST"
        assert lines[1] == "from print"
        assert re.fullmatch(rf"\[INFO\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{rid}\tfrom logging", lines[2])
        assert lines[3:9] == ["from fd 1", "from stderr", "from a subprocess", "True", "from context.log",
                              f"END RequestId: {rid}"]
        assert REPORT_RE.match(lines[9] + "\n")
        assert result.log_text.endswith("\t\n") and "module level" not in result.log_text
        second = await rt.invoke(spec, b"{}")
        assert "module level" not in second.log_text
        assert REPORT_RE.match(second.log_text.split("\n")[-2] + "\n").group("init") is None
        stored = rt.logs("printer")
        assert len(stored) == 2
        assert stored[0].startswith("module level\n") and stored[0].endswith(result.log_text)
        assert stored[1] == second.log_text
        assert seen == [("printer", stored[0]), ("printer", stored[1])]

    with_runtime(scenario)


def test_report_line_shape(make_spec, with_runtime):
    spec = make_spec("report", ECHO, memory_size=512)

    async def scenario(rt: Runtime) -> None:
        result = await rt.invoke(spec, b"{}")
        report = result.log_text.split("\n")[-2] + "\n"
        match = REPORT_RE.match(report)
        assert match and match.group("id") == result.request_id and match.group("mem") == "512"
        assert match.group("init") and match.group("rest") == ""
        assert f"Duration: {result.duration_ms:.2f} ms" in report
        assert f"Billed Duration: {result.billed_duration_ms} ms" in report
        assert f"Init Duration: {result.init_duration_ms:.2f} ms" in report

    with_runtime(scenario)


# --- errors ------------------------------------------------------------------------------


def test_handler_exception(make_spec, with_runtime):
    spec = make_spec("raises", {"app.py": """
        import os

        def handler(event, context):
            if event.get("fail"):
                raise ValueError("boom")
            return os.getpid()
        """})

    async def scenario(rt: Runtime) -> None:
        pid = body(await rt.invoke(spec, b"{}"))
        rid = "55555555-5555-5555-5555-555555555555"
        result = await rt.invoke(spec, b'{"fail": true}', request_id=rid)
        assert result.function_error == "Unhandled" and result.error_type == "ValueError"
        error = body(result)
        assert list(error) == ["errorMessage", "errorType", "requestId", "stackTrace"]
        assert error["errorMessage"] == "boom" and error["errorType"] == "ValueError"
        assert error["requestId"] == rid
        assert len(error["stackTrace"]) == 1
        assert re.fullmatch(r'  File ".*/app\.py", line 6, in handler\n    raise ValueError\("boom"\)\n',
                            error["stackTrace"][0])
        assert "[ERROR] ValueError: boom\nTraceback (most recent call last):\n\u00a0\u00a0File " in result.log_text
        assert "\u00a0\u00a0\u00a0\u00a0raise ValueError" in result.log_text
        assert "Status:" not in result.log_text
        assert body(await rt.invoke(spec, b"{}")) == pid  # an exception does not cost the environment
        assert rt.stats("raises")["errors"] == 1

    with_runtime(scenario)


@pytest.mark.parametrize(("files", "handler", "error_type", "message"), [
    ({"app.py": "import not_installed_anywhere\n"}, "app.handler", "Runtime.ImportModuleError",
     "Unable to import module 'app': No module named 'not_installed_anywhere'"),
    ({"other.py": "x = 1\n"}, "app.handler", "Runtime.ImportModuleError",
     "Unable to import module 'app': No module named 'app'"),
    ({"app.py": "def handler(e, c):\n    return 1\n"}, "app.nothere", "Runtime.HandlerNotFound",
     "Handler 'nothere' missing on module 'app'"),
    ({"app.py": "x = 1\n"}, "nodot", "Runtime.MalformedHandlerName",
     "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)"),
    ({"app.py": "x = 1\n"}, "sys.handler", "Runtime.BuiltInModuleConflict",
     "Cannot use built-in module sys as a handler module"),
], ids=["missing-dependency", "missing-module", "handler-not-found", "malformed", "builtin"])
def test_init_faults(make_spec, with_runtime, files, handler, error_type, message):
    spec = make_spec("init-" + error_type.split(".")[1].lower(), files, handler=handler)

    async def scenario(rt: Runtime) -> None:
        result = await rt.invoke(spec, b"{}")
        assert result.function_error == "Unhandled" and result.error_type == error_type
        assert body(result) == {"errorMessage": message, "errorType": error_type, "requestId": "",
                                "stackTrace": []}
        assert f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):\n" in result.log_text
        assert "LAMBDA_WARNING" not in result.log_text  # the warning text itself, logged at WARNING
        assert "[WARNING]" in result.log_text and "Unhandled exception." in result.log_text
        assert f"Status: error\tError Type: {error_type}\t\n" in result.log_text
        assert rt.stats(spec.name)["environments"] == 0
        await rt.invoke(spec, b"{}")  # init is retried on the next invocation
        assert rt.stats(spec.name)["cold_starts"] == 2

    with_runtime(scenario)


def test_syntax_error_and_module_level_exception(make_spec, with_runtime):
    syntax = make_spec("syntax", {"app.py": "def handler(e, c)\n    return 1\n"})
    raising = make_spec("init-raise", {"app.py": "raise RuntimeError('init fails')\n"})

    async def scenario(rt: Runtime) -> None:
        result = body(await rt.invoke(syntax, b"{}"))
        assert result["errorType"] == "Runtime.UserCodeSyntaxError"
        assert result["errorMessage"].startswith("Syntax error in module 'app': ")
        assert re.fullmatch(r'  File ".*/app\.py" Line 1\n    def handler\(e, c\)\n', result["stackTrace"][0])
        result = body(await rt.invoke(raising, b"{}"))
        assert result["errorType"] == "RuntimeError" and result["errorMessage"] == "init fails"
        assert result["requestId"] == ""
        assert "importlib" in result["stackTrace"][0]  # the runtime's own frames are dropped, as on AWS
        assert re.fullmatch(r'  File ".*/app\.py", line 1, in <module>\n    raise RuntimeError\(.init fails.\)\n',
                            result["stackTrace"][-1])

    with_runtime(scenario)


EXITS = {"app.py": """
    import os, sys

    def handler(event, context):
        how = event.get("how")
        if how:
            print("about to", how)
        if how == "exit0":
            sys.exit(0)
        if how == "exit2":
            sys.exit(2)
        if how == "os_exit":
            os._exit(1)
        if how == "segfault":
            import ctypes
            ctypes.string_at(0)
        return os.getpid()
    """}


@pytest.mark.parametrize(("how", "reason"), [
    ("exit0", "Runtime exited without providing a reason"),
    ("exit2", "Runtime exited with error: exit status 2"),
    ("os_exit", "Runtime exited with error: exit status 1"),
    ("segfault", "Runtime exited with error: signal: segmentation fault"),
])
def test_worker_exit_is_reported_and_the_environment_replaced(make_spec, with_runtime, how, reason):
    spec = make_spec("exits-" + how, EXITS)

    async def scenario(rt: Runtime) -> None:
        pid = body(await rt.invoke(spec, b"{}"))
        rid = "66666666-6666-6666-6666-666666666666"
        result = await rt.invoke(spec, json.dumps({"how": how}).encode(), request_id=rid)
        assert result.function_error == "Unhandled" and result.error_type == "Runtime.ExitError"
        assert result.payload == json.dumps(
            {"errorType": "Runtime.ExitError", "errorMessage": f"RequestId: {rid} Error: {reason}"},
            separators=(",", ":")).encode()
        assert f"about to {how}\n" in result.log_text
        assert f"RequestId: {rid} Error: {reason}\nRuntime.ExitError\nEND RequestId: {rid}\n" in result.log_text
        assert "Status: error\tError Type: Runtime.ExitError\t\n" in result.log_text
        assert process_gone(pid)
        assert rt.stats(spec.name)["environments"] == 0
        replacement = await rt.invoke(spec, b"{}")
        assert body(replacement) != pid and replacement.init_duration_ms is not None

    with_runtime(scenario)


def test_module_level_exit(make_spec, with_runtime):
    spec = make_spec("init-exit", {"app.py": "import sys\nprint('leaving')\nsys.exit(0)\n"})

    async def scenario(rt: Runtime) -> None:
        result = await rt.invoke(spec, b"{}")
        assert body(result) == {"errorType": "Runtime.ExitError", "errorMessage":
                                f"RequestId: {result.request_id} Error: Runtime exited without providing a reason"}
        assert "leaving\n" in result.log_text

    with_runtime(scenario)


def test_timeout_kills_the_worker_and_its_children(make_spec, with_runtime, tmp_path: Path):
    marker = tmp_path / "grandchild.pid"
    spec = make_spec("slow", {"app.py": f"""
        import os, subprocess, time

        def handler(event, context):
            if event.get("sleep"):
                child = subprocess.Popen(["sleep", "30"])
                open({str(marker)!r}, "w").write(str(child.pid))
                print("sleeping")
                time.sleep(event["sleep"])
            return os.getpid()
        """}, timeout=1)

    async def scenario(rt: Runtime) -> None:
        pid = body(await rt.invoke(spec, b"{}"))
        rid = "77777777-7777-7777-7777-777777777777"
        started = time.monotonic()
        result = await rt.invoke(spec, b'{"sleep": 10}', request_id=rid)
        elapsed = time.monotonic() - started
        assert 0.95 < elapsed < 8  # the 1 s timeout, not the 10 s the handler asked for
        assert result.function_error == "Unhandled" and result.error_type == "Sandbox.Timedout"
        assert body(result) == {"errorType": "Sandbox.Timedout",
                                "errorMessage": f"RequestId: {rid} Error: Task timed out after 1.00 seconds"}
        assert list(body(result)) == ["errorType", "errorMessage"]
        assert result.duration_ms >= 1000
        assert "sleeping\n" in result.log_text
        assert re.search(rf"\n\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z {rid} Task timed out after 1\.\d\d seconds\n"
                         rf"END RequestId: {rid}\n", result.log_text)
        assert result.log_text.endswith("\tStatus: timeout\t\n")
        assert process_gone(pid)
        assert await wait_gone(int(marker.read_text()))  # the handler's own subprocess died with it
        after = await rt.invoke(spec, b"{}")
        assert after.function_error is None and body(after) != pid and after.init_duration_ms is not None

    with_runtime(scenario)


# --- concurrency --------------------------------------------------------------------------


def test_reserved_concurrency_throttles_without_waiting(make_spec, with_runtime):
    spec = make_spec("reserved", SLEEPY, reserved_concurrency=1)

    async def scenario(rt: Runtime) -> None:
        slow = asyncio.create_task(rt.invoke(spec, b'{"sleep": 1.5}'))
        while rt.stats("reserved")["busy"] == 0:
            await asyncio.sleep(0.005)
        with pytest.raises(TooManyRequestsException) as caught:
            await rt.invoke(spec, b"{}")
        assert not slow.done()  # throttled at once: it did not queue behind the busy environment
        assert caught.value.message == "Rate Exceeded." and caught.value.status == 429
        assert caught.value.extra == {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"}
        assert (await slow).function_error is None
        assert (await rt.invoke(spec, b"{}")).function_error is None
        assert rt.stats("reserved")["throttles"] == 1 and rt.stats("reserved")["environments"] == 1

    with_runtime(scenario)


def test_reserved_concurrency_zero_throttles_everything(make_spec, with_runtime):
    spec = make_spec("zero", ECHO, reserved_concurrency=0)

    async def scenario(rt: Runtime) -> None:
        with pytest.raises(TooManyRequestsException):
            await rt.invoke(spec, b"{}")
        assert rt.stats("zero") == {"environments": 0, "busy": 0, "cold_starts": 0, "invocations": 0,
                                    "throttles": 1, "errors": 0}

    with_runtime(scenario)


# --- lifecycle -----------------------------------------------------------------------------


def test_reap_once_retires_idle_environments(make_spec, with_runtime):
    spec = make_spec("reap", ECHO)

    async def scenario(rt: Runtime) -> None:
        pid = body(await rt.invoke(spec, b"{}"))
        assert await rt.reap_once() == 1
        assert process_gone(pid) and rt.stats("reap")["environments"] == 0
        assert await rt.reap_once() == 0
        result = await rt.invoke(spec, b"{}")
        assert body(result)["pid"] != pid and result.init_duration_ms is not None

    with_runtime(scenario, idle_seconds=0)


def test_reap_once_keeps_recently_used_environments(make_spec, with_runtime):
    spec = make_spec("keep", ECHO)

    async def scenario(rt: Runtime) -> None:
        await rt.invoke(spec, b"{}")
        assert await rt.reap_once() == 0
        assert rt.stats("keep")["environments"] == 1

    with_runtime(scenario, idle_seconds=300)


def test_retire_kills_idle_and_lets_in_flight_finish(make_spec, with_runtime):
    spec = make_spec("retire", SLEEPY)

    async def scenario(rt: Runtime) -> None:
        # Two environments (two overlapping invocations), then one of them busy and the other idle: a
        # single warm environment would be reused by the busy invocation, leaving nothing idle to kill.
        pids = {body(r) for r in await asyncio.gather(*(rt.invoke(spec, b'{"sleep": 0.3}') for _ in range(2)))}
        assert len(pids) == 2
        busy = asyncio.create_task(rt.invoke(spec, b'{"sleep": 1.0}'))
        while rt.stats("retire")["busy"] == 0:
            await asyncio.sleep(0.005)
        await rt.retire("retire")
        deadline = time.monotonic() + 10
        while not any(process_gone(pid) for pid in pids) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert any(process_gone(pid) for pid in pids)   # the idle one, at once
        result = await busy
        assert result.function_error is None            # the in-flight one finished its work
        busy_pid = body(result)
        assert busy_pid in pids
        assert await wait_gone(busy_pid, 10)
        assert rt.stats("retire")["environments"] == 0
        fresh = await rt.invoke(spec, b"{}")
        assert fresh.init_duration_ms is not None

    with_runtime(scenario)


def test_close_kills_every_worker(make_spec, tmp_path: Path):
    spec = make_spec("closing", SLEEPY)

    async def main() -> tuple[list[int], InvocationResult]:
        from riverbed.clock import SystemClock

        rt = Runtime(clock=SystemClock(), work_dir=tmp_path, endpoint_url=lambda: "http://127.0.0.1:45666")
        pids = [body(r) for r in await asyncio.gather(*(rt.invoke(spec, b'{"sleep": 0.2}') for _ in range(2)))]
        in_flight = asyncio.create_task(rt.invoke(spec, b'{"sleep": 5}'))
        while rt.stats("closing")["busy"] == 0:
            await asyncio.sleep(0.005)
        await rt.close()
        return pids, await in_flight

    pids, interrupted = asyncio.run(main())
    assert all(process_gone(pid) for pid in pids)
    assert interrupted.error_type == "Runtime.ExitError"
    assert body(interrupted)["errorMessage"].endswith("Runtime exited with error: signal: killed")


def test_boto3_in_a_handler_targets_the_endpoint(make_spec, with_runtime, endpoint):
    spec = make_spec("boto", {"app.py": """
        import boto3

        def handler(event, context):
            client = boto3.client("dynamodb")
            return [client.meta.endpoint_url, client.meta.region_name]
        """})

    async def scenario(rt: Runtime) -> None:
        result = await rt.invoke(spec, b"{}")
        assert body(result) == [endpoint, "us-east-1"], result.payload

    with_runtime(scenario)

"""The worker's runtime-interface pieces, run in this process: handler loading, error objects, marshalling."""

from __future__ import annotations

import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from riverbed.runtime import child
from riverbed.runtime.context import LambdaContext


@pytest.fixture
def code_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def unique() -> str:
    return "m" + uuid.uuid4().hex[:10]


def test_load_handler_resolves_modules_and_paths(code_dir: Path):
    name = unique()
    (code_dir / name).mkdir()
    (code_dir / name / "__init__.py").write_text("")
    (code_dir / name / "mod.py").write_text("def handler(e, c):\n    return 'ok'\n")
    assert child.load_handler(f"{name}/mod.handler")(None, None) == "ok"
    assert child.load_handler(f"{name}.mod.handler")(None, None) == "ok"


@pytest.mark.parametrize(("handler", "error_type", "message"), [
    ("nodot", "Runtime.MalformedHandlerName", "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)"),
    ("sys.path", "Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module"),
    ("no_such_module_here.handler", "Runtime.ImportModuleError",
     "Unable to import module 'no_such_module_here': No module named 'no_such_module_here'"),
    ("json.not_there", "Runtime.HandlerNotFound", "Handler 'not_there' missing on module 'json'"),
])
def test_load_handler_faults(handler: str, error_type: str, message: str):
    with pytest.raises(child.Fault) as caught:
        child.load_handler(handler)
    assert (caught.value.error_type, caught.value.message) == (error_type, message)
    assert child.error_from_exception(caught.value) == {
        "errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}


def test_syntax_error_fault_has_the_aws_trace_shape(code_dir: Path):
    name = unique()
    (code_dir / f"{name}.py").write_text("x = (\n")
    with pytest.raises(child.Fault) as caught:
        child.load_handler(f"{name}.handler")
    assert caught.value.error_type == "Runtime.UserCodeSyntaxError"
    assert caught.value.message.startswith(f"Syntax error in module '{name}': ")
    assert caught.value.trace == [f'  File "{code_dir / name}.py" Line 1\n    x = (\n']


def test_error_from_exception_drops_runtime_frames_and_carets():
    def handler() -> None:
        {}["missing"]

    try:
        handler()
    except KeyError as exc:
        error = child.error_from_exception(exc, "rid", runtime_files={__file__})
    # Every frame is a "runtime" frame here: as in awslambdaric, the trace is then kept whole.
    assert error["errorType"] == "KeyError" and error["errorMessage"] == "'missing'"
    assert error["requestId"] == "rid"
    assert len(error["stackTrace"]) == 2
    assert all("^" not in line for line in error["stackTrace"])  # no 3.11+ caret lines

    try:
        handler()
    except KeyError as exc:
        error = child.error_from_exception(exc, "rid", runtime_files=set())
    assert error["stackTrace"][-1].endswith('in handler\n    {}["missing"]\n')


def test_marshal_response():
    assert child.marshal_response({"a": [1, 2.5, None, True]}) == b'{"a": [1, 2.5, null, true]}'
    assert child.marshal_response({"n": Decimal(10), "f": Decimal("0.25")}) == b'{"n": 10, "f": 0.25}'
    assert child.marshal_response("é", ensure_ascii=False) == '"é"'.encode()
    assert child.marshal_response("é") == b'"\\u00e9"'
    assert child.marshal_response(b"\x00raw") == b"\x00raw"
    with pytest.raises(child.Fault) as caught:
        child.marshal_response(object())
    assert caught.value.error_type == "Runtime.MarshalError"
    assert caught.value.message == "Unable to marshal response: Object of type object is not JSON serializable"


def test_unmarshal_event():
    assert child.unmarshal_event(b'{"a": 1.5, "big": 123456789012345678901234567890}') == {
        "a": 1.5, "big": 123456789012345678901234567890}
    with pytest.raises(child.Fault) as caught:
        child.unmarshal_event(b"{nope")
    assert caught.value.error_type == "Runtime.UnmarshalError"
    assert caught.value.message.startswith("Unable to unmarshal input: ")


def test_ensure_ascii_only_off_for_python312():
    assert child.ensure_ascii_for("AWS_Lambda_python3.12") is False
    assert child.ensure_ascii_for("AWS_Lambda_python3.11") is True
    assert child.ensure_ascii_for("AWS_Lambda_python3.13") is True


def test_max_rss_is_positive():
    assert child.max_rss_mb() > 0


def test_context_object_shape():
    context = LambdaContext(aws_request_id="rid", function_name="f", function_version="$LATEST",
                            invoked_function_arn="arn:aws:lambda:us-east-1:1:function:f", memory_limit_in_mb=256,
                            log_group_name="/aws/lambda/f", log_stream_name="2024/01/01/[$LATEST]abc",
                            timeout_ms=3000)
    assert context.memory_limit_in_mb == "256"
    assert 2900 < context.get_remaining_time_in_millis() <= 3000
    assert context.identity.cognito_identity_id is None and context.identity.cognito_identity_pool_id is None
    assert context.client_context is None
    assert repr(context).startswith("LambdaContext([aws_request_id=rid,log_group_name=/aws/lambda/f,")
    expired = LambdaContext(aws_request_id="rid", function_name="f", function_version="1",
                            invoked_function_arn="a", memory_limit_in_mb=128, log_group_name="g",
                            log_stream_name="s", timeout_ms=0)
    assert expired.get_remaining_time_in_millis() == 0


def test_child_imports_nothing_heavy_before_the_handler():
    import subprocess

    # Modules the interpreter loaded before ours (site, an editable install's finder) do not count.
    code = ("import sys; before = set(sys.modules); import riverbed.runtime.child, riverbed.runtime.context, "
            "riverbed.runtime.logs, riverbed.runtime.protocol; print(sorted(m for m in ('asyncio', 'boto3', "
            "'botocore', 'riverbed.runtime.pool', 'riverbed.clock') if m in sys.modules "
            "and m not in before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(Path(child.__file__).parents[2])})
    assert out.stdout.strip() == "[]"

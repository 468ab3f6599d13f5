"""The worker process: one Lambda execution environment (``python -m riverbed.runtime.child``).

Owns, inside the worker: loading the handler (``_HANDLER``, resolved the way
the AWS Python runtime interface client resolves it, with the same
``Runtime.*`` fault types and messages), running invocations one at a time,
turning exceptions into AWS's error object (``errorMessage``, ``errorType``,
``requestId``, ``stackTrace``), marshalling the return value the way the AWS
runtime does (stdlib-json text with ``", "``/``": "`` separators, bytes
passed through, ``ensure_ascii=False`` only on python3.12), the root logging
handler with AWS's text format, and capturing everything the handler prints.

Pipes: the server starts the worker with stdin/stdout as the protocol pipes
and stderr as an anonymous capture file it also holds.  The worker first
moves the protocol pipes to private descriptors, points fd 1 at the capture
file and fd 0 at /dev/null, so ``print()``, ``logging``, C extensions and
subprocesses all land in the capture file and never in the protocol.  After
each invocation the worker reads the file back and truncates it; if the
worker dies, the server reads what is left.

Must not: import anything the handler does not need before the handler is
imported (no asyncio, no boto3, no dataclasses: cold start is measured from
spawn to ``ready``), nor read the riverbed clock (deadlines are real time).
The frames in a stack trace that belong to this module are dropped, as AWS
drops its ``bootstrap.py`` frames.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any

# Frames from these files at the top of a traceback are the runtime's, not the user's.
RUNTIME_FILES: set[str] = {os.path.abspath(__file__)}


class Fault(Exception):
    """An error the runtime itself reports, with an AWS ``Runtime.*`` type."""

    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


# --- handler loading -------------------------------------------------------------


def load_handler(handler: str) -> Callable[..., Any]:
    """Import ``module.func`` / ``pkg/sub/module.func`` / ``pkg.sub.module.func`` and return the callable.

    Other exceptions raised while importing the module propagate unchanged: AWS
    reports those with their own type and an empty ``requestId``.
    """
    try:
        module_name, func_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault(Fault.MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {exc}") from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault(Fault.BUILT_IN_MODULE_CONFLICT,
                    f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise Fault(Fault.IMPORT_MODULE_ERROR, f"Unable to import module '{module_name}': {exc}") from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise Fault(Fault.USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{module_name}': {exc}",
                    trace) from None
    try:
        handler_func: Callable[..., Any] = getattr(module, func_name)
    except AttributeError:
        raise Fault(Fault.HANDLER_NOT_FOUND,
                    f"Handler '{func_name}' missing on module '{module_name}'") from None
    return handler_func


# --- error objects and marshalling ----------------------------------------------


def make_error(message: str | None, error_type: str | None, stack: list[str] | None,
               request_id: str | None = None) -> dict[str, Any]:
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack or [],
    }


def error_from_exception(exc: BaseException, request_id: str | None = None,
                         runtime_files: set[str] | None = None) -> dict[str, Any]:
    """AWS's error object for an exception: leading runtime frames dropped, no column carets."""
    if isinstance(exc, Fault):
        return make_error(exc.message, exc.error_type, exc.trace, request_id)
    import traceback

    skip = runtime_files if runtime_files is not None else RUNTIME_FILES
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(exc.__traceback__)]
    for i, frame in enumerate(frames):
        if os.path.abspath(frame[0]) not in skip:
            frames = frames[i:]
            break
    # Plain tuples, as the AWS runtime passes them: no "^^^^" caret lines.
    stack = traceback.format_list(frames)  # type: ignore[arg-type]
    return make_error(str(exc), type(exc).__name__, stack, request_id)


def _json_default(obj: Any) -> Any:
    # The AWS runtime writes Decimals as bare numbers (boto3's DynamoDB resource returns them).
    from decimal import Decimal

    if isinstance(obj, Decimal):
        if obj.is_nan():
            return float("nan")
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")


def to_json(obj: Any, ensure_ascii: bool = True) -> bytes:
    return json.dumps(obj, ensure_ascii=ensure_ascii, default=_json_default).encode("utf-8")


def marshal_response(value: Any, ensure_ascii: bool = True) -> bytes:
    if isinstance(value, bytes):
        return value  # sent as is ("application/unknown")
    try:
        return to_json(value, ensure_ascii)
    except Exception as exc:
        raise Fault(Fault.MARSHAL_ERROR, f"Unable to marshal response: {exc}") from None


def unmarshal_event(body: bytes) -> Any:
    try:
        return json.loads(body)
    except Exception as exc:
        raise Fault(Fault.UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}") from None


def ensure_ascii_for(execution_env: str) -> bool:
    # awslambdaric turns ensure_ascii off for python3.12 only.
    return execution_env != "AWS_Lambda_python3.12"


def max_rss_mb() -> int:
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return max(1, round(rss / divisor))


# --- the worker process ----------------------------------------------------------


class _Capture:
    """The capture file behind fds 1 and 2: read back and emptied after each phase."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def drain(self) -> str:
        sys.stdout.flush()
        sys.stderr.flush()
        size = os.fstat(self.fd).st_size
        if size == 0:
            return ""
        chunks = []
        offset = 0
        while offset < size:
            chunk = os.pread(self.fd, size - offset, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        return b"".join(chunks).decode("utf-8", errors="replace")


_current_request_id: str | None = None


def _setup_logging() -> None:
    """A root handler like the AWS Python runtime's (text format, UTC, request id column)."""
    import logging
    import time

    logging.Formatter.converter = time.gmtime

    class _LambdaLogFilter(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.aws_request_id = _current_request_id or ""
            return True

    class _LambdaLogHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                sys.stdout.write(self.format(record))
            except Exception:
                self.handleError(record)

    class _JsonFormatter(logging.Formatter):
        """LoggingConfig.LogFormat JSON: the Python runtime's record (timestamp, level, message, logger,
        requestId; errorType / errorMessage / stackTrace with an exception), one JSON object per line.
        https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html"""

        def format(self, record: logging.LogRecord) -> str:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
            out: dict[str, object] = {"timestamp": stamp, "level": record.levelname, "message": record.getMessage(),
                                      "logger": record.name, "requestId": getattr(record, "aws_request_id", "")}
            if record.exc_info and record.exc_info[0] is not None:
                import traceback

                out["errorType"] = record.exc_info[0].__name__
                out["errorMessage"] = str(record.exc_info[1])
                out["stackTrace"] = traceback.format_tb(record.exc_info[2])
            return json.dumps(out, default=str) + "\n"

    handler = _LambdaLogHandler()
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(_LambdaLogFilter())
    root = logging.getLogger()
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    level = {"WARN": "WARNING", "TRACE": "DEBUG", "FATAL": "CRITICAL"}.get(level, level)
    if level in logging.getLevelNamesMapping():
        root.setLevel(level)
    root.addHandler(handler)


def _redirect_stdio() -> tuple[int, int, _Capture]:
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    os.dup2(2, 1)  # fd 2 is the capture file the server gave us
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    out = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", write_through=True)
    # The originals wrap the same fds but buffer: writes through them would land in a later invocation.
    sys.stdout = sys.__stdout__ = out  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = err  # type: ignore[misc]
    return proto_in, proto_out, _Capture(1)


def _serve(handler: Callable[..., Any], proto_in: int, proto_out: int, capture: _Capture) -> None:
    global _current_request_id
    from riverbed.runtime.context import LambdaContext
    from riverbed.runtime.logs import error_block
    from riverbed.runtime.protocol import read_frame_fd, write_frame_fd

    env = os.environ
    function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
    function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    memory = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
    log_group = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
    log_stream = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
    ascii_only = ensure_ascii_for(env.get("AWS_EXECUTION_ENV", ""))

    while True:
        frame = read_frame_fd(proto_in)
        if frame is None:
            return  # the server has gone: leave quietly
        meta, body = frame
        request_id = meta["id"]
        _current_request_id = request_id
        context = LambdaContext(
            aws_request_id=request_id, function_name=function_name, function_version=function_version,
            invoked_function_arn=meta.get("arn", ""), memory_limit_in_mb=memory, log_group_name=log_group,
            log_stream_name=log_stream, timeout_ms=meta.get("timeout_ms", 3000))
        error_type = None
        try:
            result = marshal_response(handler(unmarshal_event(body), context), ascii_only)
        except Exception as exc:
            error = error_from_exception(exc, request_id)
            error_type = error["errorType"]
            sys.stdout.write(error_block(error))
            result = to_json(error, ascii_only)
        log = capture.drain()
        write_frame_fd(proto_out, {"t": "result", "ok": error_type is None, "error_type": error_type,
                                   "log": log, "mem": max_rss_mb()}, result)


def _die_with_parent() -> None:
    """A worker never outlives riverbed: if the server is killed (even kill -9), the kernel kills us too.

    Otherwise an orphaned worker could finish its batch against a restarted server and deliver
    side effects twice more than AWS's at-least-once allows.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def main() -> None:
    _die_with_parent()
    proto_in, proto_out, capture = _redirect_stdio()
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    if not sys.path or sys.path[0] not in (task_root, "", "."):
        sys.path.insert(0, task_root)
    _setup_logging()
    from riverbed.runtime.protocol import write_frame_fd

    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as exc:
        import logging

        from riverbed.runtime.logs import LAMBDA_UNHANDLED_EXCEPTION_WARNING, error_block

        error = error_from_exception(exc)
        logging.getLogger().warning(LAMBDA_UNHANDLED_EXCEPTION_WARNING)
        sys.stdout.write(error_block(error))
        ascii_only = ensure_ascii_for(os.environ.get("AWS_EXECUTION_ENV", ""))
        write_frame_fd(proto_out, {"t": "init_error", "error_type": error["errorType"],
                                   "log": capture.drain(), "mem": max_rss_mb()}, to_json(error, ascii_only))
        os._exit(1)
    write_frame_fd(proto_out, {"t": "ready", "log": capture.drain(), "mem": max_rss_mb()})
    _serve(handler, proto_in, proto_out, capture)


if __name__ == "__main__":
    main()

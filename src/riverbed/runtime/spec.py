"""What the Lambda runtime is asked to run, and what it answers.

Owns: :class:`FunctionSpec` (one function's code and configuration, as the
Lambda API service hands it over) and :class:`InvocationResult` (one
invocation's outcome in the shape the ``Invoke`` API and the event source
mapping pollers both need).

Must not: import anything heavy.  The worker process never imports this
module; the server imports it on every invoke path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from riverbed.runtime import logs

# Largest synchronous response a function may return: 6 MiB + 100 bytes.
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
MAX_RESPONSE_BYTES = 6291556


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    arn: str
    version: str  # "$LATEST" or a published version number
    handler: str  # "module.func", "pkg/sub/module.func" or "pkg.sub.module.func"
    runtime: str  # "python3.9" .. "python3.13"; all run on this machine's Python
    timeout: int  # seconds
    memory_size: int  # MB
    environment: dict[str, str]
    code_sha256: str  # identifies the code; a change retires warm environments
    code_zip: bytes | None = field(repr=False)  # zip archive; None for in-process functions
    revision: str  # changes on any config/code update; a change retires environments
    region: str
    account: str
    reserved_concurrency: int | None = None  # None = unreserved
    log_group: str = ""  # "/aws/lambda/<name>"
    role: str = ""  # the execution role's ARN: the workers run with a session of it
    log_format: str = "Text"  # LoggingConfig.LogFormat: Text | JSON
    application_log_level: str = "INFO"  # JSON format only: TRACE DEBUG INFO WARN ERROR FATAL
    system_log_level: str = "INFO"  # JSON format only: DEBUG INFO WARN

    @property
    def log_group_name(self) -> str:
        return self.log_group or f"/aws/lambda/{self.name}"


@dataclass
class InvocationResult:
    request_id: str
    payload: bytes  # JSON bytes of the handler's return value, or of the error object
    function_error: str | None  # None or "Unhandled"
    log_text: str  # this invocation's whole log incl. START/END/REPORT
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None  # set on a cold start
    max_memory_used_mb: int
    executed_version: str  # "$LATEST"
    # The AWS error type when function_error is set ("ValueError", "Sandbox.Timedout",
    # "Runtime.ExitError", ...), so callers need not parse ``payload``.
    error_type: str | None = None
    # The execution environment's log stream (``2024/01/31/[$LATEST]<32 hex>``) and its INIT output on
    # a cold start, so the caller can write ``log_text`` where CloudWatch Logs would hold it.
    log_stream: str = ""
    init_log: str = ""


@dataclass
class Outcome:
    """What an execution environment (worker process or in-process thread) reports for one invocation.

    Internal to the runtime: the pool turns it into an :class:`InvocationResult`.
    """

    body: bytes  # response bytes, or the error object's JSON
    error_type: str | None  # None on success
    output: str  # what the function printed during this invocation
    max_memory_used_mb: int
    status: str | None = None  # REPORT "Status:" for platform-level failures ("timeout", "error")
    platform_log: str = ""  # lines the platform adds after the output (timeout, runtime exit)
    alive: bool = True  # False when the environment is gone (timeout, crash, init failure)

    @classmethod
    def timed_out(cls, *, request_id: str, timeout_s: float, elapsed_s: float, timestamp_iso: str,
                  output: str, max_memory_used_mb: int) -> Outcome:
        """The platform's answer when the handler outlives its timeout (the environment is killed)."""
        message = f"RequestId: {request_id} Error: Task timed out after {float(timeout_s):.2f} seconds"
        return cls(body=platform_error("Sandbox.Timedout", message), error_type="Sandbox.Timedout",
                   output=output, max_memory_used_mb=max_memory_used_mb, status="timeout",
                   platform_log=logs.timeout_line(timestamp_iso, request_id, elapsed_s), alive=False)

    @classmethod
    def exited(cls, *, request_id: str, reason: str, output: str, max_memory_used_mb: int) -> Outcome:
        """The platform's answer when the runtime process ends mid-invocation."""
        message = f"RequestId: {request_id} Error: {reason}"
        return cls(body=platform_error("Runtime.ExitError", message), error_type="Runtime.ExitError",
                   output=output, max_memory_used_mb=max_memory_used_mb, status="error",
                   platform_log=logs.exit_lines(request_id, reason), alive=False)


def platform_error(error_type: str, message: str) -> bytes:
    """An error object written by the Lambda platform itself (compact JSON, type first)."""
    return json.dumps({"errorType": error_type, "errorMessage": message}, separators=(",", ":")).encode()


def response_too_large() -> bytes:
    """The platform's answer to a response over :data:`MAX_RESPONSE_BYTES` (message first, as AWS sends it)."""
    message = f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
    return json.dumps({"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"},
                      separators=(",", ":")).encode()


# Go's names for the signals (the Lambda platform is written in Go and prints ProcessState).
SIGNAL_NAMES = {
    1: "hangup", 2: "interrupt", 3: "quit", 4: "illegal instruction", 5: "trace/breakpoint trap",
    6: "aborted", 7: "bus error", 8: "floating point exception", 9: "killed", 10: "user defined signal 1",
    11: "segmentation fault", 12: "user defined signal 2", 13: "broken pipe", 14: "alarm clock",
    15: "terminated",
}


def exit_reason(returncode: int | None) -> str:
    """``Runtime exited with error: exit status 1`` / ``...: signal: segmentation fault`` / no reason."""
    if not returncode:
        return "Runtime exited without providing a reason"
    if returncode > 0:
        return f"Runtime exited with error: exit status {returncode}"
    return f"Runtime exited with error: signal: {SIGNAL_NAMES.get(-returncode, f'signal {-returncode}')}"

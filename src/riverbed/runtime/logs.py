"""Invocation logs: the platform's lines, the runtime's error block, and a bounded store.

Owns:

* the text of the lines Lambda writes around an invocation -- ``START``,
  ``END``, ``REPORT`` (tab separated, ending in a tab as AWS does), the
  timeout line and the runtime-exit lines -- and of the ``[ERROR]`` block the
  Python runtime prints for an unhandled exception (awslambdaric
  ``log_error``: traceback indentation turned into NO-BREAK SPACEs);
* the billed-duration rule (whole milliseconds rounded up; since
  2025-08-01 the INIT phase of a cold start is billed too);
* :class:`LogStore`, the in-memory per-function log (the stand-in for the
  CloudWatch log group), bounded in entries and bytes, with listeners for
  ``riverbed logs --follow``.

Must not: import asyncio or anything heavy (the worker imports the formatters),
nor do I/O.  Listeners are called synchronously; a failing listener is dropped
from that call, never allowed to fail an invocation.
"""

from __future__ import annotations

import json
import math
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

ERROR_INDENT = "\u00a0"  # NO-BREAK SPACE, as the AWS Python runtime indents traceback lines

LAMBDA_UNHANDLED_EXCEPTION_WARNING = (
    "Unhandled exception. The most likely cause is an issue in the function code. However, in rare "
    "cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed "
    "runtimes, runtime updates can be triggered by a function change, or can be applied automatically. "
    "To determine if the runtime has been updated, check the runtime version in the INIT_START log "
    "entry. If this error correlates with a change in the runtime version, you may be able to mitigate "
    "this error by temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}\n"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}\n"


def billed_duration(duration_ms: float, init_duration_ms: float | None = None) -> int:
    """Whole milliseconds, rounded up; a cold start's INIT phase is billed too (AWS, since 2025-08-01)."""
    total = duration_ms + (init_duration_ms or 0.0)
    return max(1, math.ceil(round(total, 6)))


def report_line(request_id: str, *, duration_ms: float, billed_duration_ms: int, memory_size: int,
                max_memory_used_mb: int, init_duration_ms: float | None = None,
                status: str | None = None, error_type: str | None = None) -> str:
    """``REPORT RequestId: ...\\tDuration: 1.23 ms\\t...\\t`` + newline, as CloudWatch shows it."""
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed_duration_ms} ms",
        f"Memory Size: {memory_size} MB",
        f"Max Memory Used: {max_memory_used_mb} MB",
    ]
    if init_duration_ms is not None:
        parts.append(f"Init Duration: {init_duration_ms:.2f} ms")
    if status is not None:
        parts.append(f"Status: {status}")
    if error_type is not None:
        parts.append(f"Error Type: {error_type}")
    return "\t".join(parts) + "\t\n"


def timeout_line(timestamp_iso: str, request_id: str, elapsed_seconds: float) -> str:
    """``2024-01-01T00:00:00.000Z <id> Task timed out after 3.00 seconds`` (elapsed, not configured)."""
    return f"{timestamp_iso} {request_id} Task timed out after {elapsed_seconds:.2f} seconds\n"


def exit_lines(request_id: str, reason: str) -> str:
    """What the platform logs when the runtime process dies mid-invocation."""
    return f"RequestId: {request_id} Error: {reason}\nRuntime.ExitError\n"


def _indent_nbsp(line: str) -> str:
    stripped = line.lstrip(" ")
    return ERROR_INDENT * (len(line) - len(stripped)) + stripped


def error_block(error: dict[str, Any]) -> str:
    """The Python runtime's ``[ERROR] Type: message`` + traceback block for an error object."""
    head = "[ERROR]"
    error_type = error.get("errorType")
    message = error.get("errorMessage")
    if error_type:
        head += " " + error_type
    if message:
        if error_type:
            head += ":"
        head += " " + message
    lines = [head]
    stack = error.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            if element == "":
                lines.append("")
                continue
            lines.extend(_indent_nbsp(line) for line in element.splitlines())
    return "\n".join(lines) + "\n"


LogListener = Callable[[str, str], None]


class LogStore:
    """Recent invocation logs per function, oldest first, bounded in count and bytes."""

    def __init__(self, max_entries: int = 1000, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: dict[str, deque[str]] = {}
        self._sizes: dict[str, int] = {}
        self._listeners: list[LogListener] = []
        self._lock = threading.Lock()

    def append(self, function_name: str, text: str) -> None:
        with self._lock:
            entries = self._entries.setdefault(function_name, deque())
            entries.append(text)
            size = self._sizes.get(function_name, 0) + len(text)
            while entries and (len(entries) > self.max_entries or size > self.max_bytes) and len(entries) > 1:
                size -= len(entries.popleft())
            self._sizes[function_name] = size
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(function_name, text)
            except Exception:
                pass

    def recent(self, function_name: str) -> list[str]:
        with self._lock:
            return list(self._entries.get(function_name, ()))

    def forget(self, function_name: str) -> None:
        with self._lock:
            self._entries.pop(function_name, None)
            self._sizes.pop(function_name, None)

    def add_listener(self, listener: LogListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: LogListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)


# --- LoggingConfig.LogFormat JSON -------------------------------------------------------------------------
# https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html: with the JSON format
# the platform writes its lines as structured records (``platform.start``, ``platform.runtimeDone``,
# ``platform.report``; the telemetry API's shapes, https://docs.aws.amazon.com/lambda/latest/dg/
# telemetry-schema-reference.html), all at INFO, kept only when SystemLogLevel lets INFO through; an
# application line that is a JSON object with a ``level`` below ApplicationLogLevel is dropped (the
# Python runtime's own JSON logging records carry ``level``); other application lines pass unchanged.

LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
_LEVEL_ALIASES = {"WARNING": "WARN", "CRITICAL": "FATAL"}


def level_rank(level: str) -> int:
    """Position of a log level in AWS's order (unknown levels rank as INFO)."""
    name = _LEVEL_ALIASES.get(level.upper(), level.upper())
    return LEVELS.index(name) if name in LEVELS else LEVELS.index("INFO")


def _application_line_kept(line: str, threshold: int) -> bool:
    if not line.startswith("{"):
        return True
    try:
        record = json.loads(line)
    except ValueError:
        return True
    level = record.get("level") if isinstance(record, dict) else None
    return not isinstance(level, str) or level_rank(level) >= threshold


def json_invocation_log(request_id: str, version: str, output: str, *, time_iso: str, status: str | None,
                        duration_ms: float, billed_duration_ms: int, memory_size: int, max_memory_used_mb: int,
                        init_duration_ms: float | None, error_type: str | None, produced_bytes: int,
                        application_level: str, system_level: str) -> str:
    """One invocation's log in the JSON format: platform records around the (filtered) application lines."""
    stamp = time_iso
    outcome = status or ("failure" if error_type else "success")
    platform_kept = level_rank(system_level) <= level_rank("INFO")
    threshold = level_rank(application_level)
    lines: list[str] = []
    if platform_kept:
        lines.append(json.dumps({"time": stamp, "type": "platform.start",
                                 "record": {"requestId": request_id, "version": version}}))
    lines.extend(line for line in output.splitlines() if _application_line_kept(line, threshold))
    if platform_kept:
        lines.append(json.dumps({"time": stamp, "type": "platform.runtimeDone", "record": {
            "requestId": request_id, "status": outcome,
            "metrics": {"durationMs": round(duration_ms, 3), "producedBytes": produced_bytes}}}))
        metrics: dict[str, Any] = {"durationMs": round(duration_ms, 3), "billedDurationMs": billed_duration_ms,
                                   "memorySizeMB": memory_size, "maxMemoryUsedMB": max_memory_used_mb}
        if init_duration_ms is not None:
            metrics["initDurationMs"] = round(init_duration_ms, 3)
        record: dict[str, Any] = {"requestId": request_id, "metrics": metrics, "status": outcome}
        if error_type and outcome != "success":
            record["errorType"] = error_type
        lines.append(json.dumps({"time": stamp, "type": "platform.report", "record": record}))
    return "".join(line + "\n" for line in lines)

"""The Lambda runtime: execution environments, concurrency, throttles and reaping.

Owns: :class:`Runtime` -- the one invoker that both the ``Invoke`` API and the
event source mapping pollers call -- and :class:`Environment`, one worker
process (``python -m riverbed.runtime.child``) that has imported a function's
handler and is reused while warm.  It unpacks code once per ``CodeSha256``,
builds each environment's variables the way AWS does, admits or throttles
invocations (reserved concurrency, account limit), detects cold starts,
enforces timeouts by killing the worker's process group, turns crashes into
``Runtime.ExitError``, writes START/END/REPORT around each invocation's
output, and keeps the per-function log store.

Choices, and why:

* Admission counts *in-flight invocations*, as AWS's concurrency does: idle
  warm environments cost nothing.  A function with reserved concurrency N
  never has more than N in flight; unreserved functions share the account
  limit minus every reservation this runtime has seen.  A full function is
  throttled at once (``TooManyRequestsException``), never queued -- the
  trigger runtime retries throttles itself.
* Environments are keyed by function name + version and remember the code
  hash and revision they were started with; one whose code or configuration
  is out of date is never reused and is killed as soon as it is idle.
* ``retire()`` kills idle environments at once and lets in-flight invocations
  finish (their environments are killed when they return); it does not wait
  for them, so deleting a function never blocks on a 15-minute handler.
* Timeouts are real time (``loop.call_later``), durations use
  ``clock.monotonic()``, timestamps ``clock.now()``.

Must not: run user code in this process (except registered in-process
callables, see ``inprocess.py``), block the event loop (zip extraction runs in
a thread), or wait for capacity.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import signal
import sys
import tempfile
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import riverbed
from riverbed import errors
from riverbed.clock import Clock, iso8601_millis
from riverbed.runtime import inprocess, logs
from riverbed.runtime.child import ensure_ascii_for
from riverbed.runtime.context import LambdaContext
from riverbed.runtime.protocol import encode_frame, read_frame
from riverbed.runtime.spec import (
    MAX_RESPONSE_BYTES,
    FunctionSpec,
    InvocationResult,
    Outcome,
    exit_reason,
    response_too_large,
)

# AWS gives the INIT phase 10 s, then retries it within the invocation under the function timeout.
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib
INIT_TIMEOUT_S = 10.0

# Variables passed through from the server's own environment (nothing else leaks).
PASSTHROUGH_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT")

THROTTLE_MESSAGE = "Rate Exceeded."
RESERVED_LIMIT_REASON = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_LIMIT_REASON = "ConcurrentInvocationLimitExceeded"


class _InitFailed(Exception):
    def __init__(self, outcome: Outcome, init_ms: float) -> None:
        super().__init__(outcome.error_type)
        self.outcome = outcome
        self.init_ms = init_ms


def _capture_file() -> int:
    """An anonymous read/write file for a worker's fds 1 and 2 (close-on-exec in this process)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("riverbed-lambda-output")
    fd, path = tempfile.mkstemp(prefix="riverbed-lambda-output-")
    os.unlink(path)
    return fd


def _read_capture(fd: int) -> str:
    if fd < 0:
        return ""
    try:
        size = os.fstat(fd).st_size
        data = os.pread(fd, size, 0) if size else b""
    except OSError:
        return ""
    return data.decode("utf-8", errors="replace")


class Environment:
    """One worker process serving one function version, one invocation at a time."""

    def __init__(self, spec: FunctionSpec, log_stream: str) -> None:
        self.function_name = spec.name
        self.version = spec.version
        self.code_sha256 = spec.code_sha256
        self.revision = spec.revision
        self.log_stream = log_stream
        self.state = "starting"  # starting -> idle <-> busy -> dead
        self.retired = False
        self.last_used = 0.0
        self.max_memory_used_mb = 0
        self.proc: asyncio.subprocess.Process | None = None
        self._capture_fd = -1

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def serves(self, spec: FunctionSpec) -> bool:
        return (not self.retired and self.version == spec.version and self.code_sha256 == spec.code_sha256
                and self.revision == spec.revision)

    async def start(self, *, code_dir: Path, variables: dict[str, str], request_id: str, timeout_s: float,
                    clock: Clock) -> tuple[float, str]:
        """Spawn the worker and wait until the handler is imported: ``(init_ms, init_output)``.

        Raises :class:`_InitFailed` with the invocation's outcome when init fails.
        """
        self._capture_fd = _capture_file()
        started = clock.monotonic()
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "riverbed.runtime.child", cwd=str(code_dir), env=variables,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=self._capture_fd,
                start_new_session=True)
        except BaseException:
            self._close_capture()
            self.state = "dead"
            raise
        meta, body, timed_out = await self._receive(max(INIT_TIMEOUT_S, timeout_s))
        init_ms = (clock.monotonic() - started) * 1000.0
        if meta is not None and meta.get("t") == "ready":
            self.state = "idle"
            self.max_memory_used_mb = meta.get("mem", 0)
            return init_ms, meta.get("log", "")
        if meta is not None and meta.get("t") == "init_error":
            await self.kill()
            outcome = Outcome(body=body, error_type=meta.get("error_type"), output=meta.get("log", ""),
                              max_memory_used_mb=meta.get("mem", 0), status="error", alive=False)
            raise _InitFailed(outcome, init_ms)
        raise _InitFailed(await self._gone(request_id, timed_out, timeout_s, started, clock), init_ms)

    async def invoke(self, request_id: str, payload: bytes, *, arn: str, timeout_s: float,
                     clock: Clock) -> Outcome:
        assert self.proc is not None and self.proc.stdin is not None
        self.state = "busy"
        started = clock.monotonic()
        frame = encode_frame({"t": "invoke", "id": request_id, "arn": arn,
                              "timeout_ms": int(timeout_s * 1000)}, payload)
        try:
            self.proc.stdin.write(frame)
        except (ConnectionError, RuntimeError):
            pass  # the worker is gone; _receive sees EOF
        meta, body, timed_out = await self._receive(timeout_s, drain=True)
        if meta is not None and meta.get("t") == "result":
            self.max_memory_used_mb = meta.get("mem", self.max_memory_used_mb)
            if timed_out:  # the answer raced the timer; the worker is being killed anyway
                await self.kill()
            return Outcome(body=body, error_type=meta.get("error_type"), output=meta.get("log", ""),
                           max_memory_used_mb=self.max_memory_used_mb, alive=not timed_out)
        return await self._gone(request_id, timed_out, timeout_s, started, clock)

    async def _receive(self, timeout_s: float, drain: bool = False) -> tuple[dict[str, Any] | None, bytes, bool]:
        """Read one frame, killing the worker if it takes longer than ``timeout_s`` real seconds."""
        assert self.proc is not None and self.proc.stdout is not None and self.proc.stdin is not None
        timed_out = False

        def expire() -> None:
            nonlocal timed_out
            timed_out = True
            self._signal_kill()

        timer = asyncio.get_running_loop().call_later(timeout_s, expire)
        try:
            if drain:
                await self.proc.stdin.drain()
            meta, body = await read_frame(self.proc.stdout)
            return meta, body, timed_out
        except (asyncio.IncompleteReadError, ConnectionError):
            return None, b"", timed_out
        finally:
            timer.cancel()

    async def _gone(self, request_id: str, timed_out: bool, timeout_s: float, started: float,
                    clock: Clock) -> Outcome:
        """The worker died (or was killed for its timeout): the platform's answer."""
        assert self.proc is not None
        returncode = await self.proc.wait()
        self._signal_kill()  # orphans of a crashed worker
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        output = _read_capture(self._capture_fd)
        self._close_capture()
        self.state = "dead"
        if timed_out:
            return Outcome.timed_out(request_id=request_id, timeout_s=timeout_s,
                                     elapsed_s=clock.monotonic() - started,
                                     timestamp_iso=iso8601_millis(clock.now()), output=output,
                                     max_memory_used_mb=self.max_memory_used_mb)
        return Outcome.exited(request_id=request_id, reason=exit_reason(returncode), output=output,
                              max_memory_used_mb=self.max_memory_used_mb)

    def _signal_kill(self) -> None:
        """SIGKILL the worker's process group: the worker and any subprocess its handler started.

        Also sent after the worker itself has exited, so that its orphans do not outlive it; the
        group id is the worker's pid, which Linux does not hand out again while the group has members.
        """
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            if self.proc.returncode is None:
                try:
                    self.proc.kill()
                except ProcessLookupError:
                    pass

    async def kill(self) -> None:
        """Stop the worker (idempotent)."""
        self.state = "dead"
        if self.proc is not None:
            self._signal_kill()
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            await self.proc.wait()
        self._close_capture()

    def _close_capture(self) -> None:
        if self._capture_fd >= 0:
            os.close(self._capture_fd)
            self._capture_fd = -1


class _Function:
    """Everything the runtime tracks for one function name (all its versions)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.reserved: int | None = None
        self.in_flight = 0
        self.environments: list[Environment] = []
        self.cold_starts = 0
        self.invocations = 0
        self.throttles = 0
        self.errors = 0
        self.inprocess_cold = True
        self.inprocess_func: Callable[..., Any] | None = None  # the callable its warm "environment" ran
        self.inprocess_stream = ""


class Runtime:
    """Runs Lambda functions in warm worker processes (or registered in-process callables)."""

    def __init__(self, *, clock: Clock, work_dir: Path, endpoint_url: Callable[[], str],
                 account_concurrency: int = 1000, idle_seconds: float = 300.0,
                 credentials: tuple[str, ...] = ("test", "test")) -> None:
        self.clock = clock
        self.work_dir = Path(work_dir)
        self.endpoint_url = endpoint_url
        self.account_concurrency = account_concurrency
        self.idle_seconds = idle_seconds
        self.credentials = credentials
        # The execution role's temporary credentials for a new environment (Lambda hands this over);
        # None: every worker gets ``credentials``.
        self.credentials_for: Callable[[FunctionSpec], tuple[str, ...]] | None = None
        self.log_store = logs.LogStore()
        self._functions: dict[str, _Function] = {}
        self._inprocess: dict[str, Callable[..., Any]] = {}
        self._unreserved_in_flight = 0
        self._code_locks: dict[str, asyncio.Lock] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._closed = False

    # --- public API ---------------------------------------------------------------

    async def invoke(self, spec: FunctionSpec, payload: bytes, *,
                     request_id: str | None = None) -> InvocationResult:
        """Run one invocation; raises ``TooManyRequestsException`` when no concurrency is left."""
        if self._closed:
            raise errors.ServiceException("The Lambda runtime is shutting down.")
        request_id = request_id or str(uuid.uuid4())
        payload = payload or b"{}"  # an Invoke without a payload delivers {}
        fn = self._function(spec.name)
        fn.reserved = spec.reserved_concurrency
        unreserved = self._admit(fn)
        fn.invocations += 1
        try:
            if spec.name in self._inprocess:
                result = await self._invoke_inprocess(fn, spec, payload, request_id)
            else:
                result = await self._invoke_worker(fn, spec, payload, request_id)
        finally:
            fn.in_flight -= 1
            if unreserved:
                self._unreserved_in_flight -= 1
        if result.function_error:
            fn.errors += 1
        return result

    def register_inprocess(self, function_name: str, func: Callable[..., Any]) -> None:
        """Run ``function_name`` as ``func(event, context)`` in a thread of this process.

        Safe to call from any thread; the next invocation is a cold start.
        """
        self._inprocess[function_name] = func

    def unregister_inprocess(self, function_name: str) -> None:
        self._inprocess.pop(function_name, None)

    async def retire(self, function_name: str) -> None:
        """Retire every environment of the function: idle ones die now, busy ones when they return."""
        fn = self._functions.get(function_name)
        if fn is None:
            return
        fn.inprocess_cold = True
        idle = []
        for env in fn.environments:
            env.retired = True
            if env.state == "idle":
                idle.append(env)
        for env in idle:
            fn.environments.remove(env)
        await asyncio.gather(*(env.kill() for env in idle))

    async def reap_once(self) -> int:
        """Kill environments idle for longer than ``idle_seconds``; returns how many."""
        now = self.clock.monotonic()
        victims: list[Environment] = []
        for fn in self._functions.values():
            for env in list(fn.environments):
                if env.state == "idle" and now - env.last_used > self.idle_seconds:
                    fn.environments.remove(env)
                    env.state = "dead"
                    victims.append(env)
        await asyncio.gather(*(env.kill() for env in victims))
        return len(victims)

    def stats(self, function_name: str) -> dict[str, int]:
        fn = self._functions.get(function_name)
        if fn is None:
            return {"environments": 0, "busy": 0, "cold_starts": 0, "invocations": 0, "throttles": 0,
                    "errors": 0}
        return {
            "environments": sum(1 for env in fn.environments if env.state != "dead"),
            "busy": fn.in_flight,
            "cold_starts": fn.cold_starts,
            "invocations": fn.invocations,
            "throttles": fn.throttles,
            "errors": fn.errors,
        }

    def logs(self, function_name: str) -> list[str]:
        """Recent log text of the function (one entry per invocation), oldest first."""
        return self.log_store.recent(function_name)

    def add_log_listener(self, cb: Callable[[str, str], None]) -> None:
        """``cb(function_name, text)`` after every invocation (from the event loop's thread)."""
        self.log_store.add_listener(cb)

    def remove_log_listener(self, cb: Callable[[str, str], None]) -> None:
        self.log_store.remove_listener(cb)

    async def close(self) -> None:
        """Kill every worker (in-flight invocations end with Runtime.ExitError)."""
        self._closed = True
        envs = [env for fn in self._functions.values() for env in fn.environments]
        for fn in self._functions.values():
            fn.environments.clear()
        await asyncio.gather(*(env.kill() for env in envs), return_exceptions=True)
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        inprocess.uninstall_streams()

    # --- admission -----------------------------------------------------------------

    def _function(self, name: str) -> _Function:
        fn = self._functions.get(name)
        if fn is None:
            fn = self._functions[name] = _Function(name)
        return fn

    def _admit(self, fn: _Function) -> bool:
        """Take one unit of concurrency or throttle.  Returns whether it came from the unreserved pool."""
        if fn.reserved is not None:
            if fn.in_flight >= fn.reserved:
                fn.throttles += 1
                raise errors.TooManyRequestsException(THROTTLE_MESSAGE, extra={"Reason": RESERVED_LIMIT_REASON})
            fn.in_flight += 1
            return False
        reserved_total = sum(f.reserved for f in self._functions.values() if f.reserved is not None)
        if self._unreserved_in_flight >= self.account_concurrency - reserved_total:
            fn.throttles += 1
            raise errors.TooManyRequestsException(THROTTLE_MESSAGE, extra={"Reason": ACCOUNT_LIMIT_REASON})
        fn.in_flight += 1
        self._unreserved_in_flight += 1
        return True

    # --- worker invocations ------------------------------------------------------

    async def _invoke_worker(self, fn: _Function, spec: FunctionSpec, payload: bytes,
                             request_id: str) -> InvocationResult:
        if spec.code_zip is None:
            raise errors.ServiceException(f"Function {spec.name} has no code and no in-process callable.")
        env = self._take_warm(fn, spec)
        init_ms: float | None = None
        init_output = ""
        if env is None:
            code_dir = await self._code_dir(spec)
            env = Environment(spec, self._log_stream_name(spec.version))
            fn.environments.append(env)
            fn.cold_starts += 1
            try:
                init_ms, init_output = await env.start(
                    code_dir=code_dir, variables=self._variables(spec, code_dir, env.log_stream),
                    request_id=request_id, timeout_s=spec.timeout, clock=self.clock)
            except _InitFailed as failure:
                self._drop(fn, env)
                return self._finish(spec, request_id, failure.outcome, duration_ms=failure.init_ms,
                                    init_ms=None, init_output="", log_stream=env.log_stream)
            except BaseException:
                self._drop(fn, env)
                raise
        started = self.clock.monotonic()
        try:
            outcome = await env.invoke(request_id, payload, arn=spec.arn, timeout_s=spec.timeout,
                                       clock=self.clock)
        except BaseException:
            self._drop(fn, env)
            self._in_background(env.kill())
            raise
        duration_ms = (self.clock.monotonic() - started) * 1000.0
        env.last_used = self.clock.monotonic()
        if outcome.alive and env.state == "busy" and env.serves(spec) and not self._closed:
            env.state = "idle"
        else:
            self._drop(fn, env)
            if env.state != "dead":
                self._in_background(env.kill())
        return self._finish(spec, request_id, outcome, duration_ms=duration_ms, init_ms=init_ms,
                            init_output=init_output, log_stream=env.log_stream)

    def _take_warm(self, fn: _Function, spec: FunctionSpec) -> Environment | None:
        """The most recently used idle environment for this code and configuration, if any.

        Idle environments of the same version with older code or configuration are killed here.
        """
        chosen = None
        for env in reversed(fn.environments):
            if env.state != "idle":
                continue
            if env.serves(spec):
                if chosen is None:
                    chosen = env
            elif env.version == spec.version or env.retired:
                env.retired = True
                self._drop(fn, env)
                self._in_background(env.kill())
        if chosen is not None:
            chosen.state = "busy"
        # Busy environments of an older revision die when their invocation returns.
        for env in fn.environments:
            if env.version == spec.version and not env.serves(spec):
                env.retired = True
        return chosen

    def _drop(self, fn: _Function, env: Environment) -> None:
        if env in fn.environments:
            fn.environments.remove(env)

    def _in_background(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- in-process invocations --------------------------------------------------

    async def _invoke_inprocess(self, fn: _Function, spec: FunctionSpec, payload: bytes,
                                request_id: str) -> InvocationResult:
        init_ms = None
        func = self._inprocess[spec.name]
        if fn.inprocess_cold or fn.inprocess_func is not func:
            init_started = self.clock.monotonic()
            fn.inprocess_cold = False
            fn.inprocess_func = func
            fn.cold_starts += 1
            fn.inprocess_stream = self._log_stream_name(spec.version)
            init_ms = (self.clock.monotonic() - init_started) * 1000.0
        context = LambdaContext(
            aws_request_id=request_id, function_name=spec.name, function_version=spec.version,
            invoked_function_arn=spec.arn, memory_limit_in_mb=spec.memory_size,
            log_group_name=spec.log_group_name, log_stream_name=fn.inprocess_stream,
            timeout_ms=spec.timeout * 1000)
        started = self.clock.monotonic()
        outcome = await inprocess.run_inprocess(
            func, payload, request_id=request_id, context=context,
            timeout_s=spec.timeout, ensure_ascii=ensure_ascii_for(f"AWS_Lambda_{spec.runtime}"))
        elapsed = self.clock.monotonic() - started
        if outcome.status == "timeout":
            fn.inprocess_cold = True  # AWS would start a fresh environment next time
            outcome = Outcome.timed_out(request_id=request_id, timeout_s=spec.timeout, elapsed_s=elapsed,
                                        timestamp_iso=iso8601_millis(self.clock.now()),
                                        output=outcome.output, max_memory_used_mb=outcome.max_memory_used_mb)
        return self._finish(spec, request_id, outcome, duration_ms=elapsed * 1000.0, init_ms=init_ms,
                            init_output="", log_stream=fn.inprocess_stream)

    # --- results and logs ----------------------------------------------------------

    def _finish(self, spec: FunctionSpec, request_id: str, outcome: Outcome, *, duration_ms: float,
                init_ms: float | None, init_output: str, log_stream: str = "") -> InvocationResult:
        if outcome.error_type is None and len(outcome.body) > MAX_RESPONSE_BYTES:
            outcome = Outcome(body=response_too_large(), error_type="Function.ResponseSizeTooLarge",
                              output=outcome.output, max_memory_used_mb=outcome.max_memory_used_mb,
                              alive=outcome.alive)
        billed = logs.billed_duration(duration_ms, init_ms)
        output = outcome.output
        if output and not output.endswith("\n"):
            output += "\n"
        if spec.log_format == "JSON":
            log_text = logs.json_invocation_log(
                request_id, spec.version, output + outcome.platform_log, time_iso=iso8601_millis(self.clock.now()),
                status=outcome.status, duration_ms=duration_ms, billed_duration_ms=billed,
                memory_size=spec.memory_size, max_memory_used_mb=outcome.max_memory_used_mb,
                init_duration_ms=init_ms, error_type=outcome.error_type, produced_bytes=len(outcome.body),
                application_level=spec.application_log_level, system_level=spec.system_log_level)
        else:
            report = logs.report_line(
                request_id, duration_ms=duration_ms, billed_duration_ms=billed, memory_size=spec.memory_size,
                max_memory_used_mb=outcome.max_memory_used_mb, init_duration_ms=init_ms, status=outcome.status,
                error_type=outcome.error_type if outcome.status == "error" else None)
            log_text = (logs.start_line(request_id, spec.version) + output + outcome.platform_log
                        + logs.end_line(request_id) + report)
        if init_output and not init_output.endswith("\n"):
            init_output += "\n"
        self.log_store.append(spec.name, init_output + log_text)
        return InvocationResult(
            request_id=request_id, payload=outcome.body,
            function_error="Unhandled" if outcome.error_type else None, log_text=log_text,
            duration_ms=duration_ms, billed_duration_ms=billed, init_duration_ms=init_ms,
            max_memory_used_mb=outcome.max_memory_used_mb, executed_version=spec.version,
            error_type=outcome.error_type, log_stream=log_stream, init_log=init_output)

    def _log_stream_name(self, version: str) -> str:
        """``2024/01/31/[$LATEST]<32 hex>``: one stream per environment."""
        return f"{self.clock.utcnow():%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"

    # --- code and environment variables ------------------------------------------

    async def _code_dir(self, spec: FunctionSpec) -> Path:
        """``work_dir/<code hash>/``, unzipped once per CodeSha256 (extract to a temp dir, then rename)."""
        assert spec.code_zip is not None
        target = self.work_dir / _code_key(spec.code_sha256)
        if target.is_dir():
            return target
        lock = self._code_locks.setdefault(target.name, asyncio.Lock())
        async with lock:
            if not target.is_dir():
                await asyncio.to_thread(_extract_zip, spec.code_zip, target)
        return target

    def _variables(self, spec: FunctionSpec, code_dir: Path, log_stream: str) -> dict[str, str]:
        """The worker's whole environment, as AWS sets it (reserved variables cannot be overridden)."""
        variables = {name: os.environ[name] for name in PASSTHROUGH_VARIABLES if name in os.environ}
        variables.setdefault("LANG", "en_US.UTF-8")
        variables["TZ"] = ":UTC"
        variables["AWS_ENDPOINT_URL"] = self.endpoint_url()
        variables.update(spec.environment)
        variables["PYTHONPATH"] = _python_path(variables.get("PYTHONPATH") or os.environ.get("PYTHONPATH"))
        credentials = self.credentials_for(spec) if self.credentials_for is not None else self.credentials
        access_key, secret_key = credentials[0], credentials[1]
        session_token = credentials[2] if len(credentials) > 2 else "test"
        variables.update({
            "_HANDLER": spec.handler,
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            **({"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": spec.application_log_level}
               if spec.log_format == "JSON" else {}),
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_SESSION_TOKEN": session_token,
            "LAMBDA_TASK_ROOT": str(code_dir),
            "LAMBDA_RUNTIME_DIR": str(_RIVERBED_ROOT / "riverbed" / "runtime"),
            "PWD": str(code_dir),
        })
        return variables


_RIVERBED_ROOT = Path(riverbed.__file__).resolve().parent.parent


def _python_path(existing: str | None) -> str:
    """Keep the given PYTHONPATH and make sure the worker can import riverbed itself."""
    parts = [p for p in (existing or "").split(os.pathsep) if p]
    root = str(_RIVERBED_ROOT)
    if root not in parts:
        parts.append(root)
    return os.pathsep.join(parts)


def _code_key(code_sha256: str) -> str:
    """A directory name for a CodeSha256 (base64: '/' and '+' are not path-safe)."""
    key = code_sha256.replace("/", "_").replace("+", "-").rstrip("=")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", key):
        key = hashlib.sha256(code_sha256.encode()).hexdigest()
    return key


def _extract_zip(data: bytes, target: Path) -> None:
    import io
    import zipfile

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                path = archive.extract(info, tmp)  # strips absolute paths and '..'
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    os.chmod(path, mode | 0o400)
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process unpacked it first
    except zipfile.BadZipFile as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise errors.ServiceException(f"Could not unzip the function code: {exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

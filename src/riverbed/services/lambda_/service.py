"""The Lambda service object: the state its operations share and its in-process API.

Owns: the one invoker (``run``) that the Invoke operation, Event invocations, event source mappings
and SNS deliveries all go through; looking functions up by any name form (``resolve``); building the
runtime's :class:`FunctionSpec` (``spec_for``); registering in-process callables (testing API); and
handing work to the server's event loop when called from another thread.

In-process API (for other services and the testing API; no HTTP involved)::

    lambda_.resolve(ctx | (account, region), name_or_arn) -> function doc | None  (or account, region, name)
    lambda_.spec_for(doc) -> FunctionSpec
    await lambda_.invoke(name_or_arn, payload, account=..., region=...) -> InvocationResult
    lambda_.invoke_async(name_or_arn, payload) -> request id      (Event semantics, retried twice)
    lambda_.register_function(name, callable, **config) -> FunctionConfiguration dict

Other services reach it as :class:`riverbed.core.interfaces.Functions`.

Must not: parse HTTP or render API responses (operations do), or manage worker processes (the runtime).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import random
import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from riverbed import ids
from riverbed.core.context import RequestContext
from riverbed.core.interfaces import (
    Destinations,
    Encryption,
    FunctionLogs,
    MetricsSink,
    ObjectStore,
    RoleGuard,
    Sessions,
)
from riverbed.errors import InvalidParameterValueException, TooManyRequestsException
from riverbed.runtime import FunctionSpec, InvocationResult
from riverbed.services.lambda_ import env_keys, functions, names, policy
from riverbed.services.lambda_.asynchronous import AsyncInvocations
from riverbed.services.lambda_.code import CodeStore
from riverbed.services.lambda_.inprocess import build_inprocess_doc

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.runtime import Runtime
    from riverbed.storage.base import Store

log = logging.getLogger("riverbed.lambda")

_LOG_FEED_ENTRIES = 1000
# How long the session a new execution environment gets lasts (AWS refreshes it while the environment
# lives; an environment is retired long before, after lambda_idle_seconds without work).
WORKER_SESSION_SECONDS = 43200


class LambdaService:
    def __init__(self, store: Store, clock: Clock, settings: Settings, runtime: Runtime, *,
                 roles: RoleGuard | None = None, metrics: MetricsSink | None = None,
                 logs: FunctionLogs | None = None, objects: ObjectStore | None = None,
                 sessions: Sessions | None = None) -> None:
        self.store = store
        self.sessions = sessions      # STS: the execution role's credentials for workers; None: none
        self.roles = roles            # execution-role checks (the --iam mode); None: none
        self.keys: Encryption | None = None   # KMS: environment variables sealed with KMSKeyArn (set by the app)
        # SQS/SNS/S3: where asynchronous invocation records and dead-letter messages go (set by the app)
        self.destinations: Destinations | None = None
        self.metrics = metrics
        self.logs = logs
        self._running: dict[str, int] = {}     # invocations in flight per function (ConcurrentExecutions)
        self.clock = clock
        self.settings = settings
        self.runtime = runtime
        self.code = CodeStore(store)
        self.objects = objects        # S3, for Code.S3Bucket/S3Key (handed over by app.py)
        self.async_invocations = AsyncInvocations(self)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._known: set[str] = set()          # names the runtime may hold environments for
        self._inprocess: set[str] = set()
        self._retiring: set[asyncio.Task[None]] = set()
        self._log_seq = 0
        self._log_feed: dict[str, deque[tuple[int, str]]] = {}
        self._log_lock = threading.Lock()
        runtime.add_log_listener(self._on_log)
        # Other packages' Lambda resources (event source mappings ...) answer TagResource/UntagResource/
        # ListTags through an object with tag(ctx, arn, tags), untag(ctx, arn, keys), list_tags(ctx, arn).
        self.tag_handlers: dict[str, Any] = {}
        # Picks the version an alias with AdditionalVersionWeights runs (weighted, never from the clock).
        self.routing = random.Random()

    # --- lookup ------------------------------------------------------------------------------------
    def resolve(self, *args: Any) -> dict[str, Any] | None:
        """The document a name, partial ARN or ARN (qualified or not) designates, or None.

        Called as ``resolve(ctx, name)``, ``resolve((account, region), name)`` or
        ``resolve(account, region, name)``; a full ARN's own account and region win.
        """
        if len(args) == 3:
            account, region, function_name_or_arn = args
        else:
            where, function_name_or_arn = args
            account, region = (where.account, where.region) if hasattr(where, "account") else where
        ref = names.parse(function_name_or_arn, account, region, check_region=False)
        if ref is None:
            return None
        return functions.get_qualified(self.store, ref, ref.qualifier)

    def resource_policy(self, arn: str) -> str | None:
        """The function's policy (AddPermission statements) as a document, for requests from other accounts."""
        parts = arn.split(":")
        if len(parts) < 7 or parts[2] != "lambda":
            return None
        ref = names.parse(arn, parts[4], parts[3], check_region=False)
        doc = functions.get_policy_holder(self.store, ref) if ref is not None else None
        if not doc or not doc.get("policy"):
            return None
        return json.dumps(policy.document(doc["policy"]))

    def worker_credentials(self, spec: FunctionSpec) -> tuple[str, ...]:
        """What a new execution environment's AWS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN are:
        a session of the execution role named after the function, so a handler's own calls are made as
        ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION``.  Without STS, the function's account id as
        the key (riverbed's convention: a 12-digit key id means that account)."""
        if self.sessions is None or not spec.role:
            return (spec.account, "test", "test")
        return self.sessions.role_credentials(spec.account, spec.role, spec.name, WORKER_SESSION_SECONDS)

    def spec_for(self, doc: dict[str, Any]) -> FunctionSpec:
        reserved = doc.get("reserved_concurrency")
        if doc["version"] != names.LATEST:
            latest = functions.get_function(self.store, functions.ref_of(doc))
            reserved = latest.get("reserved_concurrency") if latest else None
        code_zip = None if doc.get("inprocess") else self.code.get(doc["code_hex"])
        return functions.spec_for(doc, code_zip, reserved)

    # --- invoking -----------------------------------------------------------------------------------
    async def run(self, doc: dict[str, Any], payload: bytes, *, request_id: str | None = None) -> InvocationResult:
        """The one invoker: run ``doc``'s code with ``payload`` (raises TooManyRequestsException on throttle).

        ``doc`` resolved through an alias (``functions.get_qualified`` sets ``alias``) runs with the alias
        ARN as the context's invoked_function_arn, as AWS does (lambda snapshot, test_lambda_alias_moving).
        """
        name = doc["name"]
        self._known.add(name)
        self._running[name] = self._running.get(name, 0) + 1
        self._metric(doc, "ConcurrentExecutions", sum(self._running.values()), self._running[name], "Count")
        try:
            spec = self.spec_for(doc)
            variables = env_keys.open_variables(self.keys, doc)   # KMSKeyArn: opened with the key, or refused
            if variables is not None:
                spec = dataclasses.replace(spec, environment=variables)
            if doc.get("alias"):
                spec = dataclasses.replace(spec, arn=functions.ref_of(doc).arn(doc["alias"]))
            result = await self.runtime.invoke(spec, payload, request_id=request_id)
        except TooManyRequestsException:
            self._metric(doc, "Throttles", 1, 1)
            raise
        finally:
            self._running[name] -= 1
        self._metric(doc, "Invocations", 1, 1)
        # "Invocation metrics are binary indicators of the outcome of an invocation" (Lambda developer guide,
        # types of metrics): Errors is 1 for a function error and 0 otherwise, so its Average is the error rate
        # and Errors / Invocations needs no FILL.
        error = 1 if result.function_error else 0
        self._metric(doc, "Errors", error, error)
        self._metric(doc, "Duration", result.duration_ms, result.duration_ms, "Milliseconds")
        if self.logs is not None and result.log_stream:
            self.logs.write_function_log(doc["account"], doc["region"], functions.log_group(doc), result.log_stream,
                                         result.init_log + result.log_text)
        return result

    def metric(self, doc: dict[str, Any], name: str, value: float) -> None:
        """Count ``value`` in the AWS/Lambda metric ``name`` for the function (DestinationDeliveryFailures ...)."""
        self._metric(doc, name, value, value)

    def _metric(self, doc: dict[str, Any], name: str, overall: float, value: float, unit: str = "Count") -> None:
        """AWS/Lambda data points as AWS reports them: across all functions, per FunctionName, and per
        Resource (``name:qualifier``) with ExecutedVersion for a version.  An invocation through an alias
        is reported under Resource ``name:alias``, alone and with the ExecutedVersion that ran ("Resource:
        function version or alias; ExecutedVersion: only applies to alias invocations",
        https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html)."""
        if self.metrics is None:
            return
        function = doc["name"]
        self.metrics.put("AWS/Lambda", name, {}, overall, unit)
        self.metrics.put("AWS/Lambda", name, {"FunctionName": function}, value, unit)
        if doc.get("alias"):
            resource = f"{function}:{doc['alias']}"
            self.metrics.put("AWS/Lambda", name, {"FunctionName": function, "Resource": resource}, value, unit)
            self.metrics.put("AWS/Lambda", name, {"FunctionName": function, "Resource": resource,
                                                  "ExecutedVersion": doc["version"]}, value, unit)
        elif doc["version"] != names.LATEST:
            self.metrics.put("AWS/Lambda", name, {"FunctionName": function, "Resource": f"{function}:{doc['version']}",
                                                  "ExecutedVersion": doc["version"]}, value, unit)

    async def invoke(self, function_arn_or_name: str, payload: bytes, *, account: str, region: str,
                     request_id: str | None = None) -> InvocationResult:
        """Synchronous (RequestResponse) invocation for in-process callers such as event source mappings.

        Raises ``LambdaResourceNotFoundException`` (404, AWS's text) when the function or version is missing.
        """
        ref = names.parse(function_arn_or_name, account, region, check_region=False)
        if ref is None:
            raise names.not_found(names.FunctionRef(account, region, function_arn_or_name), names.LATEST)
        # Resolved at each call: a mapping on an alias follows UpdateAlias from its next batch on.
        doc = functions.get_qualified(self.store, ref, ref.qualifier, route=self.routing)
        if doc is None:
            raise names.not_found(ref, ref.qualifier or names.LATEST)
        return await self.run(doc, payload, request_id=request_id)

    def invoke_async(self, function_arn_or_name: str, payload: bytes, *, account: str | None = None,
                     region: str | None = None) -> str:
        """Event invocation (SNS -> Lambda, InvocationType=Event): queue it and return its request id.

        Raises ``LambdaResourceNotFoundException`` at once when the function does not exist; function
        errors are retried twice in the background (see ``asynchronous.py``).  Safe from any thread.
        """
        account = account or self.settings.account
        region = region or self.settings.region
        ref = names.parse(function_arn_or_name, account, region, check_region=False)
        if ref is None or functions.get_qualified(self.store, ref, ref.qualifier) is None:
            fallback = ref or names.FunctionRef(account, region, function_arn_or_name)
            raise names.not_found(fallback, fallback.qualifier or names.LATEST)
        request_id = ids.request_id()
        self.call_on_loop(self.async_invocations.submit, ref, payload, request_id)
        return request_id

    # --- testing API ----------------------------------------------------------------------------------
    def register_function(self, name: str, func: Callable[..., Any], **config: Any) -> dict[str, Any]:
        """Create or replace ``name`` as an in-process function running ``func(event, context)``."""
        if not callable(func):
            raise InvalidParameterValueException("register_function needs a callable handler(event, context)")
        if self._off_loop():
            assert self.loop is not None
            future = asyncio.run_coroutine_threadsafe(self._register_async(name, func, config), self.loop)
            return future.result(60)
        doc = self._register(name, func, config)
        self.retire_soon(name)
        return functions.configuration(doc)

    async def _register_async(self, name: str, func: Callable[..., Any], config: dict[str, Any]) -> dict[str, Any]:
        doc = self._register(name, func, config)
        await self.retire(name)
        return functions.configuration(doc)

    def _register(self, name: str, func: Callable[..., Any], config: dict[str, Any]) -> dict[str, Any]:
        account = config.pop("account", None) or self.settings.account
        region = config.pop("region", None) or self.settings.region
        ref = names.FunctionRef(account, region, name)
        existing = functions.get_function(self.store, ref)
        doc = build_inprocess_doc(ref, config, existing, self.clock.now())
        with self.store.transaction() as txn:
            functions.put(txn, doc)
        self.runtime.register_inprocess(name, func)
        self._inprocess.add(name)
        self._known.add(name)
        return doc

    # --- workers ------------------------------------------------------------------------------------------
    async def retire(self, name: str) -> None:
        await self.runtime.retire(name)

    def retire_soon(self, name: str) -> None:
        """Retire warm environments from synchronous code (runs on the server loop when there is one)."""
        self.call_on_loop(self._spawn_retire, name)

    def _spawn_retire(self, name: str) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop yet: no environment can exist either
        task = loop.create_task(self.runtime.retire(name))
        self._retiring.add(task)                    # kept alive until done
        task.add_done_callback(self._retiring.discard)

    def forget_inprocess(self, name: str) -> None:
        if name in self._inprocess:
            self._inprocess.discard(name)
            self.runtime.unregister_inprocess(name)

    def attach_loop(self) -> None:
        """Remember the server's loop (called from a loop task at start-up)."""
        self.loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()

    def call_on_loop(self, func: Callable[..., Any], *args: Any) -> None:
        if self._off_loop():
            assert self.loop is not None
            self.loop.call_soon_threadsafe(func, *args)
        else:
            func(*args)

    def _off_loop(self) -> bool:
        return (self.loop is not None and self.loop.is_running() and not self.loop.is_closed()
                and threading.get_ident() != self._loop_thread)

    def pending_work(self) -> list[str]:
        """What ``app.drain()`` must still wait for: queued or retrying Event invocations."""
        pending = self.async_invocations.pending
        return [f"{pending} Lambda Event invocation(s)"] if pending else []

    # --- logs for ``riverbed logs`` --------------------------------------------------------------------------
    def _on_log(self, function_name: str, text: str) -> None:
        with self._log_lock:
            self._log_seq += 1
            feed = self._log_feed.setdefault(function_name, deque(maxlen=_LOG_FEED_ENTRIES))
            feed.append((self._log_seq, text))

    def logs_since(self, function_name: str, since: int) -> tuple[list[tuple[int, str]], int]:
        """Log entries of a function newer than ``since``, and the newest sequence number."""
        with self._log_lock:
            entries = [e for e in self._log_feed.get(function_name, ()) if e[0] > since]
            return entries, self._log_seq

    # --- lifecycle ----------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Testing API reset: the store is already empty; drop caches, queued events and warm workers."""
        self.code.clear_cache()
        self.async_invocations.cancel_all()
        for name in list(self._inprocess):
            self.forget_inprocess(name)
        for name in list(self._known):
            self.retire_soon(name)
        self._known.clear()
        with self._log_lock:
            self._log_feed.clear()


LambdaContext = RequestContext[LambdaService]

"""The composition root: builds settings, clock, store, services, background tasks and the ASGI app.

Owns: wiring — which component gets which collaborators, in one place and one style: each service
package's ``wiring.build(...)`` returns its service object and a :class:`Component` (descriptions for
the gateway, loops, hooks, drain probes); the calls AWS makes between services are handed over here
as the typed interfaces of :mod:`riverbed.core.interfaces`.  Also the lifecycle of the background
loops, ``drain`` and ``reset``.  ``riverbed serve`` and the in-process testing API both build an
:class:`App`, so they run the same code.

Must not: hold service logic.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from riverbed.clock import Clock, ManualClock, make_clock
from riverbed.config import Settings
from riverbed.core.interfaces import MetricsSink
from riverbed.core.leases import Leases, lease_clock
from riverbed.core.service import Component, Hook, LoopFactory, Probe
from riverbed.errors import ServiceError
from riverbed.metrics import Metrics
from riverbed.protocol.gateway import Gateway
from riverbed.services.cloudwatch import wiring as cloudwatch_wiring
from riverbed.services.dynamodb import wiring as dynamodb_wiring
from riverbed.services.dynamodbstreams import wiring as streams_wiring
from riverbed.services.iam import wiring as iam_wiring
from riverbed.services.iam.enforcement import RoleEnforcement
from riverbed.services.kms import wiring as kms_wiring
from riverbed.services.lambda_ import wiring as lambda_wiring
from riverbed.services.logs import wiring as logs_wiring
from riverbed.services.s3 import wiring as s3_wiring
from riverbed.services.sns import wiring as sns_wiring
from riverbed.services.sqs import wiring as sqs_wiring
from riverbed.services.sts import wiring as sts_wiring
from riverbed.storage import open_store
from riverbed.streams.iterators import IteratorCodec
from riverbed.streams.log import StreamLog
from riverbed.triggers import wiring as triggers_wiring
from riverbed.triggers.destinations import ArnDestinations

log = logging.getLogger("riverbed")

SECRET_DOC = ("secret", "iterator-hmac")
# Background loops that run on one node at a time when several share the store (each under the lease
# ``loop:<name>``); the others (the trigger supervisor, whose pollers take leases of their own, Lambda's
# worker reaper, CloudWatch's flushing of this node's data points) run on every node.
EXCLUSIVE_LOOPS = frozenset({"ttl-sweeper", "replicator", "exporter", "importer", "streams-maintenance",
                             "sqs-retention", "sqs-move-tasks", "logs-retention", "cloudwatch-alarms"})
# Services whose client errors AWS counts in AWS/DynamoDB UserErrors (HTTP 400s, per region).
_USER_ERROR_SERVICES = frozenset({"dynamodb", "dynamodbstreams"})
# "All such events are reflected in the UserErrors metric, except for ProvisionedThroughputExceededException
# (ThrottledRequests) and ConditionalCheckFailedException (ConditionalCheckFailedRequests)": DynamoDB metrics.
_NOT_USER_ERRORS = frozenset({"ProvisionedThroughputExceededException", "ConditionalCheckFailedException"})


class App:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or make_clock(settings.clock)
        self.store = open_store(settings.store, None if settings.memory else settings.data_dir)
        self.endpoint_url = f"http://{settings.host}:{settings.port}"
        self.metrics = Metrics(self.clock)
        # Every data point goes to the /metrics view and to CloudWatch (added once it is built).
        self.metrics_sink = MetricsFanout([self.metrics] if settings.metrics else [])
        self.streams = StreamLog(self.store, self.clock, lineages=settings.stream_shards,
                                 rollover_seconds=settings.shard_rollover_seconds,
                                 retention_seconds=settings.retention_seconds,
                                 event_version=settings.event_version)
        self.leases = Leases(self.store, lease_clock(self.store, self.clock), settings.lease_seconds)
        self.gateway = Gateway(self, on_error=self._count_error)
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False
        self.components: list[Component] = [
            Component("streams", loops=[("streams-maintenance", self._stream_maintenance_loop)],
                      on_reset=[self.streams.reset, self.metrics.reset]),
        ]

        # --- services, each built the same way; cross-service calls go through typed interfaces ---
        sink = self.metrics_sink
        self.s3, s3 = s3_wiring.build(self.store, self.clock, settings)
        self.dynamodb, self.ttl, ddb = dynamodb_wiring.build(self.store, self.clock, self.streams, settings, sink,
                                                             objects=self.s3)
        self.dynamodbstreams, ddb_streams = streams_wiring.build(self.streams, self._iterator_codec(), sink,
                                                                     policies=self.dynamodb.resource_policy,
                                                                     key_check=self.dynamodb.check_stream_key)
        self.sqs, sqs = sqs_wiring.build(self.store, self.clock, sink)
        self.sqs.iam_mode = settings.iam
        self.iam, iam = iam_wiring.build(self.store, self.clock)
        self.sts, sts = sts_wiring.build(self.store, self.clock, permissions=self.iam)
        self.kms, kms = kms_wiring.build(self.store, self.clock)
        self.gateway.identities = self.sts
        self.dynamodb.keys = self.kms
        if settings.iam != "off":
            self.gateway.authorizer = self.iam
            self.gateway.strict = settings.iam == "strict"
        self._auth(settings)
        roles = RoleEnforcement(self.iam, settings.iam)
        self.logs, logs = logs_wiring.build(self.store, self.clock)
        self.lambda_, lam = lambda_wiring.build(self.store, self.clock, settings, lambda: self.endpoint_url,
                                                roles=roles, metrics=sink, logs=self.logs, objects=self.s3,
                                                sessions=self.sts)
        self.lambda_.keys = self.kms
        self.sns, sns = sns_wiring.build(self.store, self.clock, queues=self.sqs, functions=self.lambda_,
                                         endpoint_url=lambda: self.endpoint_url, metrics=sink)
        destinations = ArnDestinations(self.sqs, self.sns, self.s3)
        self.lambda_.destinations = destinations   # asynchronous invocation records, dead-letter messages
        self.triggers, triggers = triggers_wiring.build(
            self.store, self.clock, self.streams, settings, functions=self.lambda_,
            destinations=destinations, metrics=sink, roles=roles, table_keys=self.dynamodb)
        self.cloudwatch, cloudwatch = cloudwatch_wiring.build(
            self.store, self.clock, topics=self.sns, retention_seconds=settings.cloudwatch_retention_seconds)
        if settings.metrics:
            sink.sinks.append(self.cloudwatch)
        self.triggers.leases = self.leases
        roles.resource_policies = {"dynamodb": self.dynamodb.resource_policy, "sqs": self.sqs.resource_policy,
                                   "sns": self.sns.resource_policy}
        self.components += [ddb, ddb_streams, sqs, s3, logs, lam, sns, triggers, cloudwatch, iam, sts, kms]
        for component in self.components:
            for description in component.descriptions:
                self.gateway.register(description)
        from riverbed import control

        control.mount(self)

    # --- wiring helpers -------------------------------------------------------------------------
    def _iterator_codec(self) -> IteratorCodec:
        doc = self.store.get_doc(*SECRET_DOC)
        if doc is None:
            doc = {"hex": os.urandom(32).hex()}
            with self.store.transaction() as txn:
                txn.put_doc(*SECRET_DOC, doc)
        return IteratorCodec(bytes.fromhex(doc["hex"]), self.settings.iterator_ttl_seconds)

    def _auth(self, settings: Settings) -> None:
        """Root keys name their accounts; ``--auth sigv4`` verifies signatures against them, IAM user keys
        and STS sessions (a 12-digit key id signs with the secret "test")."""
        from riverbed.protocol.signing import SignatureVerifier, root_keys

        roots = root_keys(settings.root_credentials, settings.account)
        self.gateway.root_accounts = {key: account for key, (_secret, account) in roots.items()}
        if settings.auth == "off":
            return
        if settings.auth != "sigv4":
            raise ValueError(f"auth must be off or sigv4, not {settings.auth!r}")

        def lookup(access_key: str) -> tuple[str, str, bool] | None:
            if access_key in roots:
                return roots[access_key][0], "", False
            if len(access_key) == 12 and access_key.isdigit():
                return "test", "", False
            return self.sts.signing_secret(access_key)

        self.gateway.verifier = SignatureVerifier(lookup, self.clock.now)

    def _count_error(self, service: str, operation: str, exc: ServiceError) -> None:
        if service in _USER_ERROR_SERVICES and 400 <= exc.status < 500 and exc.code not in _NOT_USER_ERRORS:
            self.metrics_sink.put("AWS/DynamoDB", "UserErrors", {}, 1)

    def _loops(self) -> list[tuple[str, LoopFactory]]:
        return [loop for c in self.components for loop in c.loops]

    def _hooks(self, kind: str) -> list[Hook]:
        return [hook for c in self.components for hook in getattr(c, kind)]

    # --- testing API entry points (the Lambda service's, for convenience) ---------------------------
    def register_function(self, name: str, func: Callable[..., Any], **config: Any) -> dict[str, Any]:
        return self.lambda_.register_function(name, func, **config)

    def invoke_async(self, function_arn_or_name: str, payload: bytes) -> str:
        return self.lambda_.invoke_async(function_arn_or_name, payload)

    # --- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        shared = self.leases.shared
        if shared:
            self._tasks.append(asyncio.create_task(self._heartbeat(), name="riverbed:node-heartbeat"))
        for name, factory in self._loops():
            exclusive = shared and name in EXCLUSIVE_LOOPS
            runner = self._exclusive(name, factory) if exclusive else self._guard(name, factory)
            task = asyncio.create_task(runner, name=f"riverbed:{name}")
            self._tasks.append(task)

    async def _heartbeat(self) -> None:
        while True:
            self.leases.heartbeat()
            await asyncio.sleep(self.leases.ttl / 3)

    async def _exclusive(self, name: str, factory: Callable[[], Awaitable[None]]) -> None:
        """Run a loop only while this node holds its lease; stop it when another node has taken over."""
        lease = f"loop:{name}"
        while True:
            if not self.leases.hold(lease):
                await asyncio.sleep(self.leases.ttl / 3)
                continue
            task = asyncio.create_task(self._guard(name, factory), name=f"riverbed:{name}")
            try:
                while not task.done():
                    await asyncio.wait({task}, timeout=self.leases.ttl / 3)
                    if not task.done() and not self.leases.hold(lease):
                        log.warning("lost the lease of %s to another node; stopping it here", name)
                        task.cancel()
                        await asyncio.wait({task})
            finally:
                task.cancel()
            if not task.cancelled():
                return   # the loop ended by itself

    async def _guard(self, name: str, factory: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await factory()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background loop %s failed; restarting it", name)
                await asyncio.sleep(0.5)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks.clear()
        try:
            self.leases.release_all()   # hand the work over at once rather than after the lease time
        except Exception:
            log.exception("releasing leases failed")
        for hook in self._hooks("on_stop"):
            try:
                result = hook()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("stop hook failed")
        self._started = False

    def close(self) -> None:
        self.store.close()
        self.s3.close()

    async def _stream_maintenance_loop(self) -> None:
        interval = max(1.0, min(self.settings.stream_trim_interval, self.settings.shard_rollover_seconds or 60.0))
        while True:
            await self.clock.sleep(interval)
            self.streams.maintain_once()

    async def drain(self, timeout: float = 30.0) -> None:
        """Return once every enabled mapping has delivered everything and nothing waits to retry.

        With a manual clock, the pipeline's own waits (batching windows, retry backoffs) are
        jumped over; TTL, retention and rollover move only with ``advance()``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet = 0
        while True:
            self.triggers.reconcile_once()
            pending = self.triggers.pending() + self.pending_work()
            if not pending:
                quiet += 1
                if quiet >= 3:   # stable across a few loop turns: no task is about to add work
                    return
            else:
                quiet = 0
                if isinstance(self.clock, ManualClock) and not self.triggers.busy_invoking():
                    self.clock.skip_pipeline_waits()
            if loop.time() > deadline:
                raise TimeoutError("drain() timed out after {:.1f} s; still pending: {}".format(timeout,
                                                                                                "; ".join(pending)))
            await asyncio.sleep(0.002 if not pending else 0.005)

    def pending_work(self) -> list[str]:
        """Work other components still have in flight (asynchronous invocations, deliveries)."""
        probes: list[Probe] = [p for c in self.components for p in c.pending]
        return [what for probe in probes for what in probe()]

    def reset(self) -> None:
        """Drop all state (testing API)."""
        self.store.reset()
        self.leases.forget()
        self.dynamodbstreams.iterators = self._iterator_codec()
        for hook in self._hooks("on_reset"):
            hook()


class MetricsFanout:
    """One :class:`MetricsSink` handing every data point to several (the /metrics view, CloudWatch)."""

    def __init__(self, sinks: list[MetricsSink]) -> None:
        self.sinks = sinks

    def put(self, namespace: str, name: str, dimensions: dict[str, str], value: float, unit: str = "Count") -> None:
        for sink in self.sinks:
            sink.put(namespace, name, dimensions, value, unit)

    def put_values(self, namespace: str, name: str, dimensions: dict[str, str], values: Sequence[float],
                   unit: str = "Count") -> None:
        for sink in self.sinks:
            sink.put_values(namespace, name, dimensions, values, unit)


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    return App(settings, clock)

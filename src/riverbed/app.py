"""The composition root: builds settings, clock, store, services, background tasks and the ASGI app.

Owns: wiring (which object gets which collaborators), the lifecycle of the
background loops (stream retention/rollover, TTL sweeps, trigger pollers,
idle-worker reaping) and ``reset``.  ``riverbed serve`` and the in-process
testing API both build an :class:`App`, so they run the same code.

Must not: hold service logic.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from riverbed.clock import Clock, make_clock
from riverbed.config import Settings
from riverbed.protocol.gateway import Gateway, ServiceSpec
from riverbed.storage import open_store
from riverbed.streams.iterators import IteratorCodec
from riverbed.streams.log import StreamLog

log = logging.getLogger("riverbed")

SECRET_DOC = ("secret", "iterator-hmac")

# Each package's ``wiring.wire(app)`` registers its ServiceSpec, background loops and hooks.
WIRED_SERVICES: tuple[str, ...] = ("sqs", "sns", "lambda_")


class App:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or make_clock(settings.clock)
        self.store = open_store(settings.store, None if settings.memory else settings.data_dir)
        self.streams = StreamLog(self.store, self.clock, lineages=settings.stream_shards,
                                 rollover_seconds=settings.shard_rollover_seconds,
                                 retention_seconds=settings.retention_seconds,
                                 event_version=settings.event_version)
        self.iterators = IteratorCodec(self._secret(), settings.iterator_ttl_seconds)
        self.gateway = Gateway(self)
        self.endpoint_url = f"http://{settings.host}:{settings.port}"
        self._tasks: list[asyncio.Task] = []
        self._loops: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        self._started = False
        self._stop_hooks: list[Callable[[], Any]] = []
        self._reset_hooks: list[Callable[[], Any]] = []
        self._pending_probes: list[Callable[[], list[str]]] = []
        self.counters: dict[str, int] = {}
        self._build_services()

    # --- wiring -----------------------------------------------------------------------------
    def _secret(self) -> bytes:
        doc = self.store.get_doc(*SECRET_DOC)
        if doc is None:
            doc = {"hex": os.urandom(32).hex()}
            with self.store.transaction() as txn:
                txn.put_doc(*SECRET_DOC, doc)
        return bytes.fromhex(doc["hex"])

    def _build_services(self) -> None:
        from riverbed.services.dynamodb.operations import OPERATIONS as DDB_OPS
        from riverbed.services.dynamodb.service import DynamoDB
        from riverbed.services.dynamodbstreams.operations import OPERATIONS as STREAM_OPS

        from riverbed.metrics import Metrics
        from riverbed.services.dynamodb.ttl import TtlSweeper
        from riverbed.triggers.operations import OPERATIONS as ESM_OPS
        from riverbed.triggers.supervisor import Triggers

        self.metrics = Metrics(self.clock)
        self.dynamodb = DynamoDB(self.store, self.clock, self.streams, self.settings)
        self.ttl = TtlSweeper(self)
        self.triggers = Triggers(self)
        self.gateway.register(ServiceSpec("dynamodb", "json", DDB_OPS, target_prefix="DynamoDB_20120810",
                                          error_prefix="com.amazonaws.dynamodb.v20120810#"))
        self.gateway.register(ServiceSpec("dynamodbstreams", "json", STREAM_OPS,
                                          target_prefix="DynamoDBStreams_20120810",
                                          error_prefix="com.amazonaws.dynamodb.v20120810#"))
        from riverbed import control

        control.mount(self)
        self.add_loop("streams-maintenance", self._stream_maintenance_loop)
        self.add_loop("ttl-sweeper", self.ttl.run)
        self.add_loop("triggers", self.triggers.run)
        self.on_stop(self.triggers.stop)
        self.on_reset(self.triggers.reset)
        self.on_reset(self.metrics.reset)
        import importlib

        for package in WIRED_SERVICES:
            module = importlib.import_module(f"riverbed.services.{package}.wiring")
            module.wire(self)
        # Event source mappings are Lambda API actions: they join the Lambda spec (and its validator).
        self.gateway.register(ServiceSpec("lambda", "rest-json", dict(ESM_OPS)))

    def add_loop(self, name: str, factory: Callable[[], Awaitable[None]]) -> None:
        self._loops.append((name, factory))

    # --- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        for name, factory in self._loops:
            task = asyncio.create_task(self._guard(name, factory), name=f"riverbed:{name}")
            self._tasks.append(task)

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
        for hook in list(self._stop_hooks):
            try:
                result = hook()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("stop hook failed")
        self._started = False

    def on_stop(self, hook: Callable[[], Any]) -> None:
        self._stop_hooks.append(hook)

    def on_reset(self, hook: Callable[[], Any]) -> None:
        self._reset_hooks.append(hook)

    def close(self) -> None:
        self.store.close()

    async def _stream_maintenance_loop(self) -> None:
        interval = max(1.0, min(self.settings.stream_trim_interval, self.settings.shard_rollover_seconds or 60.0))
        while True:
            await self.clock.sleep(interval)
            self.streams.maintain_once()

    # --- hooks used by services -------------------------------------------------------------------
    def on_error(self, service: str, ctx: Any, exc: Exception) -> None:
        self.counters["UserErrors"] = self.counters.get("UserErrors", 0) + 1

    def on_table_deleted(self, table: Any) -> None:
        pass

    def metrics_streams_read(self, stream: Any, count: int, size: int) -> None:
        self.counters["ReturnedRecordsCount"] = self.counters.get("ReturnedRecordsCount", 0) + count
        self.counters["ReturnedBytes"] = self.counters.get("ReturnedBytes", 0) + size

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
                if getattr(self.clock, "manual", False) and not self.triggers.busy_invoking():
                    self.clock.skip_pipeline_waits()  # type: ignore[attr-defined]
            if loop.time() > deadline:
                raise TimeoutError("drain() timed out after %.1f s; still pending: %s" % (timeout, "; ".join(pending)))
            await asyncio.sleep(0.002 if not pending else 0.005)

    def pending_work(self) -> list[str]:
        """Work other services still have in flight (asynchronous invocations, deliveries)."""
        out: list[str] = []
        for probe in self._pending_probes:
            out.extend(probe())
        return out

    def add_pending_probe(self, probe: Callable[[], list[str]]) -> None:
        self._pending_probes.append(probe)

    def reset(self) -> None:
        """Drop all state (testing API)."""
        self.store.reset()
        self.streams.reset()
        self.dynamodb.reset()
        self.iterators = IteratorCodec(self._secret(), self.settings.iterator_ttl_seconds)
        for hook in self._reset_hooks:
            hook()


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    return App(settings, clock)

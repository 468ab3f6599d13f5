"""``riverbed.Riverbed``: the whole of riverbed in this process, on an ephemeral port, for tests.

Owns: starting the same server code as ``riverbed serve`` on a background
thread, a manual clock by default, boto3 clients wired to it, ``drain()``,
``register_function()`` and ``reset()`` (README, "Testing").

    with riverbed.Riverbed() as rb:
        ddb = rb.client("dynamodb")
        rb.clock.advance(301)
        rb.drain()

Must not: hold behaviour of its own; everything goes through the app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from riverbed.clock import Clock, ManualClock, SystemClock
from riverbed.config import load_settings
from riverbed.server import BackgroundServer, make_background


class TestClock:
    """The instance's clock as tests see it: ``now()``, ``advance(seconds)`` (manual clocks only)."""

    def __init__(self, clock: Clock, server: Riverbed) -> None:
        self._clock = clock
        self._rb = server

    @property
    def manual(self) -> bool:
        return isinstance(self._clock, ManualClock)

    def now(self) -> float:
        return self._clock.now()

    def advance(self, seconds: float) -> None:
        """Move time forward; everything waiting on time (windows, backoffs, visibility timeouts, TTL
        sweeps, retention, rollover, iterator expiry) wakes in order, as if that time had passed."""
        if not isinstance(self._clock, ManualClock):
            raise RuntimeError("advance() needs a manual clock: Riverbed(clock='manual')")
        from riverbed.control import settle

        self._clock.advance(float(seconds))
        self._rb._call(settle())

    def pending_waits(self) -> int:
        """How many waits on this manual clock have not ended yet.  A test polls this to know that the
        code it drives (a long poll, a backoff) is parked on the clock before it calls :meth:`advance`."""
        if not isinstance(self._clock, ManualClock):
            raise RuntimeError("pending_waits() needs a manual clock: Riverbed(clock='manual')")
        return self._clock.pending_waits()

    def __repr__(self) -> str:
        return f"<riverbed clock now={self.now():.3f} manual={self.manual}>"


class Riverbed:
    __test__ = False  # not a pytest test class

    def __init__(self, *, clock: str | Clock = "manual", data_dir: str | None = None, region: str = "us-east-1",
                 account: str = "000000000000", start: float | None = None, **settings: Any) -> None:
        if isinstance(clock, Clock):
            self._clock = clock
        elif clock == "manual":
            self._clock = ManualClock(start)
        elif clock == "system":
            self._clock = SystemClock()
        else:
            raise ValueError("clock must be 'manual', 'system' or a riverbed.clock.Clock")
        overrides = {"port": 0, "host": "127.0.0.1", "region": region, "account": account,
                     "in_memory": data_dir is None, "data_dir": data_dir or "", "control": True,
                     "clock": "manual" if isinstance(self._clock, ManualClock) else "system"}
        overrides.update(settings)
        self.settings = load_settings(overrides, environ={})
        self.region = region
        self._server: BackgroundServer | None = None
        self.clock = TestClock(self._clock, self)

    # --- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> Riverbed:
        if self._server is None:
            self._server = make_background(self.settings, self._clock)
            self._server.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Riverbed:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def app(self) -> Any:
        if self._server is None:
            raise RuntimeError("Riverbed is not started (use it as a context manager or call start())")
        return self._server.app

    @property
    def endpoint_url(self) -> str:
        return str(self.app.endpoint_url)

    def _call(self, coro: Any, timeout: float | None = None) -> Any:
        if self._server is None:
            raise RuntimeError("Riverbed is not started")
        return self._server.call(coro, timeout)

    # --- what tests use ---------------------------------------------------------------------------------
    def client(self, service: str, region: str | None = None, **kwargs: Any) -> Any:
        import boto3
        from botocore.config import Config

        config = kwargs.pop("config", Config(retries={"max_attempts": 2, "mode": "standard"}, read_timeout=120))
        return boto3.client(service, endpoint_url=self.endpoint_url, region_name=region or self.region,
                            aws_access_key_id="test", aws_secret_access_key="test", config=config, **kwargs)

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every enabled mapping has no pending records, nothing is in flight or waiting to
        retry, and destinations are flushed.  Raises TimeoutError naming what is still pending."""
        self._call(self.app.drain(timeout), timeout + 10)

    def register_function(self, name: str, handler: Callable[..., Any], **config: Any) -> dict[str, Any]:
        """A Lambda function whose handler runs in this process (breakpoints work)."""

        async def register() -> Any:
            return self.app.register_function(name, handler, **config)

        function: dict[str, Any] = self._call(register(), 30)  # App.register_function's configuration
        return function

    def reset(self) -> None:
        """Drop all state: tables, streams, functions, mappings, queues, topics, metrics."""

        async def reset() -> None:
            self.app.reset()
            await asyncio.sleep(0)

        self._call(reset(), 30)

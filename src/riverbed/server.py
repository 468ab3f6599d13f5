"""Running the ASGI app under uvicorn, in the foreground (``riverbed serve``) or in a thread (testing API).

Owns: the HTTP server's configuration (uvloop + httptools when available,
no access log, one ``send`` per answer) and its start/stop.

Must not: build services (``app.py`` does).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
import sys
import threading
from collections.abc import Generator
from typing import Any, cast

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from riverbed.app import App, build_app
from riverbed.config import Settings


class _CoalescedWrites:
    """A transport whose writes in one turn of the event loop leave in one ``send``.

    uvicorn writes an answer's head and body separately; on loopback each write is a system call that also
    does the receiver's TCP work, about a third of the server's CPU under load (py-spy, bench/run.py).  The
    head is held until the body is written (or the end of the current loop turn, or ``close``).
    """

    __slots__ = ("_buffer", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._buffer: list[bytes] = []

    def write(self, data: bytes) -> None:
        if self._buffer:                          # the body after a held head: both leave now
            self._buffer.append(data)
            self.flush()
        elif data.endswith(b"\r\n\r\n") and data.startswith(b"HTTP/"):   # an answer's head: hold it
            self._buffer.append(data)
            self._loop.call_soon(self.flush)      # in case no body follows (HEAD, 204)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        if self._buffer:
            data = b"".join(self._buffer)
            self._buffer.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _Protocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with coalesced writes (one ``send`` per answer)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = cast("asyncio.Transport", _CoalescedWrites(transport, self.loop))


def _config(app: App, sock_port: int) -> uvicorn.Config:
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:  # pragma: no cover
        loop = "asyncio"
    return uvicorn.Config(app.gateway, host=app.settings.host, port=sock_port, loop=loop, http=_Protocol,
                          lifespan="on", access_log=False, log_level=app.settings.log_level,
                          timeout_keep_alive=75, server_header=False, date_header=False)


class Server(uvicorn.Server):
    """uvicorn's server, ending riverbed's streamed answers (dashboard events) before it waits for
    open responses, and treating SIGTERM as a request for a clean shutdown (exit status 0) rather
    than re-raising it once shut down (which would make the process exit 143)."""

    def __init__(self, config: uvicorn.Config, app: App) -> None:
        super().__init__(config)
        self.riverbed = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.riverbed.gateway.close_streams()
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals = [s for s in self._captured_signals if s != signal.SIGTERM]


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings) -> int:
    """Run in the foreground until interrupted; the exit status (1 when the port cannot be bound).

    The socket is bound before anything is announced, so a busy port fails with one message and
    "listening" is printed only once riverbed really listens.
    """
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as exc:
        print(f"riverbed: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr,
              flush=True)
        return 1
    settings = settings.replace(port=sock.getsockname()[1])   # --port 0: the port the system chose
    app = build_app(settings)
    _settle_heap(app)
    server = Server(_config(app, settings.port), app)
    app.gateway.requests_in_flight = lambda: len(server.server_state.tasks)
    print(f"riverbed listening on http://{settings.host}:{settings.port} "
          f"({'in memory' if settings.memory else 'data in ' + settings.data_dir}); "
          f"dashboard at http://{settings.host}:{settings.port}/_riverbed/ui", flush=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        return 130
    finally:
        app.close()
    return 0


def _settle_heap(app: App) -> None:
    """Load the served services' models now and keep what start-up built out of the cyclic collector's scans.

    The botocore models are large, long-lived object graphs; every full collection traversed them, which
    showed as 80 ms pauses under load (PutItem p99 at concurrency 32: 83 ms, 7.9 ms after this; see
    docs/performance.md).  ``riverbed serve`` only: an in-process testing API leaves its host's collector
    alone.
    """
    from riverbed.core.models import load_service_model

    for name in app.gateway.descriptions:
        load_service_model(name)
    gc.collect()
    gc.freeze()                              # start-up's objects move to the permanent generation
    gc.set_threshold(50_000, 50, 100)        # fewer, cheaper young collections for a request-heavy server


class BackgroundServer:
    """The same server on an ephemeral port, on its own thread and event loop (testing API)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.server: Server | None = None
        self.port = 0
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.app.settings.host, self.app.settings.port))
        self.port = sock.getsockname()[1]
        self.app.endpoint_url = f"http://{self.app.settings.host}:{self.port}"
        config = _config(self.app, self.port)
        self.server = Server(config, self.app)
        state = self.server.server_state
        self.app.gateway.requests_in_flight = lambda: len(state.tasks)

        def run() -> None:
            try:
                import uvloop

                loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
            except ImportError:  # pragma: no cover
                loop = asyncio.new_event_loop()
            self.loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve(sock))
            except BaseException as exc:  # pragma: no cover - surfaced to the caller
                self._error = exc
                self._ready.set()
            finally:
                loop.close()

        self.thread = threading.Thread(target=run, name="riverbed-server", daemon=True)
        self.thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise RuntimeError(f"riverbed failed to start: {self._error!r}")

    async def _serve(self, sock: socket.socket) -> None:
        assert self.server is not None
        config = self.server.config
        if not config.loaded:
            config.load()
        self.server.lifespan = config.lifespan_class(config)
        await self.server.startup(sockets=[sock])
        self._ready.set()
        await self.server.main_loop()
        await self.server.shutdown(sockets=[sock])

    def call(self, coro: Any, timeout: float | None = None) -> Any:
        """Run a coroutine on the server's loop from another thread and wait for its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call_soon(self, func: Any, *args: Any) -> None:
        assert self.loop is not None
        self.loop.call_soon_threadsafe(func, *args)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(30)
        self.app.close()


def make_background(settings: Settings, clock: Any = None) -> BackgroundServer:
    return BackgroundServer(build_app(settings, clock))

"""Running the ASGI app under uvicorn, in the foreground (``riverbed serve``) or in a thread (testing API).

Owns: the HTTP server's configuration (uvloop + httptools when available,
no access log, one ``send`` per answer) and its start/stop.

Must not: build services (``app.py`` does).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
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


def serve(settings: Settings) -> None:
    """Run in the foreground until interrupted."""
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build_app(settings)
    server = uvicorn.Server(_config(app, settings.port))
    app.gateway.requests_in_flight = lambda: len(server.server_state.tasks)
    print(f"riverbed listening on http://{settings.host}:{settings.port} "
          f"({'in memory' if settings.memory else 'data in ' + settings.data_dir})", flush=True)
    try:
        server.run()
    finally:
        app.close()


class BackgroundServer:
    """The same server on an ephemeral port, on its own thread and event loop (testing API)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.server: uvicorn.Server | None = None
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
        self.server = uvicorn.Server(config)
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

"""Running the ASGI app under uvicorn, in the foreground (``riverbed serve``) or in a thread (testing API).

Owns: the HTTP server's configuration (uvloop + httptools when available,
no access log) and its start/stop.

Must not: build services (``app.py`` does).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Generator
from typing import Any

import uvicorn

from riverbed.app import App, build_app
from riverbed.config import Settings


def _config(app: App, sock_port: int) -> uvicorn.Config:
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:  # pragma: no cover
        loop = "asyncio"
    return uvicorn.Config(app.gateway, host=app.settings.host, port=sock_port, loop=loop, http="httptools",
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
    server = Server(_config(app, settings.port), app)
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

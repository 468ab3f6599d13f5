"""Running the ASGI app under uvicorn, in the foreground (``riverbed serve``) or in a thread (testing API).

Owns: the HTTP server's configuration (uvloop + httptools when available,
no access log) and its start/stop.

Must not: build services (``app.py`` does).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
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


def serve(settings: Settings) -> None:
    """Run in the foreground until interrupted."""
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build_app(settings)
    server = uvicorn.Server(_config(app, settings.port))
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

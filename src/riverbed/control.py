"""HTTP control routes under ``/_riverbed/``: health, metrics, and (when enabled) clock, drain and reset.

Owns: ``GET /_riverbed/health``, ``GET /metrics`` (Prometheus text),
``GET|POST /_riverbed/clock`` (``{"advance": seconds}``), ``POST
/_riverbed/drain`` (``{"timeout": s}``) and ``POST /_riverbed/reset`` -- the
last three answer 404 unless ``--control`` (or ``--clock manual``) is on, so
a shared server is not reset by accident.

Must not: contain service logic; it calls the app's testing hooks.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

JSON = [(b"content-type", b"application/json")]


def _json(status: int, body: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return status, list(JSON), orjson.dumps(body)


def mount(app: Any) -> None:
    async def riverbed_routes(scope: dict, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        if path == "/_riverbed/health":
            from riverbed import __version__

            return _json(200, {"status": "running", "service": "riverbed", "version": __version__})
        if path == "/metrics" or path == "/_riverbed/metrics":
            accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
            content_type, text = app.metrics.exposition(accept)
            return 200, [(b"content-type", content_type.encode())], text
        route = getattr(app, "_routes", {}).get(path)
        if route is not None:
            return await route(scope, body)
        if not app.settings.control:
            return _json(404, {"message": "Not Found (start riverbed with --control or --clock manual)"})
        try:
            request = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError:
            return _json(400, {"message": "body must be JSON"})
        if path == "/_riverbed/clock":
            if method == "POST":
                if not getattr(app.clock, "manual", False):
                    return _json(400, {"message": "the clock is not manual (start with --clock manual)"})
                seconds = float(request.get("advance", 0))
                if seconds < 0:
                    return _json(400, {"message": "advance must be >= 0"})
                app.clock.advance(seconds)
                await settle()
            return _json(200, {"now": app.clock.now(), "manual": bool(getattr(app.clock, "manual", False))})
        if path == "/_riverbed/drain" and method == "POST":
            try:
                await app.drain(float(request.get("timeout", 30)))
            except TimeoutError as exc:
                return _json(408, {"message": str(exc)})
            return _json(200, {"drained": True})
        if path == "/_riverbed/reset" and method == "POST":
            app.reset()
            return _json(200, {"reset": True})
        return _json(404, {"message": "Not Found"})

    app.gateway.mount("/_riverbed/", riverbed_routes)
    app.gateway.mount("/metrics", riverbed_routes)


async def settle(turns: int = 20) -> None:
    """Let tasks woken by a clock advance run before answering."""
    for _ in range(turns):
        await asyncio.sleep(0)

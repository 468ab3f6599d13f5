"""HTTP control routes under ``/_riverbed/``: health, metrics, code and logs, and (when enabled) clock, drain, reset.

Owns: ``GET /_riverbed/health``, ``GET /metrics`` (Prometheus text),
``GET /_riverbed/code/<sha256 hex>`` (the zip a GetFunction ``Code.Location`` points at),
``GET /_riverbed/logs/<function>?since=N`` (invocation logs newer than sequence number ``N``, as JSON
``{"function", "entries": [{"seq", "text"}], "next"}``; used by ``riverbed logs [--follow]``),
``GET|POST /_riverbed/clock`` (``{"advance": seconds}``), ``POST
/_riverbed/drain`` (``{"timeout": s}``) and ``POST /_riverbed/reset`` -- the
last three answer 404 unless ``--control`` (or ``--clock manual``) is on, so
a shared server is not reset by accident.

This is the wire side of riverbed's own routes (services never build HTTP responses).

Must not: contain service logic; it calls the app's testing hooks and the services' read APIs.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

import orjson

from riverbed.clock import ManualClock
from riverbed.services.lambda_ import names
from riverbed.services.lambda_.code import CODE_PREFIX

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.app import App
    from riverbed.services.lambda_.service import LambdaService

JSON = [(b"content-type", b"application/json")]
LOGS_PREFIX = "/_riverbed/logs/"
Response = tuple[int, list[tuple[bytes, bytes]], bytes]


MAX_ADVANCE = 10 * 365 * 24 * 3600      # ten years of clock time in one step
MAX_DRAIN_TIMEOUT = 3600


def _number(value: Any, maximum: float) -> float | None:
    """``value`` as seconds when it is a JSON number in ``[0, maximum]`` (booleans and null are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= maximum else None


def _json(status: int, body: Any) -> Response:
    return status, list(JSON), orjson.dumps(body)


def lambda_routes(service: LambdaService) -> tuple[Any, Any]:
    """The code-download and log-tailing routes over the Lambda service's read API."""

    async def code_route(scope: dict[str, Any], body: bytes) -> Response:
        if scope.get("method", "GET") not in ("GET", "HEAD"):
            return _json(405, {"message": "Method Not Allowed"})
        key = scope.get("path", "")[len(CODE_PREFIX):].strip("/")
        data = service.code.get(key) if key and all(c in "0123456789abcdef" for c in key) else None
        if data is None:
            return _json(404, {"message": "Not Found"})
        return 200, [(b"content-type", b"application/zip")], data

    async def logs_route(scope: dict[str, Any], body: bytes) -> Response:
        if scope.get("method", "GET") != "GET":
            return _json(405, {"message": "Method Not Allowed"})
        function = names.name_from(unquote(scope.get("path", "")[len(LOGS_PREFIX):].strip("/")))
        if not function:
            return _json(400, {"message": "a function name is required: /_riverbed/logs/<function>"})
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        try:
            since = int((query.get("since") or ["0"])[-1])
        except ValueError:
            return _json(400, {"message": "since must be an integer"})
        entries, newest = service.logs_since(function, since)
        if since > newest:  # the server restarted since the client's last call: start over
            since = 0
            entries, newest = service.logs_since(function, since)
        next_seq = entries[-1][0] if entries else since
        return _json(200, {"function": function, "entries": [{"seq": s, "text": t} for s, t in entries],
                           "next": next_seq})

    return code_route, logs_route


def mount(app: App) -> None:
    async def riverbed_routes(scope: dict[str, Any], body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        if path == "/_riverbed/health":
            from riverbed import __version__

            return _json(200, {"status": "running", "service": "riverbed", "version": __version__})
        if path == "/metrics" or path == "/_riverbed/metrics":
            accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
            content_type, text = app.metrics.exposition(accept)
            return 200, [(b"content-type", content_type.encode())], text
        if not app.settings.control:
            return _json(404, {"message": "Not Found (start riverbed with --control or --clock manual)"})
        try:
            request = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError:
            return _json(400, {"message": "body must be JSON"})
        if not isinstance(request, dict):
            return _json(400, {"message": "body must be a JSON object"})
        if path == "/_riverbed/clock":
            if method == "POST":
                clock = app.clock
                if not isinstance(clock, ManualClock):  # the only clock with ``manual`` True
                    return _json(400, {"message": "the clock is not manual (start with --clock manual)"})
                seconds = _number(request.get("advance", 0), MAX_ADVANCE)
                if seconds is None:
                    return _json(400, {"message": f"advance must be a number of seconds from 0 to {MAX_ADVANCE}"})
                clock.advance(seconds)
                await settle()
            return _json(200, {"now": app.clock.now(), "manual": bool(getattr(app.clock, "manual", False))})
        if path == "/_riverbed/drain" and method == "POST":
            try:
                timeout = _number(request.get("timeout", 30), MAX_DRAIN_TIMEOUT)
                if timeout is None:
                    return _json(400, {"message": f"timeout must be a number of seconds from 0 to {MAX_DRAIN_TIMEOUT}"})
                await app.drain(timeout)
            except TimeoutError as exc:
                return _json(408, {"message": str(exc)})
            return _json(200, {"drained": True})
        if path == "/_riverbed/reset" and method == "POST":
            app.reset()
            return _json(200, {"reset": True})
        return _json(404, {"message": "Not Found"})

    app.gateway.mount("/_riverbed/", riverbed_routes)
    app.gateway.mount("/metrics", riverbed_routes)
    code_route, logs_route = lambda_routes(app.lambda_)
    app.gateway.mount(CODE_PREFIX, code_route)
    app.gateway.mount(LOGS_PREFIX, logs_route)
    from riverbed import dashboard

    dashboard.mount(app)


async def settle(turns: int = 20) -> None:
    """Let tasks woken by a clock advance run before answering."""
    for _ in range(turns):
        await asyncio.sleep(0)

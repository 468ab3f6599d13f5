"""The read-only web dashboard at ``/_riverbed/ui``: static pages, their JSON API and live updates.

Owns: the routes ``GET /_riverbed/ui`` (the single page), ``/_riverbed/ui/static/<file>`` (scripts,
styles and the vendored uPlot chart library, all inside the package: the dashboard works offline),
``/_riverbed/ui/api/<view>?account=&region=&...`` (the views of :mod:`riverbed.dashboard.api`) and
``/_riverbed/ui/events`` (server-sent events, :mod:`riverbed.dashboard.events`).  Mounted by
``control.mount`` like riverbed's other routes; always on (it only reads).

Must not: change state, or contain service logic (the views call the services' read APIs).
"""

from __future__ import annotations

import mimetypes
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson

from riverbed.dashboard import api
from riverbed.dashboard.events import Changes, event_stream
from riverbed.errors import ServiceError

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.app import App

PREFIX = "/_riverbed/ui"
Response = tuple[int, list[tuple[bytes, bytes]], bytes]
_STATIC = {"app.js", "style.css", "uPlot.iife.min.js", "uPlot.min.css", "index.html", "uPlot.LICENSE"}


def _static(name: str) -> bytes | None:
    if name not in _STATIC:
        return None
    return resources.files("riverbed.dashboard").joinpath("static", name).read_bytes()


def _json(status: int, body: Any) -> Response:
    return status, [(b"content-type", b"application/json"), (b"cache-control", b"no-store")], api.to_json(body)


def routes(app: App) -> Any:
    async def route(scope: dict[str, Any], body: bytes) -> Response:
        if scope.get("method", "GET") not in ("GET", "HEAD"):
            return _json(405, {"message": "Method Not Allowed (the dashboard only reads)"})
        path = scope.get("path", "")[len(PREFIX):]
        if path in ("", "/"):
            return 200, [(b"content-type", b"text/html; charset=utf-8")], _static("index.html") or b""
        if path.startswith("/static/"):
            data = _static(path[len("/static/"):])
            if data is None:
                return _json(404, {"message": "Not Found"})
            ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
            if ctype.startswith("text/") or ctype.endswith("javascript"):
                ctype += "; charset=utf-8"
            return 200, [(b"content-type", ctype.encode()), (b"cache-control", b"max-age=300")], data
        if path.startswith("/api/"):
            query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
            return await _view(app, path[len("/api/"):], query)
        return _json(404, {"message": "Not Found"})

    return route


async def _view(app: App, view: str, q: dict[str, str]) -> Response:
    reader = api.Reader(app, q.get("account") or app.settings.account, q.get("region") or app.settings.region)
    try:
        if view == "overview":
            return _json(200, await api.overview(app, reader))
        if view == "table" and q.get("name"):
            if q.get("key"):
                return _json(200, await api.query_table(app, reader, q["name"], orjson.loads(q["key"])))
            return _json(200, await api.table(app, reader, q["name"], q.get("start")))
        if view == "stream" and q.get("arn"):
            return _json(200, api.stream(app, reader, q["arn"]))
        if view == "mapping" and q.get("uuid"):
            return _json(200, await api.mapping(app, reader, q["uuid"]))
        if view == "function" and q.get("name"):
            return _json(200, await api.function(app, reader, q["name"]))
        if view == "queue" and q.get("name"):
            return _json(200, await api.queue(app, reader, q["name"]))
        if view == "topic" and q.get("arn"):
            return _json(200, await api.topic(app, reader, q["arn"]))
    except api.NotFound as exc:
        return _json(404, {"message": f"Not Found: {exc}"})
    except ServiceError as exc:
        return _json(400, {"message": exc.message, "code": exc.code})
    except orjson.JSONDecodeError:
        return _json(400, {"message": "key and start must be JSON"})
    return _json(404, {"message": f"no view {view!r} (or a parameter is missing)"})


def mount(app: App) -> Changes:
    """Serve the dashboard on ``app``'s gateway; the change counter joins the metrics sinks."""
    changes = Changes(app.streams)
    app.metrics_sink.sinks.append(changes)
    app.gateway.mount(PREFIX, routes(app))
    app.gateway.mount_asgi(PREFIX + "/events", event_stream(changes), close=changes.close)
    return changes

"""Control routes riverbed adds under ``/_riverbed/`` for Lambda: code downloads and log tailing.

Owns: ``GET /_riverbed/code/<sha256 hex>`` (the zip a GetFunction ``Code.Location`` points at) and
``GET /_riverbed/logs/<function>?since=N`` (invocation logs newer than sequence number ``N``, as JSON
``{"function", "entries": [{"seq", "text"}], "next"}``; used by ``riverbed logs [--follow]``).

Must not: change state.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote

import orjson

from riverbed.services.lambda_ import names

CODE_PREFIX = "/_riverbed/code/"
LOGS_PREFIX = "/_riverbed/logs/"

Response = tuple[int, list[tuple[bytes, bytes]], bytes]


def code_url(host: str, doc: dict[str, Any]) -> str:
    return f"http://{host}{CODE_PREFIX}{doc.get('code_hex') or 'inprocess'}"


def _json(status: int, body: Any) -> Response:
    return status, [(b"content-type", b"application/json")], orjson.dumps(body)


def make_routes(service: Any) -> tuple[Any, Any]:
    async def code_route(scope: dict, body: bytes) -> Response:
        if scope.get("method", "GET") not in ("GET", "HEAD"):
            return _json(405, {"message": "Method Not Allowed"})
        key = scope.get("path", "")[len(CODE_PREFIX):].strip("/")
        data = service.code.get(key) if key and all(c in "0123456789abcdef" for c in key) else None
        if data is None:
            return _json(404, {"message": "Not Found"})
        return 200, [(b"content-type", b"application/zip")], data

    async def logs_route(scope: dict, body: bytes) -> Response:
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

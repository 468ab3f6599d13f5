"""The HTTP bindings of the REST protocols: input members read from URI labels, query string and headers.

Owns: the request URI templates (``/2015-03-31/functions/{FunctionName}``, ``/{Bucket}/{Key+}``) compiled
to patterns, and the ``location`` traits of botocore's REST models (``uri``, ``querystring`` — lists repeat,
a map takes the parameters no other member claims —, ``header`` — lists are comma-separated —,
``headers`` — a prefix map), shared by REST-JSON (Lambda) and REST-XML (S3).  Each protocol hands over
its own scalar conversion, which words a bad value the way that service does.

Must not: read bodies (each protocol parses its own payload).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from riverbed.core.models import ServiceModel

Coerce = Callable[[str, str, str], Any]   # (shape type, text, wire name) -> value

_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


def compile_uri_template(path: str) -> tuple[re.Pattern[str], int, int, int]:
    """A request URI template as ``(pattern, literal characters, labels, greedy labels)``.

    A label matches one path segment, a greedy one (``{Key+}``) the rest of the path, newlines included (S3
    keys may hold them); a trailing slash is optional.  The counts let a router prefer the most specific
    template when several match.
    """
    pattern = ["^"]
    pos = literal = labels = greedy = 0
    for m in _LABEL.finditer(path):
        text = path[pos:m.start()]
        pattern.append(re.escape(text))
        literal += len(text)
        group = re.sub(r"\W", "_", m.group(1))
        if m.group(2):
            pattern.append(f"(?P<{group}>.+)")
            greedy += 1
        else:
            pattern.append(f"(?P<{group}>[^/]+)")
        labels += 1
        pos = m.end()
    tail = path[pos:].rstrip("/")
    pattern.append(re.escape(tail) + "/?$")
    return re.compile("".join(pattern), re.DOTALL), literal + len(tail), labels, greedy


def input_members(model: ServiceModel, operation: str) -> tuple[dict[str, dict[str, Any]], str | None] | None:
    """The input members of ``operation`` and the name of its payload member (None: no input shape)."""
    ref = model.operations[operation].get("input")
    if not ref:
        return None
    shape = model.shapes[ref["shape"]]
    return shape.get("members", {}), shape.get("payload")


def bind_locations(model: ServiceModel, members: dict[str, dict[str, Any]], params: dict[str, Any],
                   labels: dict[str, str], query: dict[str, list[str]], headers: dict[str, str],
                   coerce: Coerce) -> dict[str, Any]:
    """Add to ``params`` every member whose ``location`` the request carries; returns ``params``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    claimed: set[str] = set()
    rest_member: str | None = None
    for member, ref in members.items():
        location = ref.get("location")
        if location is None:
            continue
        name = ref.get("locationName", member)
        target = model.shapes[ref["shape"]]
        t = target["type"]
        if location == "uri":
            if name in labels:
                params[member] = coerce(t, labels[name], name)
        elif location == "querystring":
            if t == "map":
                rest_member = member   # filled below from the parameters no other member claims
                continue
            claimed.add(name)
            values = query.get(name)
            if values:
                if t == "list":
                    element = model.shapes[target["member"]["shape"]]["type"]
                    params[member] = [coerce(element, v, name) for v in values]
                else:
                    params[member] = coerce(t, values[-1], name)
        elif location == "header":
            value = lowered.get(name.lower())
            if value is not None:
                params[member] = [v.strip() for v in value.split(",")] if t == "list" else coerce(t, value, name)
        elif location == "headers":
            prefix = name.lower()
            found = {k[len(prefix):]: v for k, v in lowered.items() if k.startswith(prefix)}
            if found:
                params[member] = found
    if rest_member is not None:
        rest = {k: v[-1] for k, v in query.items() if k not in claimed and v}
        if rest:
            params[rest_member] = rest
    return params

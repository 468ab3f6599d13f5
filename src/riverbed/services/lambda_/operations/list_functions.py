"""ListFunctions and ListVersionsByFunction: pages of configurations, ordered by name (then version).

List entries carry neither State nor LastUpdateStatus (lambda_api snapshot, test_list_functions).
``FunctionVersion=ALL`` lists every version after each ``$LATEST``, whose ARN is then qualified.
Markers are opaque to clients: base64 of the last entry's sort key.

https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from riverbed.services.lambda_ import functions
from riverbed.services.lambda_.lookup import ref_for, require_function
from riverbed.services.lambda_.service import LambdaContext

DEFAULT_MAX_ITEMS = 50


def list_functions(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    everything = request.get("FunctionVersion") == "ALL"
    entries: list[tuple[str, dict[str, Any]]] = []
    for doc in functions.list_functions(ctx.store, ctx.account, ctx.region):
        entries.append((_sort_key(doc), functions.configuration(doc, form="list", qualified=everything)))
        if everything:
            for version in functions.list_versions(ctx.store, functions.ref_of(doc)):
                entries.append((_sort_key(version), functions.configuration(version, form="list")))
    items, marker = page(entries, request)
    out: dict[str, Any] = {"Functions": items}
    if marker:
        out["NextMarker"] = marker
    return out


def list_versions_by_function(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    doc = require_function(ctx, ref)
    entries = [(_sort_key(doc), functions.configuration(doc, form="list", qualified=True))]
    entries += [(_sort_key(v), functions.configuration(v, form="list")) for v in functions.list_versions(
        ctx.store, ref)]
    items, marker = page(entries, request)
    out: dict[str, Any] = {"Versions": items}
    if marker:
        out["NextMarker"] = marker
    return out


def _sort_key(doc: dict[str, Any]) -> str:
    version = doc["version"]
    return f"{doc['name']}\x00{'' if version == '$LATEST' else f'{int(version):010d}'}"


def page(entries: list[tuple[str, dict[str, Any]]],
         request: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """One page of sorted ``(key, entry)`` pairs after ``Marker``, at most ``MaxItems``; and the next marker."""
    start = 0
    if request.get("Marker"):
        try:
            after = base64.urlsafe_b64decode(request["Marker"].encode()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            after = ""
        start = next((i for i, (key, _) in enumerate(entries) if key > after), len(entries))
    limit = int(request.get("MaxItems") or DEFAULT_MAX_ITEMS)
    chunk = entries[start:start + limit]
    more = start + limit < len(entries)
    marker = base64.urlsafe_b64encode(chunk[-1][0].encode()).decode() if more and chunk else None
    return [entry for _, entry in chunk], marker

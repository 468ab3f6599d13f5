"""CreateAlias, ListAliases, DeleteAlias.

Aliases are regional, start with ``alias/``, and are unique (AlreadyExistsException).
https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.kms.service import KmsContext


def create_alias(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.create_alias(ctx.account, ctx.region, request["AliasName"], request["TargetKeyId"])
    return {}


def delete_alias(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.delete_alias(ctx.account, ctx.region, request["AliasName"])
    return {}


def list_aliases(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    aliases = sorted(ctx.backend.aliases(ctx.account, ctx.region), key=lambda a: a["AliasName"])
    if request.get("KeyId"):
        key_id = ctx.backend.key(ctx.account, ctx.region, request["KeyId"])["KeyId"]
        aliases = [a for a in aliases if a["TargetKeyId"] == key_id]
    start = 0
    if request.get("Marker"):
        start = next((i + 1 for i, a in enumerate(aliases) if a["AliasName"] == request["Marker"]), len(aliases))
    limit = int(request.get("Limit") or 100)
    page = aliases[start:start + limit]
    out: dict[str, Any] = {"Aliases": page, "Truncated": start + limit < len(aliases)}
    if out["Truncated"] and page:
        out["NextMarker"] = page[-1]["AliasName"]
    return out

"""How Logs requests name a group: ``logGroupName`` or ``logGroupIdentifier`` (a name or an ARN)."""

from __future__ import annotations

from typing import Any

from riverbed.services.logs.errors import invalid


def group_name(req: dict[str, Any]) -> str:
    name = req.get("logGroupName")
    ident = req.get("logGroupIdentifier")
    if name and ident:
        raise invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if ident:
        if ident.startswith("arn:"):
            name = str(ident).split(":log-group:", 1)[-1]
            return name[:-2] if name.endswith(":*") else name
        return str(ident)
    if not name:
        raise invalid("Should provide either name or ARN of the log group")
    return str(name)


def page(items: list[Any], req: dict[str, Any], default_limit: int, limit_key: str = "limit"
         ) -> tuple[list[Any], str | None]:
    """A page of ``items`` from ``nextToken`` (an offset riverbed issued)."""
    start = 0
    if req.get("nextToken"):
        try:
            start = int(req["nextToken"])
        except ValueError:
            raise invalid("The specified nextToken is invalid.") from None
    size = int(req.get(limit_key) or default_limit)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}

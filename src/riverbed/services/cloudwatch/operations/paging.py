"""Paging for CloudWatch's list operations: a NextToken is the offset of the next item, as riverbed issues it.

Owns: reading ``NextToken`` (InvalidNextToken when it is not one riverbed issued) and cutting a page.

Must not: know what is being listed.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.cloudwatch.errors import invalid_next_token


def page_start(req: dict[str, Any], total: int | None = None) -> int:
    """The offset a request's ``NextToken`` names (0 without one); InvalidNextToken when it is not ours."""
    token = req.get("NextToken")
    if not token:
        return 0
    try:
        start = int(token)
    except ValueError:
        raise invalid_next_token() from None
    if start < 0 or (total is not None and start > total):
        raise invalid_next_token()
    return start

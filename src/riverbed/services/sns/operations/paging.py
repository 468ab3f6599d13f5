"""Paging shared by SNS's list actions: 100 results a page, ``NextToken`` naming the last one returned.

Must not: know what is being listed beyond a sort key.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from riverbed.services.sns.errors import invalid

PAGE_SIZE = 100
T = TypeVar("T")


def page(items: Sequence[T], token: Any, key: Callable[[T], str]) -> tuple[list[T], str | None]:
    start = 0
    if token:
        try:
            after = base64.b64decode(str(token), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise invalid("NextToken") from None
        start = next((i + 1 for i, item in enumerate(items) if key(item) == after), len(items))
    chosen = list(items[start:start + PAGE_SIZE])
    more = start + PAGE_SIZE < len(items)
    return chosen, (base64.b64encode(key(chosen[-1]).encode()).decode() if more and chosen else None)

"""Query and Scan paging: walk rows, apply Limit and the 1 MB page cap, filter, project, count.

Owns: the rules AWS applies to a read page -- Limit counts items *evaluated*
(before the filter), the 1 MB cap is measured on items read before the
filter, LastEvaluatedKey is the key of the last item evaluated, Select
COUNT returns counts only, ScannedCount vs Count.

Must not: know how rows are found (the operation hands an iterator of items).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import types

PAGE_BYTES = 1024 * 1024


def read_page(rows: Iterable[dict[str, Any]], *, limit: int | None, filter_node: Any, projection: Any,
              select: str | None, key_of: Callable[[dict[str, Any]], dict[str, Any]]
              ) -> tuple[dict[str, Any], int]:
    out_items: list[dict[str, Any]] = []
    scanned = 0
    size = 0
    last: dict[str, Any] | None = None
    more = False
    for item in rows:
        if (limit is not None and scanned >= limit) or size >= PAGE_BYTES:
            more = True
            break
        scanned += 1
        size += types.item_size(item)
        last = item
        if filter_node is not None and not ex.evaluate_condition(filter_node, item):
            continue
        if select != "COUNT":
            out_items.append(ex.project(item, projection) if projection is not None else item)
        else:
            out_items.append(item)
    result: dict[str, Any] = {}
    if select == "COUNT":
        result["Count"] = len(out_items)
    else:
        result["Items"] = out_items
        result["Count"] = len(out_items)
    result["ScannedCount"] = scanned
    if more and last is not None:
        result["LastEvaluatedKey"] = key_of(last)
    elif limit is not None and scanned == limit and last is not None and size < PAGE_BYTES:
        # AWS returns LastEvaluatedKey whenever the Limit was reached, even if nothing follows.
        result["LastEvaluatedKey"] = key_of(last)
    return result, size

"""Query: one partition, in range-key order, with key conditions, filters, projections and paging.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import pages, types
from riverbed.services.dynamodb.expressions.evaluate import referenced_attributes
from riverbed.services.dynamodb.indexes import composite_bounds
from riverbed.services.dynamodb.items import consumed
from riverbed.services.dynamodb.requests import RequestExpressions
from riverbed.services.dynamodb.scopes import check_select, read_scope
from riverbed.services.dynamodb.service import DdbContext


def query(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table = ctx.backend.table(ctx, req["TableName"])
    scope = read_scope(ctx, table, req)
    exprs = RequestExpressions(req, operation="Query")
    spec: Any = getattr(scope, "spec", None)
    composite = spec is not None and spec.composite
    if composite:
        cond = exprs.composite_key_condition(spec.hash_keys, spec.range_keys, spec.key_types)
    else:
        cond = exprs.key_condition(scope.hash_key, scope.range_key, getattr(scope, "hash_type", None),
                                   getattr(scope, "range_type", None))
    filter_node = exprs.filter()
    projection = exprs.projection()
    exprs.finish()
    select = check_select(req, projection, scope)
    _check_filter_keys(filter_node, spec.hash_keys + spec.range_keys if composite else
                       (scope.hash_key, scope.range_key))
    forward = req.get("ScanIndexForward", True)
    start = req.get("ExclusiveStartKey")
    hk = spec.encode_hash(list(cond.hash_values)) if composite else types.encode_key_value(cond.hash_value)
    start_rk = scope.start_position(start, query=True, hash_bytes=hk) if start else None
    rows = _composite_rows(scope, hk, cond, forward) if composite else _rows(ctx, scope, hk, cond, forward,
                                                                                  start_rk)
    page, size = pages.read_page(rows, limit=req.get("Limit"), filter_node=filter_node, projection=projection,
                                 select=select, key_of=scope.last_key)
    page.update(consumed(table, max(0.5, size / 4096 / (1 if req.get("ConsistentRead") else 2)), req, read=True))
    return page


def _check_filter_keys(filter_node: Any, keys: tuple[str | None, ...]) -> None:
    names = referenced_attributes(filter_node) if filter_node is not None else set()
    for key in keys:
        if key and key in names:
            raise ValidationException(f"Filter Expression can only contain non-primary key attributes: "
                                      f"Primary key attribute: {key}")


def _rows(ctx: DdbContext, scope: Any, hk: bytes, cond: Any, forward: bool, start_rk: bytes | None
          ) -> Iterator[dict[str, Any]]:
    low = high = None
    low_inc = high_inc = True
    prefix = None
    if cond.range is not None:
        op, values = cond.range
        enc = [types.encode_key_value(v) for v in values]
        if op == "=":
            low = high = enc[0]
        elif op == "<":
            high, high_inc = enc[0], False
        elif op == "<=":
            high = enc[0]
        elif op == ">":
            low, low_inc = enc[0], False
        elif op == ">=":
            low = enc[0]
        elif op == "BETWEEN":
            low, high = enc[0], enc[1]
        elif op == "begins_with":
            low = enc[0]
            prefix = values[0]
    if start_rk is not None:
        if forward and (low is None or start_rk >= low):
            low, low_inc = start_rk, False
        elif not forward and (high is None or start_rk <= high):
            high, high_inc = start_rk, False
    for data in scope.query(hk, low=low, low_inclusive=low_inc, high=high, high_inclusive=high_inc,
                            forward=forward):
        item = orjson.loads(data)
        if prefix is not None:
            value = item.get(scope.range_key)
            if value is None or not _begins(value, prefix):
                if forward:
                    return
                continue
        yield item


def _composite_rows(scope: Any, hk: bytes, cond: Any, forward: bool) -> Iterator[dict[str, Any]]:
    """Rows of a multi-attribute GSI key: the sort key bytes order the attribute tuples, so equality on a left
    prefix of the sort attributes plus one condition on the next is one byte range."""
    last = (cond.last[1], cond.last[2]) if cond.last is not None else None
    low, low_inc, high, high_inc = composite_bounds(list(cond.prefix), last)
    for data in scope.query(hk, low=low, low_inclusive=low_inc, high=high, high_inclusive=high_inc,
                            forward=forward):
        yield orjson.loads(data)


def _begins(value: dict[str, Any], prefix: dict[str, Any]) -> bool:
    if "S" in value and "S" in prefix:
        return bool(value["S"].startswith(prefix["S"]))
    if "B" in value and "B" in prefix:
        import base64

        return base64.b64decode(value["B"]).startswith(base64.b64decode(prefix["B"]))
    return False

"""Scan: every item (or one segment of a parallel scan), with filters, projections and paging.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import pages
from riverbed.services.dynamodb.items import consumed
from riverbed.services.dynamodb.requests import RequestExpressions
from riverbed.services.dynamodb.scopes import check_select, read_scope
from riverbed.services.dynamodb.service import DdbContext
from riverbed.services.dynamodb.tables import Table


def scan(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    segment, total = req.get("Segment"), req.get("TotalSegments")
    if total is not None and segment is None:
        raise ValidationException("The Segment parameter is required but was not present in the request when "
                                  "parameter TotalSegments is present")
    if segment is not None and total is None:
        raise ValidationException("The TotalSegments parameter is required but was not present in the request "
                                  "when Segment parameter is present")
    if segment is not None and total is not None and segment >= total:
        raise ValidationException(f"The Segment parameter is zero-based and must be less than parameter "
                                  f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}")
    table = ctx.backend.table(ctx, req["TableName"])
    scope = read_scope(ctx, table, req)
    exprs = RequestExpressions(req, operation="Scan")
    filter_node = exprs.filter()
    projection = exprs.projection()
    exprs.finish()
    select = check_select(req, projection, scope)
    start = req.get("ExclusiveStartKey")
    after = scope.start_position(start, query=False) if start else None
    if after is not None and total is not None and total > 1 and table.segment_of(after[0], total) != segment:
        # dynalite's text, recorded against DynamoDB: a start key must belong to the segment being scanned.
        raise ValidationException("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
                                  f"ExclusiveStartKey with correct Segment. TotalSegments: {total} Segment: {segment}")
    rows = _rows(scope, table, after, segment, total)
    page, size = pages.read_page(rows, limit=req.get("Limit"), filter_node=filter_node, projection=projection,
                                 select=select, key_of=scope.last_key)
    page.update(consumed(table, max(0.5, size / 4096 / (1 if req.get("ConsistentRead") else 2)), req, read=True))
    return page


def _rows(scope: Any, table: Table, after: Any, segment: int | None, total: int | None
          ) -> Iterator[dict[str, Any]]:
    for hk, data in scope.scan(after):
        if total is not None and table.segment_of(hk, total) != segment:
            continue
        yield orjson.loads(data)

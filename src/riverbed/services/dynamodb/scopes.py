"""Read scopes: what a Query or Scan walks -- the table itself, or one of its secondary indexes.

Owns: the key schema of the thing being read, finding its rows, forming
LastEvaluatedKey and validating ExclusiveStartKey, and the Select rules that
depend on it (ALL_PROJECTED_ATTRIBUTES only on an index, etc.).

Must not: apply Limit/filters/projections (``pages.py``) or parse expressions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import types
from riverbed.services.dynamodb.service import DdbContext
from riverbed.services.dynamodb.tables import Table


class TableScope:
    index_name: str | None = None

    def __init__(self, store: Any, table: Table) -> None:
        self.store = store
        self.table = table
        self.hash_key = table.hash_key
        self.range_key = table.range_key
        self.hash_type = table.hash_type
        self.range_type = table.range_type

    def query(self, hk: bytes, **bounds: Any) -> Iterator[bytes]:
        for _, data in list(self.store.query_items(self.table.tid, hk, **bounds)):
            yield data

    def scan(self, after: tuple[bytes, bytes] | None) -> Iterator[tuple[bytes, bytes]]:
        """``(hk, data)`` in storage order after ``after``; read in chunks so writes may interleave."""
        cursor = after
        while True:
            chunk = []
            for hk, rk, data in self.store.scan_items(self.table.tid, cursor):
                chunk.append((hk, rk, data))
                if len(chunk) >= 512:
                    break
            if not chunk:
                return
            for hk, _rk, data in chunk:
                yield hk, data
            cursor = (chunk[-1][0], chunk[-1][1])

    def last_key(self, item: dict[str, Any]) -> dict[str, Any]:
        return {n: item[n] for n in self.table.key_names if n in item}

    def start_position(self, start: dict[str, Any], *, query: bool, hash_value: Any = None,
                       hash_bytes: bytes | None = None) -> Any:
        try:
            hk, rk, _ = self.table.key_of_key(start)
        except ValidationException:
            raise ValidationException("The provided starting key is invalid: The provided key element does not "
                                      "match the schema") from None
        if query:
            if hash_bytes is None and hash_value is not None:
                hash_bytes = types.encode_key_value(hash_value)
            if hash_bytes is not None and hash_bytes != hk:
                raise ValidationException("The provided starting key is invalid: The provided key element does "
                                          "not match the schema")
            return rk
        return hk, rk


def read_scope(ctx: DdbContext, table: Table, req: dict[str, Any]) -> Any:
    index = req.get("IndexName")
    if index is None:
        return TableScope(ctx.store, table)
    dyn = ctx.backend
    names = [i["IndexName"] for i in table.doc.get("GlobalSecondaryIndexes", []) or []] + \
            [i["IndexName"] for i in table.doc.get("LocalSecondaryIndexes", []) or []]
    if index not in names:
        raise ValidationException(f"The table does not have the specified index: {index}")
    if dyn.indexes is None:
        raise ValidationException(f"Queries on secondary indexes are not supported yet by riverbed: {index}")
    return dyn.indexes.scope(ctx, table, index, req)


def check_select(req: dict[str, Any], projection: Any, scope: Any) -> str | None:
    select = req.get("Select")
    if select == "SPECIFIC_ATTRIBUTES" and projection is None:
        raise ValidationException("1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to "
                                  "satisfy constraint: ProjectionExpression or AttributesToGet must be specified")
    if select not in (None, "SPECIFIC_ATTRIBUTES") and projection is not None:
        raise ValidationException("Cannot specify the AttributesToGet or ProjectionExpression when choosing to get "
                                  f"{select}")
    if select == "ALL_PROJECTED_ATTRIBUTES" and scope.index_name is None:
        raise ValidationException("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    return select

"""BatchWriteItem: up to 25 puts/deletes over several tables; each one a normal write with its stream record.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import items, types
from riverbed.services.dynamodb.service import DdbContext


def batch_write_item(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    request_items = req["RequestItems"]
    total = sum(len(v) for v in request_items.values())
    if total > 25:
        raise ValidationException("Too many items requested for the BatchWriteItem call")
    planned = []
    for table_name, writes in request_items.items():
        table = dyn.table(ctx, table_name)
        seen: set[tuple[bytes, bytes]] = set()
        for write in writes:
            put, delete = write.get("PutRequest"), write.get("DeleteRequest")
            if (put is None) == (delete is None):
                raise ValidationException("Supplied AttributeValue has more than one datatypes set, must contain "
                                          "exactly one of the supported datatypes" if put and delete else
                                          "1 validation error detected: Value null at 'requestItems' failed to "
                                          "satisfy constraint: Member must not be null")
            size = 0
            if put is not None:
                item = types.validate_item(put["Item"])
                hk, rk, key = table.key_of_item(item)
                size = items.check_size(item)
            else:
                item = None
                hk, rk, key = table.key_of_key(delete["Key"])
            if (hk, rk) in seen:
                raise ValidationException("Provided list of item keys contains duplicates")
            seen.add((hk, rk))
            planned.append((table, hk, rk, key, item, size))
    with ctx.store.transaction() as txn:
        for table, hk, rk, key, item, size in planned:
            old = items.load(txn, table, hk, rk)
            items.commit(txn, dyn.streams, table, hk, rk, key, old, item, region=ctx.region, indexes=dyn.indexes,
                         new_size=size if item is not None else None)
    out: dict[str, Any] = {"UnprocessedItems": {}}
    if req.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES"):
        per_table: dict[str, float] = {}
        for table, *_rest, size in planned:
            per_table[table.name] = per_table.get(table.name, 0.0) + items.write_units(new_size=size)
        out["ConsumedCapacity"] = [{"TableName": n, "CapacityUnits": u} for n, u in per_table.items()]
    return out

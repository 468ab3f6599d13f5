"""The Time to Live sweeper: deletes expired items, each a REMOVE stream record from the service.

Owns: finding items whose TTL attribute is a Number of epoch seconds in the
past (AWS ignores non-numbers and values more than five years in the past),
deleting each in its own transaction -- only if the item still is what the
sweep read, so an item rewritten with a future TTL meanwhile survives -- and
the ``TimeToLiveDeletedItemCount`` metric.

The single step is :meth:`TtlSweeper.sweep_once`; :meth:`run` repeats it every
``ttl_interval`` seconds of clock time (spec/streams.md §5.3; AWS takes up to
48 h, riverbed sweeps promptly so tests are deterministic).

Must not: parse requests.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from riverbed.core.interfaces import MetricsSink
from riverbed.services.dynamodb import items, pitr, types
from riverbed.services.dynamodb.service import DynamoDB

log = logging.getLogger("riverbed.ttl")

FIVE_YEARS = 5 * 365 * 24 * 3600


def expired(item: dict[str, Any], attribute: str, now: float) -> bool:
    value = item.get(attribute)
    if not isinstance(value, dict) or "N" not in value:
        return False
    try:
        when = Decimal(value["N"])
    except (InvalidOperation, TypeError):
        return False
    return now - FIVE_YEARS <= when < Decimal(repr(now))


class TtlSweeper:
    def __init__(self, dynamodb: DynamoDB, metrics: MetricsSink, interval: float) -> None:
        self.dynamodb = dynamodb
        self.store = dynamodb.store
        self.clock = dynamodb.clock
        self.metrics = metrics
        self.interval = interval
        self.deleted = 0

    async def run(self) -> None:
        while True:
            await self.clock.sleep(self.interval)
            self.sweep_once()

    def sweep_once(self) -> int:
        """Delete every currently expired item in every table with TTL enabled; returns how many."""
        dyn = self.dynamodb
        now = self.clock.now()
        count = 0
        for table in dyn.catalog.all():
            pitr.trim_once(self.store, table.doc, now)   # PITR history older than its window is never read again
            attribute = table.ttl_attribute
            if not attribute:
                continue
            table = dyn.catalog.get(table.account, table.region, table.name) or table
            candidates = [(hk, rk, data) for hk, rk, data in self.store.scan_items(table.tid)
                          if expired(orjson.loads(data), attribute, now)]
            for hk, rk, data in candidates:
                seen = orjson.loads(data)
                with self.store.transaction() as txn:
                    current = items.load(txn, table, hk, rk)
                    # Conditional on the image the sweep read: a rewrite since then is left alone.
                    if current is None or not types.item_equal(current, seen):
                        continue
                    key = table.key_from_bytes(current)
                    items.commit(txn, dyn.streams, table, hk, rk, key, current, None, region=table.region,
                                 service_identity=True, indexes=dyn.indexes)
                count += 1
                self.metrics.put("AWS/DynamoDB", "TimeToLiveDeletedItemCount", {"TableName": table.name}, 1)
        self.deleted += count
        return count

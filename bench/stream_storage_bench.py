"""Bytes on disk per stream record, against the item images it carries; and space back after a trim.

    python bench/stream_storage_bench.py [--n 100000] [--keys 50000]
    PYTHONPATH=/other/checkout/src python bench/stream_storage_bench.py     # the same for another version

Writes --n PutItems through the in-process app (SQLite file store) on a NEW_AND_OLD_IMAGES table with
--keys distinct keys (so records after the first --keys carry an old and a new image), then prints one
JSON line: pages of the records table per record (SQLite's dbstat), stored bytes per record, the JSON
bytes of the images per record and their ratio; then trims every record (as retention does), lets the
store reclaim the space and reports the data directory's size before and after.  Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gateway_bench import call, create_bench_table, item, lifespan

from riverbed import ids
from riverbed.app import build_app
from riverbed.config import load_settings

try:
    from riverbed.streams.records import record_json
except ImportError:   # a checkout from before the compact stored form (PYTHONPATH=other/src): JSON stored
    def record_json(stored: bytes, sequence_number: str, created: float) -> bytes:
        return stored


def dir_bytes(path: str) -> int:
    return sum(f.stat().st_size for f in Path(path).iterdir() if f.is_file())


def records_table_bytes(store: Any) -> int:
    db = store._db   # a bench may look inside the engine: SQLite's page accounting
    return int(db.execute("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name='records'").fetchone()[0])


async def run(args: argparse.Namespace) -> None:
    data_dir = tempfile.mkdtemp(prefix="riverbed-streams-")
    app = build_app(load_settings({"data_dir": data_dir, "iam": "off"}))
    inbox, task = await lifespan(app.gateway)
    gw = app.gateway
    await create_bench_table(gw)
    for start in range(0, args.n, 64):
        batch = []
        for i in range(start, min(args.n, start + 64)):
            it = item(i % args.keys)
            it["ts"] = {"N": str(i)}          # every write changes the item, so every write is a record
            batch.append(call(gw, "PutItem", {"TableName": "bench", "Item": it}))
        await asyncio.gather(*batch)
    store = app.store
    shard_nos = [r[0] for r in store._db.execute("SELECT DISTINCT shard FROM records")]
    count = image_bytes = stored_bytes = 0
    for no in shard_nos:
        seq = 0
        while True:
            rows = store.read_records(no, seq, 1000)
            if not rows:
                break
            for s, created, data in rows:
                stored_bytes += len(data)
                record = orjson.loads(record_json(data, ids.sequence_number(s), created))
                dyn = record["dynamodb"]
                image_bytes += sum(len(orjson.dumps(dyn[m])) for m in ("NewImage", "OldImage") if m in dyn)
                count += 1
                seq = s + 1
    getattr(store, "flush_commits", lambda: None)()   # older checkouts commit at once
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    table_bytes = records_table_bytes(store)
    before = dir_bytes(data_dir)
    for _ in range(10):   # retention trims on every maintenance pass; each gives back a bounded number of pages
        with store.transaction() as txn:
            for no in shard_nos:
                txn.trim_records(no, float("inf"))
    getattr(store, "flush_commits", lambda: None)()   # older checkouts commit at once
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    after = dir_bytes(data_dir)
    print(json.dumps({
        "records": count,
        "records_table_bytes_per_record": round(table_bytes / count, 1),
        "stored_bytes_per_record": round(stored_bytes / count, 1),
        "image_json_bytes_per_record": round(image_bytes / count, 1),
        "disk_vs_images": round(table_bytes / image_bytes, 2),
        "data_dir_mb_before_trim": round(before / 1e6, 1),
        "data_dir_mb_after_trim": round(after / 1e6, 1),
    }), flush=True)
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    app.close()
    shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100000)
    parser.add_argument("--keys", type=int, default=50000)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

"""Global tables replication benchmark: us-east-1 -> eu-west-1 through riverbed's replicator.

    python bench/replication_bench.py [--samples 200] [--items 5000] [--delay SECONDS]

Starts `riverbed serve --in-memory` (with ``RIVERBED_REPLICATION_DELAY`` set to ``--delay`` when given, else
riverbed's default replication delay), creates an on-demand table in us-east-1, adds a replica in eu-west-1,
waits for it to be ACTIVE, then prints JSON lines:

* ``lag``: PutItem acknowledged in us-east-1 -> the item readable by GetItem in eu-west-1 (a tight GetItem
  loop, so the figure includes up to one GetItem round trip), one write at a time, p50/p99/max in ms;
* ``throughput``: replicated writes per second, from the first BatchWriteItem in us-east-1 until eu-west-1
  holds every item (Scan Select=COUNT every 20 ms), with 4 producer threads so the producer is not the
  bottleneck; also the producers' own write rate.
The lag includes the replication delay (each line names it as ``delay_s``); ``--delay 0`` measures riverbed's
own cost of carrying a write.  Times are the system's monotonic clock.  Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(__file__))
from run import free_port, start_riverbed

from riverbed.config import Settings

EAST, EU = "us-east-1", "eu-west-1"
TABLE = "bench_global"


def client(region: str, port: int):
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name=region,
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 0}, max_pool_connections=16))


def setup(port: int) -> None:
    east, eu = client(EAST, port), client(EU, port)
    east.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                      AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                      KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    east.update_table(TableName=TABLE, ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        replicas = east.describe_table(TableName=TABLE)["Table"].get("Replicas", [])
        if replicas and replicas[0]["ReplicaStatus"] == "ACTIVE":
            eu.describe_table(TableName=TABLE)
            return
        time.sleep(0.01)
    raise RuntimeError("the replica did not become ACTIVE")


def lag(port: int, samples: int) -> dict[str, float]:
    east, eu = client(EAST, port), client(EU, port)
    lags = []
    for i in range(samples):
        key = {"pk": {"S": f"lag-{i}"}}
        east.put_item(TableName=TABLE, Item={**key, "v": {"N": str(i)}})
        acked = time.monotonic()
        while "Item" not in eu.get_item(TableName=TABLE, Key=key):
            if time.monotonic() - acked > 10:
                raise RuntimeError(f"lag-{i} not replicated within 10 s")
        lags.append((time.monotonic() - acked) * 1000)
    lags.sort()
    return {"samples": samples, "p50_ms": round(statistics.median(lags), 2),
            "p99_ms": round(lags[min(len(lags) - 1, int(len(lags) * 0.99))], 2), "max_ms": round(lags[-1], 2)}


def count(eu, prefix_total: int) -> int:
    total, start = 0, None
    while True:
        kwargs = {"TableName": TABLE, "Select": "COUNT"}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = eu.scan(**kwargs)
        total += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return total - prefix_total


def throughput(port: int, items: int, already: int) -> dict[str, float]:
    eu = client(EU, port)
    producers = 4

    def produce(worker: int) -> None:
        east = client(EAST, port)
        batch = []
        for i in range(worker, items, producers):
            batch.append({"PutRequest": {"Item": {"pk": {"S": f"tp-{i}"}, "v": {"N": str(i)}}}})
            if len(batch) == 25:
                east.batch_write_item(RequestItems={TABLE: batch})
                batch = []
        if batch:
            east.batch_write_item(RequestItems={TABLE: batch})

    t0 = time.monotonic()
    with ThreadPoolExecutor(producers) as pool:
        list(pool.map(produce, range(producers)))
    produced = time.monotonic() - t0
    while count(eu, already) < items:
        if time.monotonic() - t0 > 120:
            raise RuntimeError("replication did not finish within 120 s")
        time.sleep(0.02)
    done = time.monotonic() - t0
    return {"items": items, "replicated_writes_per_s": round(items / done, 1), "seconds": round(done, 2),
            "producer_writes_per_s": round(items / produced, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--delay", type=float, default=None, help="replication delay in seconds (default: riverbed's)")
    args = parser.parse_args()
    if args.delay is not None:
        os.environ["RIVERBED_REPLICATION_DELAY"] = str(args.delay)
    delay = float(os.environ.get("RIVERBED_REPLICATION_DELAY") or Settings().replication_delay)
    port = free_port()
    proc, _ = start_riverbed(port)
    try:
        setup(port)
        print(json.dumps({"bench": "replication", "part": "lag", "delay_s": delay, **lag(port, args.samples)}))
        print(json.dumps({"bench": "replication", "part": "throughput", "delay_s": delay,
                          **throughput(port, args.items, already=args.samples)}))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()

"""Server memory under a steady mixed load, and after it: does RSS stay flat, and come back when idle?

    python bench/memory_bench.py [--seconds 180] [--rate 1000] [--clients 8] [--idle 30] [--keys 100000]
    python bench/memory_bench.py --src /other/checkout/src      # the same for another version

Starts ``riverbed serve`` on a data directory, creates a table with a NEW_AND_OLD_IMAGES stream and a
GSI, then runs --clients keep-alive connections at --rate requests/s in total for --seconds: PutItem
(50%), GetItem (25%), UpdateItem (15%) and Query on the index (10%) over --keys keys, while a reader
follows the stream with GetRecords.  RSS (VmRSS of the server process) is sampled every second.  Prints
one JSON line: RSS after warm-up (the first 20% of the run), its maximum and its value at the end of the
load, after --idle seconds of quiet, the growth from warm-up to end, and the data directory's size.
Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ddb_load import Client
from run import free_port, wait_ready


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def dir_mb(path: str) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


def payload(op: str, keys: int) -> dict[str, Any]:
    k = random.randrange(keys)
    key = {"pk": {"S": f"k{k:08d}"}}
    if op == "PutItem":
        return {"TableName": "mem", "Item": {**key, "grp": {"S": f"g{k % 500}"}, "ts": {"N": str(k)},
                                             "data": {"S": "x" * random.randrange(100, 300)}}}
    if op == "GetItem":
        return {"TableName": "mem", "Key": key}
    if op == "UpdateItem":
        return {"TableName": "mem", "Key": key, "UpdateExpression": "SET #c = if_not_exists(#c, :z) + :one",
                "ExpressionAttributeNames": {"#c": "c"},
                "ExpressionAttributeValues": {":z": {"N": "0"}, ":one": {"N": "1"}}}
    return {"TableName": "mem", "IndexName": "by-grp", "KeyConditionExpression": "grp = :g",
            "ExpressionAttributeValues": {":g": {"S": f"g{k % 500}"}}, "Limit": 10}


OPS = ["PutItem"] * 10 + ["GetItem"] * 5 + ["UpdateItem"] * 3 + ["Query"] * 2


async def load(client: Client, args: argparse.Namespace, until: float) -> int:
    interval = args.clients / args.rate
    done = 0

    async def worker() -> None:
        nonlocal done
        conn = client.conn()
        next_at = time.monotonic()
        while time.monotonic() < until:
            op = random.choice(OPS)
            await client.call(conn, op, payload(op, args.keys))
            done += 1
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        conn.close()

    await asyncio.gather(*(worker() for _ in range(args.clients)))
    return done


async def follow_stream(client: Client, until: float) -> int:
    conn = client.conn()
    _, table = await client.call(conn, "DescribeTable", {"TableName": "mem"})
    arn = table["Table"]["LatestStreamArn"]
    read = 0
    iterators: dict[str, str | None] = {}
    while time.monotonic() < until:
        _, desc = await client.call(conn, "DescribeStream", {"StreamArn": arn}, streams=True)
        for shard in desc["StreamDescription"]["Shards"]:
            sid = shard["ShardId"]
            if sid not in iterators:
                _, it = await client.call(conn, "GetShardIterator", {"StreamArn": arn, "ShardId": sid,
                                                                     "ShardIteratorType": "TRIM_HORIZON"},
                                          streams=True)
                iterators[sid] = it["ShardIterator"]
        for sid, it in list(iterators.items()):
            if it is None:
                continue
            _, got = await client.call(conn, "GetRecords", {"ShardIterator": it, "Limit": 1000}, streams=True)
            read += len(got["Records"])
            iterators[sid] = got.get("NextShardIterator")
        await asyncio.sleep(0.2)
    conn.close()
    return read


async def create(client: Client) -> None:
    conn = client.conn()
    await client.call(conn, "CreateTable", {
        "TableName": "mem", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "grp", "AttributeType": "S"},
                                 {"AttributeName": "ts", "AttributeType": "N"}],
        "GlobalSecondaryIndexes": [{"IndexName": "by-grp", "Projection": {"ProjectionType": "ALL"},
                                    "KeySchema": [{"AttributeName": "grp", "KeyType": "HASH"},
                                                  {"AttributeName": "ts", "KeyType": "RANGE"}]}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
    conn.close()


async def main_async(args: argparse.Namespace, port: int, pid: int, samples: list[tuple[float, float]]) -> dict:
    client = Client(f"http://127.0.0.1:{port}", "us-east-1", "fast")
    await create(client)
    start = time.monotonic()
    until = start + args.seconds

    async def sample() -> None:
        while time.monotonic() < until + args.idle:
            samples.append((time.monotonic() - start, rss_mb(pid)))
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    done, read = await asyncio.gather(load(client, args, until), follow_stream(client, until))
    await sampler
    return {"requests": done, "records_read": read}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--idle", type=float, default=30)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--src", default=None, help="run riverbed from this source tree")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="riverbed-mem-")
    port = free_port()
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = args.src
    command = [sys.executable, "-m", "riverbed.cli.main", "serve", "--port", str(port), "--data-dir", data]
    proc = subprocess.Popen(command,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples: list[tuple[float, float]] = []
    try:
        wait_ready(port)
        started = rss_mb(proc.pid)
        counts = asyncio.run(main_async(args, port, proc.pid, samples))
    finally:
        data_mb = dir_mb(data)
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(data, ignore_errors=True)
    warm = [mb for t, mb in samples if t <= args.seconds * 0.2]
    during = [mb for t, mb in samples if t <= args.seconds]
    warm_rss = warm[-1] if warm else started
    end_rss = during[-1]
    print(json.dumps({
        "seconds": args.seconds, "rate": args.rate, "clients": args.clients, **counts,
        "rss_start_mb": round(started, 1), "rss_after_warmup_mb": round(warm_rss, 1),
        "rss_max_mb": round(max(during), 1), "rss_end_of_load_mb": round(end_rss, 1),
        "rss_after_idle_mb": round(samples[-1][1], 1), "growth_after_warmup_mb": round(end_rss - warm_rss, 1),
        "data_dir_mb": round(data_mb, 1),
        "rss_every_tenth_mb": [round(during[min(len(during) - 1, len(during) * i // 10)], 1) for i in range(11)]}))


if __name__ == "__main__":
    main()

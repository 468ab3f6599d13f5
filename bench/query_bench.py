"""Query workload: Query with Limit 25 on a table and on its GSI, over raw keep-alive HTTP; print figures.

    python bench/query_bench.py [--partitions 40] [--requests 3000] [--concurrency 1,32]

Starts `riverbed serve --in-memory` on a free port, creates a table (pk S, sk N) with a GSI (g S, n N,
projection ALL), loads 100-item partitions (each table partition is also one GSI partition), then runs
Query (Limit 25, a random partition per request) against the table and against the GSI at each
concurrency.  Each worker is one asyncio keep-alive connection sending raw HTTP/1.1 requests with a static
dummy SigV4 header (riverbed does not verify signatures).  Prints one JSON line per workload and
concurrency: requests/s, items/s, p50/p99 latency.  Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import free_port, start_riverbed

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
        "Signature=0")
TABLE = "bench-query"


def request_bytes(port: int, target: str, body: dict) -> bytes:
    payload = json.dumps(body).encode()
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: DynamoDB_20120810.{target}\r\nAuthorization: {AUTH}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n")
    return head.encode() + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, bytes(body)
        body += chunk[:-2]


async def call(port: int, target: str, body: dict) -> dict:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request_bytes(port, target, body))
        await writer.drain()
        status, data = await read_response(reader)
        if status != 200:
            raise RuntimeError(f"{target}: {status} {data[:300]!r}")
        return json.loads(data)
    finally:
        writer.close()


async def setup(port: int, partitions: int) -> None:
    await call(port, "CreateTable", {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t}
                                 for n, t in (("pk", "S"), ("sk", "N"), ("g", "S"), ("n", "N"))],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{"IndexName": "by-g", "Projection": {"ProjectionType": "ALL"},
                                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                  {"AttributeName": "n", "KeyType": "RANGE"}]}]})
    for p in range(partitions):
        items = [{"pk": {"S": f"p{p:04d}"}, "sk": {"N": str(i)}, "g": {"S": f"g{p:04d}"}, "n": {"N": str(100 - i)},
                  "payload": {"S": "x" * 200}} for i in range(100)]
        for start in range(0, 100, 25):
            await call(port, "BatchWriteItem", {"RequestItems": {TABLE: [
                {"PutRequest": {"Item": item}} for item in items[start:start + 25]]}})


async def worker(port: int, bodies: list[bytes], latencies: list[float], counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for raw in bodies:
            t0 = time.perf_counter()
            writer.write(raw)
            await writer.drain()
            status, data = await read_response(reader)
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                raise RuntimeError(f"Query: {status} {data[:300]!r}")
            counts.append(json.loads(data)["Count"])
    finally:
        writer.close()


async def run_workload(port: int, index: bool, concurrency: int, requests: int, partitions: int) -> dict:
    rng = random.Random(7)
    bodies = []
    for _ in range(requests):
        p = rng.randrange(partitions)
        if index:
            body = {"TableName": TABLE, "IndexName": "by-g", "Limit": 25, "KeyConditionExpression": "g = :v",
                    "ExpressionAttributeValues": {":v": {"S": f"g{p:04d}"}}}
        else:
            body = {"TableName": TABLE, "Limit": 25, "KeyConditionExpression": "pk = :v",
                    "ExpressionAttributeValues": {":v": {"S": f"p{p:04d}"}}}
        bodies.append(request_bytes(port, "Query", body))
    shares = [bodies[i::concurrency] for i in range(concurrency)]
    latencies: list[float] = []
    counts: list[int] = []
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(port, share, latencies, counts) for share in shares))
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {"workload": "query-gsi" if index else "query-table", "concurrency": concurrency, "requests": requests,
            "limit": 25, "req_per_s": round(requests / elapsed, 1), "items_per_s": round(sum(counts) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 3),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 3)}


async def main_async(args: argparse.Namespace, port: int) -> None:
    t0 = time.perf_counter()
    await setup(port, args.partitions)
    print(json.dumps({"workload": "load", "items": args.partitions * 100,
                      "seconds": round(time.perf_counter() - t0, 2)}), flush=True)
    for concurrency in [int(c) for c in args.concurrency.split(",")]:
        for index in (False, True):
            await run_workload(port, index, concurrency, min(200, args.requests), args.partitions)   # warm-up
            print(json.dumps(await run_workload(port, index, concurrency, args.requests, args.partitions)),
                  flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=int, default=40)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", default="1,32")
    args = parser.parse_args()
    port = free_port()
    proc, _cold = start_riverbed(port)
    try:
        asyncio.run(main_async(args, port))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

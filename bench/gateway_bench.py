"""CPU cost of one request through the ASGI app, without sockets: µs of CPU per PutItem/UpdateItem/GetItem.

    python bench/gateway_bench.py [--n 20000] [--data-dir DIR] [--profile put]

Builds the app in process, runs its lifespan, and drives ``Gateway.__call__`` with pre-signed request
scopes in batches of 32 concurrent tasks (so group commit has company).  Prints one JSON line per
operation: process CPU time per request (not wall time, so other load on a shared machine matters less),
and with ``--profile OP`` the top functions of a cProfile run of that operation.  Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import tempfile
import time
from typing import Any

import orjson

from riverbed.app import build_app
from riverbed.config import load_settings

AUTH = (b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/dynamodb/aws4_request, "
        b"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + b"0" * 64)


def scope_for(target: str, body: bytes) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/", "query_string": b"", "headers": [
        (b"host", b"127.0.0.1:4566"), (b"content-type", b"application/x-amz-json-1.0"),
        (b"x-amz-date", b"20240101T000000Z"), (b"x-amz-target", b"DynamoDB_20120810." + target.encode()),
        (b"authorization", AUTH), (b"content-length", str(len(body)).encode())]}


def item(i: int) -> dict[str, Any]:
    return {"pk": {"S": f"k{i:08d}"}, "c": {"N": "0"}, "data": {"S": "x" * 150}, "ts": {"N": str(i)}}


BODIES = {
    "put": lambda i: ("PutItem", {"TableName": "bench", "Item": item(i)}),
    "update": lambda i: ("UpdateItem", {"TableName": "bench", "Key": {"pk": {"S": f"k{i:08d}"}},
                                        "UpdateExpression": "SET #c = #c + :one",
                                        "ExpressionAttributeNames": {"#c": "c"},
                                        "ExpressionAttributeValues": {":one": {"N": "1"}}}),
    "get": lambda i: ("GetItem", {"TableName": "bench", "Key": {"pk": {"S": f"k{i:08d}"}}}),
}


async def call(app: Any, target: str, payload: dict[str, Any]) -> int:
    body = orjson.dumps(payload)
    sent: list[dict[str, Any]] = []
    done = False

    async def receive() -> dict[str, Any]:
        nonlocal done
        if done:
            await asyncio.sleep(3600)
        done = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope_for(target, body), receive, send)
    return int(sent[0]["status"])


async def lifespan(app: Any) -> tuple[asyncio.Queue[dict[str, Any]], asyncio.Task[None]]:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started = asyncio.Event()
    await inbox.put({"type": "lifespan.startup"})

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    task = asyncio.ensure_future(app({"type": "lifespan"}, inbox.get, send))
    await started.wait()
    return inbox, task


async def create_bench_table(gw: Any) -> None:
    """Table ``bench`` (hash key ``pk``) with a NEW_AND_OLD_IMAGES stream, through the gateway."""
    status = await call(gw, "CreateTable", {
        "TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
    assert status == 200, status


async def run(args: argparse.Namespace) -> None:
    data_dir = args.data_dir or (None if args.memory else tempfile.mkdtemp(prefix="riverbed-gw-"))
    # The settings riverbed serve runs with by default (--iam enforce: the authorization hook included).
    settings = load_settings({"in_memory": data_dir is None, "data_dir": data_dir or ""})
    app = build_app(settings)
    inbox, task = await lifespan(app.gateway)
    gw = app.gateway
    await create_bench_table(gw)
    for op in ("put", "update", "get"):
        payloads = [BODIES[op](i) for i in range(args.n)]
        profiler = cProfile.Profile() if args.profile == op else None
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        statuses: list[int] = []
        for start in range(0, args.n, args.concurrency):
            batch = payloads[start:start + args.concurrency]
            statuses += await asyncio.gather(*(call(gw, t, p) for t, p in batch))
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        print(json.dumps({"op": op, "n": args.n, "concurrency": args.concurrency,
                          "cpu_us_per_request": round(cpu / args.n * 1e6, 1),
                          "wall_us_per_request": round(wall / args.n * 1e6, 1),
                          "errors": sum(1 for s in statuses if s != 200),
                          "store": "memory" if data_dir is None else "file"}), flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--memory", action="store_true", help="in-memory store (default: a temporary data dir)")
    parser.add_argument("--profile", choices=sorted(BODIES), default=None)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(run(args))
    except ImportError:  # pragma: no cover
        asyncio.run(run(args))


if __name__ == "__main__":
    main()

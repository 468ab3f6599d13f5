"""PostgreSQL vs SQLite: PutItem and GetItem ops/s, through the store and through the HTTP API.

    python bench/pg_bench.py [--seconds 2] [--postgres postgresql://...]

Without ``--postgres`` (or ``RIVERBED_TEST_POSTGRES``) it starts a throwaway cluster with
scripts/pg-test-cluster.sh (unix socket; fsync and synchronous_commit off, which is about what SQLite's
WAL + synchronous=NORMAL promises: a commit survives the process, not the machine).  Prints JSON lines,
one per (engine, level, operation): ``store`` is a PutItem-shaped transaction (lock/read the old item,
write it, append a stream record) or a point read on the store object, one thread; ``api`` is boto3
PutItem/GetItem against a riverbed server on that store, one client.  Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from riverbed.config import load_settings  # noqa: E402
from riverbed.server import make_background  # noqa: E402
from riverbed.storage import open_store  # noqa: E402


def rate(seconds: float, op: Callable[[int], object]) -> float:
    n, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(50):
            op(n)
            n += 1
    return n / (time.perf_counter() - start)


def bench_store(url: str, data_dir: str | None, seconds: float) -> dict[str, float]:
    store = open_store(url, data_dir)
    store.reset()

    def put(n: int) -> None:
        hk = b"k%d" % (n % 1000)
        with store.transaction() as txn:
            txn.get_item(1, hk, b"")
            txn.put_item(1, hk, b"", b'{"pk":{"S":"x"},"n":{"N":"%d"}}' % n, 40)
            txn.append_record(1, n + 1, float(n), b"record %d" % n)

    def get(n: int) -> None:
        store.get_item(1, b"k%d" % (n % 1000), b"")

    out = {"PutItem": rate(seconds, put), "GetItem": rate(seconds, get)}
    store.close()
    return out


def bench_api(url: str, data_dir: str, seconds: float) -> dict[str, float]:
    settings = load_settings({"port": 0, "store": url, "data_dir": data_dir}, environ={})
    node = make_background(settings)
    node.start()
    try:
        node.app.reset()
        ddb = boto3.client("dynamodb", endpoint_url=node.app.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x",
                           config=Config(retries={"total_max_attempts": 1}))
        ddb.create_table(TableName="bench", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        put = rate(seconds, lambda n: ddb.put_item(TableName="bench", Item={"pk": {"S": f"k{n % 1000}"},
                                                                             "n": {"N": str(n)}}))
        get = rate(seconds, lambda n: ddb.get_item(TableName="bench", Key={"pk": {"S": f"k{n % 1000}"}}))
        return {"PutItem": put, "GetItem": get}
    finally:
        node.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--postgres", default=os.environ.get("RIVERBED_TEST_POSTGRES"))
    args = parser.parse_args()
    cluster = None
    url = args.postgres
    if not url:
        cluster = tempfile.mkdtemp(prefix="rbpg.", dir="/tmp")
        script = str(ROOT / "scripts" / "pg-test-cluster.sh")
        url = subprocess.run([script, "start", cluster], check=True, capture_output=True, text=True).stdout.strip()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engines = {"sqlite-file": ("sqlite", tmp), "postgres": (url, tmp)}
            for engine, (store_url, data_dir) in engines.items():
                for level, fn in (("store", bench_store), ("api", bench_api)):
                    for op, ops in fn(store_url, data_dir, args.seconds).items():
                        print(json.dumps({"engine": engine, "level": level, "op": op, "ops_per_s": round(ops)}),
                              flush=True)
    finally:
        if cluster:
            subprocess.run([str(ROOT / "scripts" / "pg-test-cluster.sh"), "stop", cluster], check=False)


if __name__ == "__main__":
    main()

"""PostgreSQL vs SQLite: PutItem and GetItem ops/s, through the store and through the HTTP API; then
1, 2 and 3 `riverbed serve` nodes on one PostgreSQL database.

    python bench/pg_bench.py [--seconds 2] [--postgres postgresql://...] [--nodes 1,2,3] [--lease-seconds 2]

Without ``--postgres`` (or ``RIVERBED_TEST_POSTGRES``) it starts a throwaway cluster with
scripts/pg-test-cluster.sh (unix socket; fsync and synchronous_commit off, which is about what SQLite's
WAL + synchronous=NORMAL promises: a commit survives the process, not the machine).  Prints JSON lines,
one per (engine, level, operation): ``store`` is a PutItem-shaped transaction (lock/read the old item,
write it, append a stream record) or a point read on the store object, one thread; ``api`` is boto3
PutItem/GetItem against a riverbed server on that store, one client; ``nodes`` is N server processes on
one database (a fresh schema), one boto3 client thread per node, all writing one stream-enabled table
(every PutItem draws its sequence number from the shared counter, so writes to streams serialize across
nodes), reporting the total; then, with two nodes or more, the node holding the mapping's lease is killed
(kill -9) and ``lease takeover s`` is the time until another node holds it (nodes run with
``RIVERBED_LEASE_SECONDS=--lease-seconds``).  Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
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


def _serve(url: str, data_dir: str, port: int, lease_seconds: float) -> subprocess.Popen[bytes]:
    env = dict(os.environ, RIVERBED_STORE=url, RIVERBED_DATA_DIR=data_dir, RIVERBED_PORT=str(port),
               RIVERBED_LEASE_SECONDS=str(lease_seconds))
    return subprocess.Popen([sys.executable, "-m", "riverbed.cli.main", "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _client(port: int):  # type: ignore[no-untyped-def]
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(retries={"total_max_attempts": 1}))


HANDLER = """
import boto3

ddb = boto3.client("dynamodb")

def handler(event, context):
    for record in event["Records"]:
        ddb.put_item(TableName="sink", Item={"pk": record["dynamodb"]["Keys"]["pk"]})
    return len(event["Records"])
"""


def pipeline(clients: list, records: int) -> float:  # type: ignore[type-arg]
    """Records/s from the first PutItem to the last record's copy in the sink: writes spread over the
    nodes, one mapping (one shard: its poller and Lambda workers run on the node holding its lease)."""
    import io
    import zipfile

    first = clients[0]
    arn = first.create_table(TableName="src", BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
                             )["TableDescription"]["LatestStreamArn"]
    first.create_table(TableName="sink", BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", HANDLER)
    lam = boto3.client("lambda", endpoint_url=first.meta.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    lam.create_function(FunctionName="copy", Runtime="python3.12", Handler="app.handler", Timeout=30,
                        Role="arn:aws:iam::000000000000:role/lambda", Code={"ZipFile": buf.getvalue()})
    lam.create_event_source_mapping(FunctionName="copy", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                    BatchSize=100)
    start = time.perf_counter()

    def write(i: int) -> None:
        for n in range(i, records, len(clients)):
            clients[i].put_item(TableName="src", Item={"pk": {"S": f"r{n}"}})

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = start + 120
    while time.perf_counter() < deadline:
        if first.describe_table(TableName="sink")["Table"]["ItemCount"] >= records:
            return records / (time.perf_counter() - start)
        time.sleep(0.05)
    return 0.0


def takeover(url: str, procs: list[subprocess.Popen[bytes]]) -> float:
    """Seconds from kill -9 of the node holding the mapping's lease to another node holding it."""
    store = open_store(url, None)
    try:
        def holder() -> str | None:
            now = store.store_time()
            live = [h for _, h, expires in store.list_leases("esm:") if expires > now]
            return live[0] if live else None

        current = holder()
        victim = next((p for p in procs if current and f":{p.pid}:" in current), None)
        if victim is None:
            return -1.0
        victim.kill()
        killed = time.perf_counter()
        victim.wait()
        while time.perf_counter() - killed < 120:
            current = holder()
            if current is not None and f":{victim.pid}:" not in current:
                return time.perf_counter() - killed
            time.sleep(0.02)
        return -1.0
    finally:
        store.close()


def bench_nodes(server_url: str, count: int, seconds: float, data_dir: str, lease_seconds: float
                ) -> dict[str, float]:
    """``count`` server processes on a fresh schema; one client thread per node; total ops/s."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in server_url else "?"
    url = f"{server_url}{sep}options=-csearch_path%3D{schema}"
    ports = []
    procs = []
    for n in range(count):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        procs.append(_serve(url, f"{data_dir}/node{n}", ports[-1], lease_seconds))
    try:
        clients = [_client(port) for port in ports]
        for c in clients:
            for _ in range(400):
                try:
                    c.list_tables()
                    break
                except Exception:
                    time.sleep(0.05)
        clients[0].create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        out = {}
        for op in ("PutItem", "GetItem"):
            counts = [0] * count

            def work(i: int, op: str = op, counts: list[int] = counts) -> None:
                c = clients[i]

                def one(n: int) -> None:
                    key = {"pk": {"S": f"k{i}-{n % 1000}"}}
                    if op == "PutItem":
                        c.put_item(TableName="bench", Item={**key, "n": {"N": str(n)}})
                    else:
                        c.get_item(TableName="bench", Key=key)
                counts[i] = round(rate(seconds, one) * seconds)

            threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            out[op] = sum(counts) / seconds
        out["pipeline records"] = pipeline(clients, 500)
        if count > 1:
            out["lease takeover s"] = takeover(url, procs)
        return out
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--postgres", default=os.environ.get("RIVERBED_TEST_POSTGRES"))
    parser.add_argument("--nodes", default="1,2,3", help="node counts for the several-nodes figures ('' skips)")
    parser.add_argument("--lease-seconds", type=float, default=2.0, help="RIVERBED_LEASE_SECONDS of the nodes")
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
            for count in [int(c) for c in args.nodes.split(",") if c]:
                for op, ops in bench_nodes(url, count, args.seconds, tmp, args.lease_seconds).items():
                    figure = {"seconds": round(ops, 2), "lease_seconds": args.lease_seconds} \
                        if op == "lease takeover s" else {"ops_per_s": round(ops)}
                    print(json.dumps({"engine": "postgres", "level": "nodes", "nodes": count, "op": op, **figure}),
                          flush=True)
    finally:
        if cluster:
            subprocess.run([str(ROOT / "scripts" / "pg-test-cluster.sh"), "stop", cluster], check=False)


if __name__ == "__main__":
    main()

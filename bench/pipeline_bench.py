"""Pipeline benchmark: PutItem -> stream -> event source mapping (BatchSize 100) -> a Python handler.

    python bench/pipeline_bench.py [--records 20000] [--latency-samples 200]

Starts `riverbed serve --in-memory`, creates a table with a stream, a zipped handler (run in riverbed's
worker processes) and a mapping, then prints JSON lines:

* ``throughput``: records/s from the first write until the handler has seen every record, with
  BatchWriteItem producers (so the producer is not the bottleneck), plus the largest IteratorAge seen;
* ``latency``: PutItem acknowledgement -> handler start, p50/p99, one write at a time at low load;
* ``invoke``: warm synchronous Invoke of a trivial handler over HTTP at concurrency 1 and 8, and the
  cold start (first invoke after create).
Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(__file__))
from run import free_port, start_riverbed

HANDLER = '''
import os, time
OUT = os.environ["BENCH_OUT"]

def handler(event, context):
    start = time.time()
    records = event["Records"]
    with open(OUT, "a") as f:
        f.write("%d %.6f %s\\n" % (len(records), start, records[-1]["dynamodb"]["Keys"]["pk"]["S"]))
    return None
'''

TRIVIAL = "def handler(event, context):\n    return event\n"


def zipped(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", source)
    return buf.getvalue()


def client(service: str, port: int):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 0}, max_pool_connections=32))


def read_out(path: str) -> list[tuple[int, float, str]]:
    if not os.path.exists(path):
        return []
    rows = []
    with open(path) as f:
        for line in f:
            n, ts, key = line.split()
            rows.append((int(n), float(ts), key))
    return rows


def make_pipeline(port: int, handler: str, out: str) -> str:
    """Table ``pipe`` (NEW_IMAGE stream), function ``sink`` running ``handler`` (it appends to ``out``) and
    a BatchSize 100 mapping from LATEST between them; the stream's ARN."""
    ddb, lam = client("dynamodb", port), client("lambda", port)
    arn: str = ddb.create_table(TableName="pipe", BillingMode="PAY_PER_REQUEST",
                                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                                )["TableDescription"]["LatestStreamArn"]
    lam.create_function(FunctionName="sink", Runtime="python3.12", Handler="app.handler", Timeout=30,
                        Role="arn:aws:iam::000000000000:role/bench", Code={"ZipFile": zipped(handler)},
                        Environment={"Variables": {"BENCH_OUT": out}})
    lam.create_event_source_mapping(FunctionName="sink", EventSourceArn=arn, StartingPosition="LATEST",
                                    BatchSize=100)
    return arn


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--invokes", type=int, default=2000)
    args = parser.parse_args()
    port = free_port()
    proc, _ = start_riverbed(port)
    out = tempfile.mktemp(prefix="riverbed-bench-")
    try:
        ddb, lam = client("dynamodb", port), client("lambda", port)
        make_pipeline(port, HANDLER, out)
        time.sleep(0.3)

        # --- throughput -------------------------------------------------------------------------------
        n = args.records
        chunks = [[f"t{i:07d}" for i in range(s, min(n, s + 25))] for s in range(0, n, 25)]

        def write(keys: list[str]) -> None:
            c = local.client
            c.batch_write_item(RequestItems={"pipe": [
                {"PutRequest": {"Item": {"pk": {"S": k}, "payload": {"S": "x" * 150}}}} for k in keys]})

        local = threading.local()

        def init() -> None:
            local.client = client("dynamodb", port)

        t0 = time.time()
        with ThreadPoolExecutor(8, initializer=init) as pool:
            list(pool.map(write, chunks))
        t_written = time.time()
        seen = 0
        while time.time() - t0 < 300:
            seen = sum(r[0] for r in read_out(out))
            if seen >= n:
                break
            time.sleep(0.01)
        t_done = time.time()
        rows = read_out(out)
        batches = [r[0] for r in rows]
        metrics = ""
        try:
            import urllib.request

            metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
        except Exception:
            pass
        ages = [float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                if "IteratorAge" in line and "FunctionName" in line]
        print(json.dumps({"workload": "throughput", "records": n, "delivered": seen,
                          "write_s": round(t_written - t0, 3), "pipeline_s": round(t_done - t0, 3),
                          "records_per_s": round(seen / (t_done - t0), 1),
                          "writes_per_s": round(n / (t_written - t0), 1),
                          "batches": len(batches), "mean_batch": round(statistics.mean(batches), 1) if batches else 0,
                          "last_iterator_age_ms": ages[-1] if ages else None}), flush=True)

        # --- latency: ack -> handler start at low load ------------------------------------------------
        os.remove(out)
        lat, sent_lat = [], []
        for i in range(args.latency_samples):
            key = f"l{i:05d}"
            sent = time.time()
            ddb.put_item(TableName="pipe", Item={"pk": {"S": key}})
            acked = time.time()
            while True:
                hit = [r for r in read_out(out) if r[2] == key]
                if hit:
                    # The handler often starts before boto3 has finished parsing the acknowledgement,
                    # so ack->handler can be negative; send->handler is the upper bound.
                    lat.append((hit[0][1] - acked) * 1000)
                    sent_lat.append((hit[0][1] - sent) * 1000)
                    break
                time.sleep(0.0005)
        print(json.dumps({"workload": "latency", "samples": len(lat),
                          "ack_to_handler_p50_ms": round(percentile(lat, 0.5), 2),
                          "ack_to_handler_p99_ms": round(percentile(lat, 0.99), 2),
                          "send_to_handler_p50_ms": round(percentile(sent_lat, 0.5), 2),
                          "send_to_handler_p99_ms": round(percentile(sent_lat, 0.99), 2)}), flush=True)

        # --- warm synchronous Invoke ----------------------------------------------------------------------
        t = time.time()
        lam.create_function(FunctionName="echo", Runtime="python3.12", Handler="app.handler",
                            Role="arn:aws:iam::000000000000:role/bench", Code={"ZipFile": zipped(TRIVIAL)})
        t = time.time()
        lam.invoke(FunctionName="echo", Payload=b"{}")
        cold = (time.time() - t) * 1000
        for conc in (1, 8):
            times: list[float] = []

            def invoke(_i: int, times: list[float] = times) -> None:
                c = local.lam
                s = time.time()
                c.invoke(FunctionName="echo", Payload=b'{"x": 1}')
                times.append((time.time() - s) * 1000)

            def init_lam() -> None:
                local.lam = client("lambda", port)
                local.lam.invoke(FunctionName="echo", Payload=b"{}")

            with ThreadPoolExecutor(conc, initializer=init_lam) as pool:
                s = time.time()
                list(pool.map(invoke, range(args.invokes)))
                wall = time.time() - s
            print(json.dumps({"workload": "invoke", "concurrency": conc, "n": args.invokes,
                              "invokes_per_s": round(args.invokes / wall, 1),
                              "p50_ms": round(percentile(times, 0.5), 3), "p99_ms": round(percentile(times, 0.99), 3),
                              "cold_start_ms": round(cold, 1), "note": "over HTTP with boto3 (client cost included)"}),
                  flush=True)
    finally:
        proc.terminate()
        proc.wait()
        if os.path.exists(out):
            os.remove(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

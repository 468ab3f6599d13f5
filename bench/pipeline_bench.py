"""Pipeline benchmark: PutItem -> stream -> event source mapping (BatchSize 100) -> a Python handler.

    python bench/pipeline_bench.py [--records 100000] [--rate 0] [--producer fast|boto3] [--connections 4]
                                   [--latency-samples 200] [--invokes 2000] [--skip latency,invoke]
                                   [--writes-only] [--src OTHER_CHECKOUT/src]

Starts `riverbed serve --in-memory`, creates a table with a stream, a zipped handler (run in riverbed's
worker processes) and a mapping, then prints JSON lines:

* ``throughput``: BatchWriteItem (25 items of ~200 bytes) offered at ``--rate`` items/s (0: as fast as
  the producer goes) until ``--records`` are written; records/s from the first write until the handler
  has seen every record, the sustained rate (handler timestamps between 10% and 90% of the records),
  IteratorAge (maximum from CloudWatch GetMetricStatistics, last from /metrics), batches and mean batch
  size, and the CPU seconds per record of the server and of its Lambda worker processes.  The default
  producer (``fast``) pre-builds and signs every request before the clock starts and sends them over
  ``--connections`` keep-alive connections with bench/ddb_load.py's asyncio client, so it costs little
  CPU; ``boto3`` uses 8 boto3 threads (the old producer, ~12k items/s on 2 cores);
* ``latency``: PutItem acknowledgement -> handler start, p50/p99, one write at a time at low load;
* ``invoke``: warm synchronous Invoke of a trivial handler over HTTP at concurrency 1 and 8, and the
  cold start (first invoke after create).
Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
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
from ddb_load import DDB_PREFIX, Client, dumps
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


def make_pipeline(port: int, handler: str, out: str, *, mapping: bool = True) -> str:
    """Table ``pipe`` (NEW_IMAGE stream), function ``sink`` running ``handler`` (it appends to ``out``) and
    a BatchSize 100 mapping from LATEST between them (unless ``mapping`` is false); the stream's ARN."""
    ddb, lam = client("dynamodb", port), client("lambda", port)
    arn: str = ddb.create_table(TableName="pipe", BillingMode="PAY_PER_REQUEST",
                                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                                )["TableDescription"]["LatestStreamArn"]
    lam.create_function(FunctionName="sink", Runtime="python3.12", Handler="app.handler", Timeout=30,
                        Role="arn:aws:iam::000000000000:role/bench", Code={"ZipFile": zipped(handler)},
                        Environment={"Variables": {"BENCH_OUT": out}})
    if mapping:
        lam.create_event_source_mapping(FunctionName="sink", EventSourceArn=arn, StartingPosition="LATEST",
                                        BatchSize=100)
    return arn


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


ITEM_PAYLOAD = "x" * 150


def chunks_of(n: int) -> list[list[str]]:
    return [[f"t{i:07d}" for i in range(s, min(n, s + 25))] for s in range(0, n, 25)]


def cpu_seconds(pid: int) -> dict[str, float]:
    """User+system CPU seconds of ``pid`` and of each of its live children (the Lambda workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")

    def of(p: int) -> float:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    out = {"server": of(pid)}
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except OSError:
        children = []
    for child in children:
        out[f"worker{child}"] = of(child)
    return out


def warm_up(port: int, out: str) -> None:
    """Start the worker (its cold start stays out of the figures), then forget what it wrote."""
    client("dynamodb", port).put_item(TableName="pipe", Item={"pk": {"S": "warm"}})
    start = time.time()
    while not read_out(out) and time.time() - start < 30:
        time.sleep(0.01)
    os.remove(out)


async def produce_fast(port: int, chunks: list[list[str]], rate: float, connections: int) -> float:
    """Send every chunk as one BatchWriteItem over ``connections`` keep-alive connections; CPU seconds spent.

    Requests are built and signed before the clock starts; with ``rate`` > 0 request i is not sent before
    ``i * 25 / rate`` seconds.  Unprocessed items are not expected (riverbed has no throughput limits).
    """
    cl = Client(f"http://127.0.0.1:{port}", "us-east-1", "fast")
    target = DDB_PREFIX + "BatchWriteItem"
    raws = [cl.build(target, dumps({"RequestItems": {"pipe": [
        {"PutRequest": {"Item": {"pk": {"S": k}, "payload": {"S": ITEM_PAYLOAD}}}} for k in keys]}}))
        for keys in chunks]
    conns = [cl.conn() for _ in range(connections)]
    for c in conns:
        await c._connect()
    counter = iter(range(len(raws)))
    per_request = 25 / rate if rate else 0.0
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def worker(conn) -> None:
        for i in counter:
            if per_request:
                delay = start + i * per_request - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            status, body = await conn.request(raws[i])
            if status != 200 or b"UnprocessedItems\":{}" not in body:
                raise RuntimeError(f"BatchWriteItem -> {status}: {body[:200]!r}")

    cpu0 = time.process_time()
    await asyncio.gather(*(worker(c) for c in conns))
    for c in conns:
        c.close()
    return time.process_time() - cpu0


def produce_boto3(port: int, chunks: list[list[str]]) -> float:
    local = threading.local()

    def init() -> None:
        local.client = client("dynamodb", port)

    def write(keys: list[str]) -> None:
        local.client.batch_write_item(RequestItems={"pipe": [
            {"PutRequest": {"Item": {"pk": {"S": k}, "payload": {"S": ITEM_PAYLOAD}}}} for k in keys]})

    cpu0 = time.process_time()
    with ThreadPoolExecutor(8, initializer=init) as pool:
        list(pool.map(write, chunks))
    return time.process_time() - cpu0


def throughput(args: argparse.Namespace, port: int, server_pid: int, out: str) -> dict[str, object]:
    n = args.records
    chunks = chunks_of(n)
    cpu0 = cpu_seconds(server_pid)
    t0 = time.time()
    if args.producer == "fast":
        producer_cpu = asyncio.run(produce_fast(port, chunks, args.rate, args.connections))
    else:
        producer_cpu = produce_boto3(port, chunks)
    t_written = time.time()
    seen = 0
    while not args.writes_only and time.time() - t0 < 600:
        seen = sum(r[0] for r in read_out(out))
        if seen >= n:
            break
        time.sleep(0.01)
    t_done = time.time()
    cpu1 = cpu_seconds(server_pid)
    rows = read_out(out)
    batches = [r[0] for r in rows]
    # Sustained: the handler's own start times between the batches that reach 10% and 90% of the records.
    done, lo, hi = 0, None, None
    for count, ts, _key in rows:
        done += count
        if lo is None and done >= 0.1 * n:
            lo = (done, ts)
        if hi is None and done >= 0.9 * n:
            hi = (done, ts)
    sustained = round((hi[0] - lo[0]) / (hi[1] - lo[1]), 1) if lo and hi and hi[1] > lo[1] else None
    cw = client("cloudwatch", port)
    stats = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName="IteratorAge",
                                     Dimensions=[{"Name": "FunctionName", "Value": "sink"}],
                                     StartTime=t0 - 120, EndTime=time.time() + 60, Period=60,
                                     Statistics=["Maximum"])["Datapoints"]
    metrics = ""
    try:
        import urllib.request

        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    except Exception:
        pass
    ages = [float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
            if "IteratorAge" in line and "FunctionName" in line and not line.startswith("#")]
    server_cpu = cpu1["server"] - cpu0["server"]
    worker_cpu = sum(v - cpu0.get(k, 0.0) for k, v in cpu1.items() if k != "server")
    wall = t_done - t0
    return {"workload": "writes only" if args.writes_only else "throughput", "producer": args.producer,
            "records": n, "delivered": seen,
            "offered_rate": args.rate or "max", "write_s": round(t_written - t0, 3),
            "writes_per_s": round(n / (t_written - t0), 1), "pipeline_s": round(wall, 3),
            "records_per_s": round(seen / wall, 1), "sustained_records_per_s": sustained,
            "batches": len(batches), "mean_batch": round(statistics.mean(batches), 1) if batches else 0,
            "iterator_age_max_ms": max((d["Maximum"] for d in stats), default=None),
            "iterator_age_last_ms": ages[-1] if ages else None,
            "server_cpu_util": round(server_cpu / wall, 3), "worker_cpu_util": round(worker_cpu / wall, 3),
            "server_us_per_record": round(server_cpu / n * 1e6, 1),
            "worker_us_per_record": round(worker_cpu / n * 1e6, 1),
            "producer_us_per_record": round(producer_cpu / n * 1e6, 1)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--rate", type=float, default=0.0, help="items/s offered; 0: as fast as possible")
    parser.add_argument("--producer", choices=["fast", "boto3"], default="fast")
    parser.add_argument("--connections", type=int, default=4, help="keep-alive connections (fast producer)")
    parser.add_argument("--src", default=None, help="the src/ directory of another checkout to serve from "
                        "(e.g. the one before a change); the default is this checkout's")
    parser.add_argument("--writes-only", action="store_true",
                        help="no mapping: the server's CPU per record for the writes alone (then stop)")
    parser.add_argument("--skip", default="", help="comma list of workloads to skip: latency, invoke")
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--invokes", type=int, default=2000)
    args = parser.parse_args()
    port = free_port()
    proc, _ = start_riverbed(port, src=args.src)
    out = tempfile.mktemp(prefix="riverbed-bench-")
    try:
        ddb, lam = client("dynamodb", port), client("lambda", port)
        make_pipeline(port, HANDLER, out, mapping=not args.writes_only)
        time.sleep(0.3)

        # --- throughput -------------------------------------------------------------------------------
        if args.writes_only:
            print(json.dumps(throughput(args, port, proc.pid, out)), flush=True)
            return 0
        warm_up(port, out)
        print(json.dumps(throughput(args, port, proc.pid, out)), flush=True)

        # --- latency: ack -> handler start at low load ------------------------------------------------
        if "latency" in args.skip:
            return 0
        if os.path.exists(out):
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
        if "invoke" in args.skip:
            return 0
        local = threading.local()
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

"""Dashboard benchmark: a pipeline at ~1,000 records/s with and without open dashboard pages.

    python bench/dashboard_bench.py [--seconds 8] [--rate 1000] [--pages 3]

Starts `riverbed serve --in-memory`, a table with a stream, a zipped handler in riverbed's worker
processes and a mapping (BatchSize 100).  Each phase writes ``--rate`` records a second for
``--seconds`` (BatchWriteItem of 25, paced), then waits until the handler has seen every record.
Phase ``pages=0`` has no dashboard open; phase ``pages=N`` has N clients that behave like open pages:
each holds ``/_riverbed/ui/events`` and, on every ``change`` event, fetches the overview and the stream
views (what the overview and stream pages fetch).  Prints one JSON line per phase: achieved write rate,
time until the pipeline delivered everything after the last write (``drain_after_writes_ms``), change
events and page fetches per second.  Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from pipeline_bench import client, make_pipeline, read_out
from run import free_port, start_riverbed

HANDLER = '''
import os
OUT = os.environ["BENCH_OUT"]

def handler(event, context):
    with open(OUT, "a") as f:
        f.write("%d 0 %s\\n" % (len(event["Records"]), event["Records"][-1]["dynamodb"]["Keys"]["pk"]["S"]))
'''


class Page(threading.Thread):
    """A dashboard page: the event stream, and the page's views fetched again on every change."""

    def __init__(self, base: str, stream_arn: str) -> None:
        super().__init__(daemon=True)
        self.base, self.arn = base, stream_arn
        self.events = self.fetches = 0
        self.fetch_s = 0.0
        self.stop = False

    def run(self) -> None:
        with urllib.request.urlopen(f"{self.base}/_riverbed/ui/events", timeout=60) as stream:
            for raw in stream:
                if self.stop:
                    return
                if raw.startswith(b"event: change"):
                    self.events += 1
                    t = time.perf_counter()
                    urllib.request.urlopen(f"{self.base}/_riverbed/ui/api/overview").read()
                    urllib.request.urlopen(f"{self.base}/_riverbed/ui/api/stream?arn={self.arn}").read()
                    self.fetch_s += time.perf_counter() - t
                    self.fetches += 2


def phase(port: int, arn: str, out: str, label: str, args: argparse.Namespace, pages: int) -> None:
    base = f"http://127.0.0.1:{port}"
    open_pages = [Page(base, arn) for _ in range(pages)]
    for page in open_pages:
        page.start()
    time.sleep(0.5)
    if os.path.exists(out):
        os.remove(out)
    total = args.rate * args.seconds
    chunks = [[f"{label}{i:07d}" for i in range(s, min(total, s + 25))] for s in range(0, total, 25)]
    local = threading.local()

    def init() -> None:
        local.client = client("dynamodb", port)

    def write(i_keys: tuple[int, list[str]]) -> None:
        i, keys = i_keys
        due = t0 + i * 25 / args.rate          # paced: chunk i leaves at its share of the second
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        local.client.batch_write_item(RequestItems={"pipe": [
            {"PutRequest": {"Item": {"pk": {"S": k}, "payload": {"S": "x" * 150}}}} for k in keys]})

    t0 = time.time()
    with ThreadPoolExecutor(4, initializer=init) as pool:
        list(pool.map(write, enumerate(chunks)))
    t_written = time.time()
    seen = 0
    while time.time() - t_written < 120:
        seen = sum(r[0] for r in read_out(out))
        if seen >= total:
            break
        time.sleep(0.005)
    t_done = time.time()
    for page in open_pages:
        page.stop = True
    events = sum(p.events for p in open_pages)
    fetches = sum(p.fetches for p in open_pages)
    print(json.dumps({"workload": "dashboard", "pages": pages, "records": total, "delivered": seen,
                      "writes_per_s": round(total / (t_written - t0), 1),
                      "drain_after_writes_ms": round((t_done - t_written) * 1000, 1),
                      "change_events_per_s_per_page": round(events / max(pages, 1) / (t_done - t0), 2),
                      "page_fetches_per_s": round(fetches / (t_done - t0), 1),
                      "mean_fetch_ms": round(sum(p.fetch_s for p in open_pages) * 1000 / max(fetches / 2, 1), 1)}),
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    proc, _ = start_riverbed(port)
    out = tempfile.mktemp(prefix="riverbed-dash-bench-")
    try:
        arn = make_pipeline(port, HANDLER, out)
        time.sleep(0.5)
        phase(port, arn, out, "a", args, 0)
        phase(port, arn, out, "b", args, args.pages)
        phase(port, arn, out, "c", args, 0)
    finally:
        proc.terminate()
        proc.wait()
        if os.path.exists(out):
            os.remove(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

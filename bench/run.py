"""Benchmark riverbed against moto's server with the shared load generator; print figures and ratios.

    python bench/run.py [--n 4000] [--concurrency 1,32] [--workloads create,put,get,update,stream,e2e]
                        [--loadgen bench/ddb_load.py] [--no-moto] [--runs 3]

Starts `riverbed serve --in-memory` (and `python -m moto.server` when moto is installed) on free
ports, runs the generator against each (same invocation, same machine), and prints one JSON line per
workload per target plus a summary with medians over --runs and riverbed/moto ratios.  Also measures
cold start (process start -> first answered ListTables) and idle RSS.  This is not a test: it asserts
nothing; it prints what it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, timeout: float = 30.0) -> float:
    start = time.perf_counter()
    body = b"{}"
    while time.perf_counter() - start < timeout:
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, method="POST", headers={
                "X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0",
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, "
                                 "SignedHeaders=host, Signature=0"})
            with urllib.request.urlopen(req, timeout=1) as resp:
                if resp.status == 200:
                    return time.perf_counter() - start
        except Exception:
            time.sleep(0.005)
    raise RuntimeError(f"nothing answered on port {port}")


def start_riverbed(port: int) -> tuple[subprocess.Popen, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "riverbed.cli.main", "serve", "--in-memory", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    wait_ready(port)
    return proc, time.perf_counter() - t0


def start_moto(port: int) -> subprocess.Popen | None:
    try:
        import moto  # noqa: F401
    except ImportError:
        return None
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port, 60)
    return proc


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_load(loadgen: str, port: int, label: str, args: argparse.Namespace, workloads: str | None = None,
             extra: tuple[str, ...] = ()) -> list[dict]:
    cmd = [sys.executable, loadgen, "--endpoint", f"http://127.0.0.1:{port}", "--label", label,
           "--workloads", workloads or args.workloads, "--n", str(args.n), "--concurrency", args.concurrency, *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    rows = []
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))
            print(line, flush=True)
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
    return rows


def key(row: dict) -> str:
    return f"{row['workload']}@{row.get('concurrency', '-')}"


FIGURES = ("ops_per_s", "p50_ms", "p99_ms", "records_per_s", "ack_to_visible_p50_ms", "ack_to_visible_p99_ms",
           "active_ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loadgen", default=os.environ.get("RIVERBED_LOADGEN",
                                                            str(ROOT / "bench" / "ddb_load.py")))
    parser.add_argument("--workloads", default="create,put,get,update,stream,e2e")
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--concurrency", default="1,32")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-moto", action="store_true")
    args = parser.parse_args()
    if not Path(args.loadgen).exists():
        print(f"load generator not found at {args.loadgen} (set --loadgen or RIVERBED_LOADGEN)", file=sys.stderr)
        return 2
    results: dict[str, dict[str, list[dict]]] = {"riverbed": {}, "moto": {}}
    colds, rsss = [], []
    for _ in range(args.runs):
        port = free_port()
        proc, cold = start_riverbed(port)
        colds.append(cold)
        time.sleep(0.3)
        rsss.append(rss_mb(proc.pid))
        try:
            for row in run_load(args.loadgen, port, "riverbed", args):
                results["riverbed"].setdefault(key(row), []).append(row)
            # The same server, a table without a stream: what the stream costs a PutItem.
            for row in run_load(args.loadgen, port, "riverbed-no-stream", args, "create,put", ("--no-streams",)):
                if row["workload"] == "put":
                    results["riverbed"].setdefault(key(row) + "-no-stream", []).append(row)
        finally:
            proc.terminate()
            proc.wait()
        if not args.no_moto:
            mport = free_port()
            moto = start_moto(mport)
            if moto is not None:
                try:
                    for row in run_load(args.loadgen, mport, "moto", args):
                        results["moto"].setdefault(key(row), []).append(row)
                finally:
                    moto.terminate()
                    moto.wait()
    summary: dict[str, dict] = {"cold_start_s_median": round(statistics.median(colds), 3),
                                "idle_rss_mb_median": round(statistics.median(rsss), 1), "workloads": {}}
    for k, rows in results["riverbed"].items():
        entry: dict = {}
        for fig in FIGURES:
            values = [r[fig] for r in rows if isinstance(r.get(fig), (int, float))]
            if values:
                entry[fig] = round(statistics.median(values), 3)
                peer = [r[fig] for r in results["moto"].get(k, []) if isinstance(r.get(fig), (int, float))]
                if peer and fig in ("ops_per_s", "records_per_s") and statistics.median(peer):
                    entry[f"{fig}_vs_moto"] = round(statistics.median(values) / statistics.median(peer), 1)
        errors = sum(r.get("errors", 0) or 0 for r in rows)
        if errors:
            entry["errors"] = errors
        summary["workloads"][k] = entry
    for conc in args.concurrency.split(","):
        with_stream = summary["workloads"].get(f"put@{conc}", {}).get("ops_per_s")
        without = summary["workloads"].get(f"put@{conc}-no-stream", {}).get("ops_per_s")
        if with_stream and without:
            summary[f"put@{conc}_with_stream_vs_without"] = round(with_stream / without, 3)
    print(json.dumps({"summary": summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

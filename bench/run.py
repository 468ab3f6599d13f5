"""Benchmark riverbed side by side with its peers (dynalite, moto, MiniStack); print figures and ratios.

    python bench/run.py [--n 4000] [--concurrency 1,32] [--workloads create,put,get,update,stream,e2e]
                        [--targets riverbed,riverbed-file,dynalite,moto,ministack] [--runs 3]
                        (a target ``riverbed@/path/to/src`` runs another checkout, e.g. the one before a change)
                        [--loadgen bench/ddb_load.py] [--no-moto] [--stream-cost]

Starts each target on a free port, one after the other and interleaved over --runs (so machine noise
spreads over all of them), runs the shared load generator against it, and prints one JSON line per
workload per target, then a table of medians with min..max over the runs and each target's ratio to
riverbed.  Peers are optional and skipped with a note when missing:

* dynalite: ``cd bench/peers && npm install dynalite`` (bench/peers/ is git-ignored); no streams.
* moto: ``pip install 'moto[server]'``; slow, so it gets a quarter of --n.
* MiniStack: ``python3 -m venv bench/peers/ms-venv && bench/peers/ms-venv/bin/pip install ministack``.

Riverbed also reports cold start (process start -> first answered ListTables) and idle RSS.  This is
not a test: it asserts nothing; it prints what it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

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
                                 "SignedHeaders=host, Signature=0", "X-Amz-Date": "20240101T000000Z"})
            with urllib.request.urlopen(req, timeout=1) as resp:
                if resp.status == 200:
                    return time.perf_counter() - start
        except Exception:
            time.sleep(0.005)
    raise RuntimeError(f"nothing answered on port {port}")


PEERS = ROOT / "bench" / "peers"


def start_riverbed(port: int, data_dir: str | None = None, src: str | None = None) -> tuple[subprocess.Popen, float]:
    t0 = time.perf_counter()
    where = ["--data-dir", data_dir] if data_dir else ["--in-memory"]
    proc = subprocess.Popen([sys.executable, "-m", "riverbed.cli.main", "serve", *where, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONPATH=src or str(ROOT / "src")))
    wait_ready(port)
    return proc, time.perf_counter() - t0


def peer_command(name: str, port: int) -> list[str] | None:
    """How to start a peer on ``port``, or None when it is not installed."""
    if name == "moto":
        try:
            import moto  # noqa: F401
        except ImportError:
            return None
        return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    if name == "dynalite":
        cli = PEERS / "node_modules" / "dynalite" / "cli.js"
        node = shutil.which("node")
        return [node, str(cli), "--port", str(port)] if cli.exists() and node else None
    if name == "ministack":
        exe = PEERS / "ms-venv" / "bin" / "ministack"
        return [str(exe)] if exe.exists() else None
    raise ValueError(name)


def start_peer(name: str, port: int) -> subprocess.Popen | None:
    cmd = peer_command(name, port)
    if cmd is None:
        return None
    env = dict(os.environ, GATEWAY_PORT=str(port), MINISTACK_PORT=str(port), EDGE_PORT=str(port))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_ready(port, 60)
    except RuntimeError:
        proc.terminate()
        proc.wait()
        return None
    return proc


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (less sensitive to a busy machine than wall time)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def note_cpu(results: dict[str, dict[str, list[dict]]], name: str, rows: list[dict], cpu: float) -> None:
    requests = sum(r.get("n", 0) for r in rows if r.get("workload") in ("put", "get", "update"))
    if requests:
        results[name].setdefault("server_cpu_us_per_request", []).append(
            {"workload": "server_cpu", "ops_per_s": round(cpu / requests * 1e6, 1)})


def run_load(loadgen: str, port: int, label: str, args: argparse.Namespace, workloads: str | None = None,
             extra: tuple[str, ...] = (), n: int | None = None) -> list[dict]:
    cmd = [sys.executable, loadgen, "--endpoint", f"http://127.0.0.1:{port}", "--label", label,
           "--workloads", workloads or args.workloads, "--n", str(n or args.n), "--concurrency", args.concurrency,
           *extra]
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
PEER_WORKLOADS = "create,put,get,update"   # what every peer can do (dynalite has no streams)


def run_target(name: str, args: argparse.Namespace, results: dict[str, dict[str, list[dict]]],
               colds: list[float], rsss: list[float]) -> None:
    port = free_port()
    if name.startswith("riverbed"):
        kind, _, src = name.partition("@")      # riverbed-file@/other/checkout/src: another version
        data_dir = tempfile.mkdtemp(prefix="riverbed-bench-") if kind == "riverbed-file" else None
        proc, cold = start_riverbed(port, data_dir, src or None)
        if name == "riverbed":
            colds.append(cold)
            time.sleep(0.3)
            rsss.append(rss_mb(proc.pid))
        try:
            cpu0 = cpu_s(proc.pid)
            rows = run_load(args.loadgen, port, name, args)
            note_cpu(results, name, rows, cpu_s(proc.pid) - cpu0)
            for row in rows:
                results[name].setdefault(key(row), []).append(row)
            if args.stream_cost:
                # The same server, a table without a stream: what the stream costs a PutItem.
                for row in run_load(args.loadgen, port, f"{name}-no-stream", args, "create,put", ("--no-streams",)):
                    if row["workload"] == "put":
                        results[name].setdefault(key(row) + "-no-stream", []).append(row)
        finally:
            proc.terminate()
            proc.wait()
            if data_dir:
                shutil.rmtree(data_dir, ignore_errors=True)
        return
    proc = start_peer(name, port)
    if proc is None:
        if name not in args.missing:
            args.missing.append(name)
        return
    slow = name in ("moto", "ministack")
    workloads = ",".join(w for w in args.workloads.split(",") if w in PEER_WORKLOADS)
    extra = ("--no-streams",) if name == "dynalite" else ()
    try:
        cpu0 = cpu_s(proc.pid)
        rows = run_load(args.loadgen, port, name, args, workloads, extra, max(200, args.n // 4) if slow else None)
        note_cpu(results, name, rows, cpu_s(proc.pid) - cpu0)
        for row in rows:
            results[name].setdefault(key(row), []).append(row)
    finally:
        proc.terminate()
        proc.wait()


def spread(values: list[float]) -> str:
    med = statistics.median(values)
    fmt = (lambda v: f"{v:,.0f}") if med >= 100 else (lambda v: f"{v:.2f}")
    return f"{fmt(med)} [{fmt(min(values))}..{fmt(max(values))}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loadgen", default=os.environ.get("RIVERBED_LOADGEN",
                                                            str(ROOT / "bench" / "ddb_load.py")))
    parser.add_argument("--workloads", default="create,put,get,update,stream,e2e")
    parser.add_argument("--targets", default="riverbed,dynalite,moto,ministack")
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--concurrency", default="1,32")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-moto", action="store_true")
    parser.add_argument("--stream-cost", action="store_true", help="also PutItem on a table without a stream")
    args = parser.parse_args()
    args.missing = []
    if not Path(args.loadgen).exists():
        print(f"load generator not found at {args.loadgen} (set --loadgen or RIVERBED_LOADGEN)", file=sys.stderr)
        return 2
    targets = [t for t in args.targets.split(",") if t and not (args.no_moto and t == "moto")]
    results: dict[str, dict[str, list[dict]]] = {t: {} for t in targets}
    colds: list[float] = []
    rsss: list[float] = []
    for _ in range(args.runs):
        for name in targets:
            run_target(name, args, results, colds, rsss)
    summary: dict[str, Any] = {"workloads": {}}
    if colds:
        summary["cold_start_s_median"] = round(statistics.median(colds), 3)
        summary["idle_rss_mb_median"] = round(statistics.median(rsss), 1)
    base = targets[0]
    for name in targets:
        for k, rows in results[name].items():
            entry: dict = {}
            for fig in FIGURES:
                values = [r[fig] for r in rows if isinstance(r.get(fig), (int, float))]
                if values:
                    entry[fig] = round(statistics.median(values), 3)
                    entry[f"{fig}_min_max"] = [min(values), max(values)]
            errors = sum(r.get("errors", 0) or 0 for r in rows)
            if errors:
                entry["errors"] = errors
            summary["workloads"].setdefault(k, {})[name] = entry
    for conc in args.concurrency.split(","):
        put = summary["workloads"].get(f"put@{conc}", {}).get(base, {}).get("ops_per_s")
        without = summary["workloads"].get(f"put@{conc}-no-stream", {}).get(base, {}).get("ops_per_s")
        if put and without:
            summary[f"put@{conc}_with_stream_vs_without"] = round(put / without, 3)
    if args.missing:
        summary["skipped (not installed)"] = args.missing
    print(json.dumps({"summary": summary}, indent=2))
    # The side-by-side table: median [min..max] over the runs, and the ratio of each target to the first.
    # Row server_cpu_us_per_request: µs of the server's CPU per put/get/update request, in the ops/s column.
    print(f"\n{'workload':<14}{'target':<22}{'ops/s median [min..max]':<32}{'p99 ms median [min..max]':<30}"
          f"ratio to {base}")
    for k in sorted(summary["workloads"]):
        if k.split("@")[0] not in ("put", "get", "update", "server_cpu_us_per_request"):
            continue
        base_ops = [r["ops_per_s"] for r in results[base].get(k, [])]
        for name in targets:
            rows = results[name].get(k, [])
            if not rows:
                continue
            ops = [r["ops_per_s"] for r in rows]
            p99 = [r["p99_ms"] for r in rows if r.get("p99_ms") is not None]
            ratio = f"{statistics.median(ops) / statistics.median(base_ops):.2f}" if base_ops else "-"
            print(f"{k:<14}{name:<22}{spread(ops):<32}{spread(p99) if p99 else '-':<30}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ceiling of "several server processes" (issue 18): N independent riverbed servers, each with its own
store, loaded at the same time, against one dynalite, on this machine.

    python bench/scaling_bench.py [--n 4000] [--concurrency 32] [--processes 1,2] [--runs 3]
                                  [--workloads create,put,get,update]

Riverbed keeps one writer per store and wakes its stream readers in process, so several processes on one
port would need the cross-process wake-ups and write serialization the PostgreSQL nodes have.  Before
building that, this measures what it could give at best: N ``riverbed serve --in-memory`` processes that
share nothing (no coordination at all, so no cost of it), each driven by its own load generator
(bench/ddb_load.py) at concurrency/N, all at once; the figure is the sum of their ops/s.  dynalite (one
process, concurrency 32) runs in the same invocation for the ratio, interleaved over --runs.  The load
generators run on the same cores as the servers, as in bench/run.py.  Prints JSON lines and a table of
medians [min..max]; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import free_port, start_peer, start_riverbed

HERE = Path(__file__).resolve().parent


def load(ports: list[int], n: int, concurrency: int, workloads: str, streams: bool) -> dict[str, float]:
    """Run one load generator per port at once; ops/s summed per workload."""
    share = max(1, concurrency // len(ports))
    procs = [subprocess.Popen([sys.executable, str(HERE / "ddb_load.py"), "--endpoint", f"http://127.0.0.1:{port}",
                               "--workloads", workloads, "--n", str(n // len(ports)), "--concurrency", str(share),
                               *([] if streams else ["--no-streams"])],
                              stdout=subprocess.PIPE, text=True) for port in ports]
    totals: dict[str, float] = {}
    for proc in procs:
        out, _ = proc.communicate()
        for line in out.splitlines():
            row = json.loads(line)
            if "ops_per_s" in row and row.get("workload") != "create":
                totals[row["workload"]] = totals.get(row["workload"], 0.0) + float(row["ops_per_s"])
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workloads", default="create,put,get,update")
    args = parser.parse_args()
    targets = [f"riverbed x{p}" for p in (int(x) for x in args.processes.split(","))] + ["dynalite"]
    results: dict[str, dict[str, list[float]]] = {t: {} for t in targets}
    for run in range(args.runs):
        for target in targets if run % 2 == 0 else list(reversed(targets)):
            procs: list[subprocess.Popen[bytes]] = []
            try:
                if target == "dynalite":
                    port = free_port()
                    peer = start_peer("dynalite", port)
                    if peer is None:
                        print(json.dumps({"target": target, "skipped": "not installed (cd bench/peers && "
                                                                        "npm install dynalite)"}))
                        continue
                    procs.append(peer)
                    ports = [port]
                else:
                    ports = [free_port() for _ in range(int(target.split("x")[1]))]
                    procs += [start_riverbed(port)[0] for port in ports]
                totals = load(ports, args.n, args.concurrency, args.workloads, streams=target != "dynalite")
            finally:
                for proc in procs:
                    proc.terminate()
                    proc.wait()
            print(json.dumps({"target": target, "run": run, "ops_per_s": {k: round(v) for k, v in totals.items()}}),
                  flush=True)
            for workload, value in totals.items():
                results[target].setdefault(workload, []).append(value)
    print(f"\n{'workload':<10}{'target':<14}{'ops/s median [min..max]':<30}ratio to dynalite")
    for workload in sorted({w for r in results.values() for w in r}):
        base = statistics.median(results["dynalite"].get(workload) or [0]) or None
        for target in targets:
            values = results[target].get(workload)
            if not values:
                continue
            median = statistics.median(values)
            ratio = f"{median / base:.2f}" if base else "-"
            print(f"{workload:<10}{target:<14}{f'{median:,.0f} [{min(values):,.0f}..{max(values):,.0f}]':<30}{ratio}")


if __name__ == "__main__":
    main()

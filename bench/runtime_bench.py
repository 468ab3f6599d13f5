"""Lambda runtime benchmark, inside riverbed (no HTTP): cold start, and warm synchronous invocations of
a trivial handler at concurrency 1 and 8 (p50/p99 latency, invocations/s).

    python bench/runtime_bench.py [--n 2000]

Prints JSON lines; asserts nothing.  (bench/pipeline_bench.py measures Invoke over HTTP with boto3.)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from riverbed.clock import SystemClock
from riverbed.runtime import FunctionSpec, Runtime


def spec(code: bytes, name: str = "echo") -> FunctionSpec:
    return FunctionSpec(name=name, arn=f"arn:aws:lambda:us-east-1:000000000000:function:{name}", version="$LATEST",
                        handler="app.handler", runtime="python3.12", timeout=30, memory_size=128, environment={},
                        code_sha256=str(hash(code)), code_zip=code, revision="1", region="us-east-1",
                        account="000000000000")


def zipped() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(clock=SystemClock(), work_dir=Path(tmp), endpoint_url=lambda: "http://127.0.0.1:4566")
        try:
            fn = spec(zipped())
            colds = []
            for i in range(5):
                cold_spec = spec(zipped(), name=f"cold{i}")
                t = time.perf_counter()
                await runtime.invoke(cold_spec, b"{}")
                colds.append((time.perf_counter() - t) * 1000)
            print(json.dumps({"workload": "cold_start", "p50_ms": round(pct(colds, 0.5), 2),
                              "max_ms": round(max(colds), 2)}), flush=True)
            await runtime.invoke(fn, b"{}")
            for concurrency in (1, 8):
                times: list[float] = []
                await asyncio.gather(*(runtime.invoke(fn, b"{}") for _ in range(concurrency)))

                async def worker(count: int, times: list[float] = times) -> None:
                    for _ in range(count):
                        t = time.perf_counter()
                        await runtime.invoke(fn, b'{"x": 1}')
                        times.append((time.perf_counter() - t) * 1000)

                t0 = time.perf_counter()
                await asyncio.gather(*(worker(n // concurrency) for _ in range(concurrency)))
                wall = time.perf_counter() - t0
                print(json.dumps({"workload": "warm_invoke", "concurrency": concurrency, "n": len(times),
                                  "invokes_per_s": round(len(times) / wall, 1), "p50_ms": round(pct(times, 0.5), 3),
                                  "p99_ms": round(pct(times, 0.99), 3)}), flush=True)
        finally:
            await runtime.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.n))
    sys.exit(0)

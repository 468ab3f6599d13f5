"""Batching-window benchmark: single PutItems written while a 60 s MaximumBatchingWindowInSeconds fills.

    python bench/window_bench.py [--records 1000] [--batch-size 1000] [--window 60]

Runs riverbed in process (manual clock) with an in-process handler and a mapping with the given window
and BatchSize, writes ``--records`` single PutItems one at a time while the window is open (the poller
wakes on every commit), then advances the clock past the window and drains.  Prints one JSON line:

* ``decodes_per_record``: stream-record decodes done by the poller (``orjson.loads`` as seen from
  ``riverbed.triggers.poller``) divided by the records delivered;
* ``poller_reads`` / ``poller_read_cpu_ms``: calls of ``ShardPoller._read`` and the CPU time spent in them
  (thread CPU; reading, decoding, filtering and sizing), plus ``payload_cpu_ms`` for building the event;
* ``write_s`` (all PutItems), ``end_to_end_s`` (first PutItem until the handler has every record), batches.
Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import types
from collections.abc import Callable
from typing import Any

import orjson

import riverbed
from riverbed.triggers import poller as poller_module


class Counters:
    def __init__(self) -> None:
        self.decodes = 0
        self.reads = 0
        self.read_cpu = 0.0
        self.payload_cpu = 0.0


def instrument(counters: Counters) -> None:
    """Count the poller's decodes and time its synchronous read and payload steps (bench only)."""
    real_loads = orjson.loads

    def counting_loads(data: Any) -> Any:
        counters.decodes += 1
        return real_loads(data)

    proxy = types.SimpleNamespace(**{name: getattr(orjson, name) for name in dir(orjson) if not name.startswith("__")})
    proxy.loads = counting_loads
    poller_module.orjson = proxy  # type: ignore[assignment]

    cls = poller_module.ShardPoller

    def timed(method: Callable[..., Any], kind: str) -> Callable[..., Any]:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return method(self, *args, **kwargs)
            finally:
                spent = time.thread_time() - start
                if kind == "read":
                    counters.reads += 1
                    counters.read_cpu += spent
                else:
                    counters.payload_cpu += spent
        return wrapper

    cls._read = timed(cls._read, "read")  # type: ignore[method-assign]
    cls._event = timed(cls._event, "payload")  # type: ignore[method-assign]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--window", type=int, default=60)
    args = parser.parse_args()
    counters = Counters()
    instrument(counters)
    seen: list[int] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        seen.append(len(event["Records"]))

    with riverbed.Riverbed() as rb:
        ddb, lam = rb.client("dynamodb"), rb.client("lambda")
        arn = ddb.create_table(TableName="win", BillingMode="PAY_PER_REQUEST",
                               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                               StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                               )["TableDescription"]["LatestStreamArn"]
        rb.register_function("sink", handler)
        lam.create_event_source_mapping(FunctionName="sink", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                        BatchSize=args.batch_size, MaximumBatchingWindowInSeconds=args.window)
        t0 = time.perf_counter()
        for i in range(args.records):
            ddb.put_item(TableName="win", Item={"pk": {"S": f"k{i:06d}"}, "payload": {"S": "x" * 150}})
            if i % 100 == 0:
                time.sleep(0.01)  # let the poller start and wake, as a live writer would
        t_written = time.perf_counter()
        rb.clock.advance(args.window + 1)
        rb.drain()
        t_done = time.perf_counter()
        delivered = sum(seen)
        print(json.dumps({
            "workload": "batching_window", "records": args.records, "batch_size": args.batch_size,
            "window_s": args.window, "delivered": delivered, "batches": len(seen),
            "decodes": counters.decodes,
            "decodes_per_record": round(counters.decodes / delivered, 2) if delivered else None,
            "poller_reads": counters.reads, "poller_read_cpu_ms": round(counters.read_cpu * 1000, 1),
            "payload_cpu_ms": round(counters.payload_cpu * 1000, 1),
            "write_s": round(t_written - t0, 3), "end_to_end_s": round(t_done - t0, 3),
        }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Testing-API benchmark: in-process start time, and a generated suite of 100 tests that each create a
table, a function and a mapping, write, and drain (issue 8's quality bar: < 150 ms start, < 30 s suite).

    python bench/testing_api_bench.py [--tests 100] [--workers 0]

Prints JSON lines; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TEST_TEMPLATE = '''
import pytest

def handler(event, context):
    return None

@pytest.mark.parametrize("i", range({n}))
def test_pipeline(riverbed, riverbed_client, i):
    ddb, lam = riverbed_client("dynamodb"), riverbed_client("lambda")
    arn = ddb.create_table(TableName=f"tbl{{i}}", BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{{"AttributeName": "pk", "AttributeType": "S"}}],
                           KeySchema=[{{"AttributeName": "pk", "KeyType": "HASH"}}],
                           StreamSpecification={{"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}},
                           )["TableDescription"]["LatestStreamArn"]
    riverbed.register_function("fn", handler)
    lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    ddb.put_item(TableName=f"tbl{{i}}", Item={{"pk": {{"S": "a"}}}})
    riverbed.drain()
'''


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", type=int, default=100)
    parser.add_argument("--workers", type=int, default=0, help="pytest-xdist workers (0 = none)")
    args = parser.parse_args()
    starts = []
    code = ("import time; t=time.perf_counter(); import riverbed; rb=riverbed.Riverbed(); rb.start(); "
            "print(time.perf_counter()-t); rb.close()")
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        starts.append(float(out.stdout.strip().splitlines()[-1]))
    print(json.dumps({"workload": "in_process_start",
                      "first_start_ms_median": round(statistics.median(starts) * 1000, 1),
                      "includes": "import riverbed + start on a fresh interpreter"}), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "test_generated.py")
        with open(path, "w") as f:
            f.write(TEST_TEMPLATE.format(n=args.tests))
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path]
        if args.workers:
            cmd += ["-n", str(args.workers)]
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
        wall = time.perf_counter() - t
        print(json.dumps({"workload": "suite", "tests": args.tests, "workers": args.workers,
                          "wall_s": round(wall, 2), "result": out.stdout.strip().splitlines()[-1]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""riverbed benchmark: S3 PutObject / GetObject throughput for 1 KB and 8 MB objects, through boto3.

Starts an in-process riverbed (in memory, or on a data directory with ``--data-dir`` to include the
fsync of each object), then for each size runs N PutObject and N GetObject calls from one client and
prints one JSON line per (operation, size): requests/s and MB/s.  boto3 over plain HTTP hashes each
body (SHA-256 payload signing and a CRC32 checksum), so the figures include that client cost.

    python bench/s3_bench.py --small 500 --large 10
"""

from __future__ import annotations

import argparse
import json
import os
import time

import boto3

from riverbed.config import load_settings
from riverbed.server import make_background


def run(s3, bucket: str, size: int, count: int) -> None:
    body = os.urandom(size)
    start = time.perf_counter()
    for i in range(count):
        s3.put_object(Bucket=bucket, Key=f"o/{size}/{i}", Body=body)
    put = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(count):
        s3.get_object(Bucket=bucket, Key=f"o/{size}/{i}")["Body"].read()
    get = time.perf_counter() - start
    for op, secs in (("PutObject", put), ("GetObject", get)):
        print(json.dumps({"op": op, "bytes": size, "n": count, "req_per_s": round(count / secs, 1),
                          "mb_per_s": round(count * size / secs / 1e6, 1)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=300, help="number of 1 KB objects")
    parser.add_argument("--large", type=int, default=8, help="number of 8 MB objects")
    parser.add_argument("--data-dir", default="", help="persist to this directory (default: in memory)")
    args = parser.parse_args()
    overrides = {"port": 0, "in_memory": not args.data_dir}
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    bg = make_background(load_settings(overrides, environ={}))
    bg.start()
    try:
        s3 = boto3.client("s3", endpoint_url=bg.app.endpoint_url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
        s3.create_bucket(Bucket="bench")
        run(s3, "bench", 1024, args.small)
        run(s3, "bench", 8 * 1024 * 1024, args.large)
    finally:
        bg.stop()


if __name__ == "__main__":
    main()

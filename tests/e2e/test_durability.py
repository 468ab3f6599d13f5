"""Durability and concurrency against a real `riverbed serve` process: kill -9, restart, concurrent writers."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config

from tests.conftest import read_stream

pytestmark = pytest.mark.xdist_group("real-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data_dir: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, RIVERBED_DATA_DIR=data_dir, RIVERBED_PORT=str(port))
    proc = subprocess.Popen([sys.executable, "-m", "riverbed.cli.main", "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:   # serving, not just listening: the health route answers once the app has started
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_riverbed/health", timeout=1) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("riverbed did not start")


def _client(service: str, port: int):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 0}, max_pool_connections=64, read_timeout=10,
                                      connect_timeout=10))   # generous: CI machines can be busy


def _records(streams, arn):
    return read_stream(streams, arn)


def test_kill_dash_nine_loses_no_acknowledged_write(tmp_path):
    port = _free_port()
    proc = _start(str(tmp_path), port)
    try:
        ddb = _client("dynamodb", port)
        arn = ddb.create_table(TableName="durable", BillingMode="PAY_PER_REQUEST",
                               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                               StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                               )["TableDescription"]["LatestStreamArn"]
        acked: set[str] = set()
        attempted: set[str] = set()
        stop = threading.Event()
        lock = threading.Lock()

        def writer(w: int) -> None:
            client = _client("dynamodb", port)
            i = 0
            while not stop.is_set():
                key = f"w{w}-{i}"
                with lock:
                    attempted.add(key)
                try:
                    client.put_item(TableName="durable", Item={"pk": {"S": key}, "v": {"N": str(i)}})
                except Exception:
                    return
                with lock:
                    acked.add(key)
                i += 1

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
        assert len(acked) > 50
    finally:
        if proc.poll() is None:
            proc.kill()
    proc = _start(str(tmp_path), port)
    try:
        ddb, streams = _client("dynamodb", port), _client("dynamodbstreams", port)
        stored = set()
        kwargs: dict = {}
        while True:
            page = ddb.scan(TableName="durable", **kwargs)
            stored |= {i["pk"]["S"] for i in page["Items"]}
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        assert acked <= stored, f"lost acknowledged writes: {sorted(acked - stored)[:5]}"
        assert stored <= attempted
        assert len(stored - acked) <= 8   # at most one unacknowledged in-flight write per writer committed
        keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in _records(streams, arn)]
        assert sorted(keys) == sorted(stored), "every stored item has exactly one stream record, and no other"
    finally:
        proc.kill()
        proc.wait()


def test_concurrent_writers_chain_images(tmp_path):
    port = _free_port()
    proc = _start(str(tmp_path), port)
    try:
        ddb, streams = _client("dynamodb", port), _client("dynamodbstreams", port)
        arn = ddb.create_table(TableName="hot", BillingMode="PAY_PER_REQUEST",
                               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                               StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                               )["TableDescription"]["LatestStreamArn"]
        per_thread = 20

        def bump(_n: int) -> None:
            client = _client("dynamodb", port)
            for _ in range(per_thread):
                client.update_item(TableName="hot", Key={"pk": {"S": "counter"}}, UpdateExpression="ADD n :one",
                                   ExpressionAttributeValues={":one": {"N": "1"}})

        with ThreadPoolExecutor(32) as pool:
            list(pool.map(bump, range(32)))
        records = _records(streams, arn)
        total = 32 * per_thread
        assert len(records) == total
        assert records[0]["eventName"] == "INSERT"
        values = [int(r["dynamodb"]["NewImage"]["n"]["N"]) for r in records]
        assert values == list(range(1, total + 1))
        for prev, cur in itertools.pairwise(records):
            assert cur["eventName"] == "MODIFY"
            assert cur["dynamodb"]["OldImage"] == prev["dynamodb"]["NewImage"]
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
        assert seqs == sorted(seqs) and len(set(seqs)) == total
    finally:
        proc.kill()
        proc.wait()


def test_restart_keeps_tables_items_and_streams(tmp_path):
    port = _free_port()
    proc = _start(str(tmp_path), port)
    try:
        ddb = _client("dynamodb", port)
        arn = ddb.create_table(TableName="keep", BillingMode="PAY_PER_REQUEST",
                               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                               StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
                               )["TableDescription"]["LatestStreamArn"]
        ddb.put_item(TableName="keep", Item={"pk": {"S": "a"}, "v": {"S": "1"}})
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    proc = _start(str(tmp_path), port)
    try:
        ddb, streams = _client("dynamodb", port), _client("dynamodbstreams", port)
        assert ddb.get_item(TableName="keep", Key={"pk": {"S": "a"}})["Item"]["v"] == {"S": "1"}
        ddb.put_item(TableName="keep", Item={"pk": {"S": "b"}})
        keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in _records(streams, arn)]
        assert keys == ["a", "b"]
    finally:
        proc.kill()
        proc.wait()

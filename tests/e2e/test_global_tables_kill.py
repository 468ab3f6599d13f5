"""A real `riverbed serve` with a two-region global table, writes in both regions while replication runs,
kill -9 mid-replication, restart on the same data directory: every replica ends with the same items as the
other, no acknowledged write is lost, and no write reaches a stream twice."""

from __future__ import annotations

import itertools
import json
import os
import signal
import threading
import time
import urllib.request
from collections import defaultdict

import boto3
import pytest
from botocore.config import Config

from tests.e2e.test_durability import _free_port, _records, _start

pytestmark = pytest.mark.xdist_group("real-server")

EAST, WEST = "us-east-1", "eu-west-1"
TABLE = "ledger"
SHARED = [f"shared-{n}" for n in range(5)]   # written in both regions: last writer wins


def _client(service: str, port: int, region: str):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name=region,
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 0}, max_pool_connections=16, read_timeout=10,
                                      connect_timeout=10))


def _scan(ddb) -> dict[str, dict]:
    items: dict[str, dict] = {}
    kwargs: dict = {}
    while True:
        page = ddb.scan(TableName=TABLE, ConsistentRead=True, **kwargs)
        items.update({item["pk"]["S"]: item for item in page["Items"]})
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _wait_active(ddb) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        table = ddb.describe_table(TableName=TABLE)["Table"]
        if table["TableStatus"] == "ACTIVE" and all(r["ReplicaStatus"] == "ACTIVE" for r in table["Replicas"]):
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not become ACTIVE")


def _drain(port: int) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_riverbed/drain", method="POST",
                                     data=json.dumps({"timeout": 60}).encode())
    with urllib.request.urlopen(request, timeout=90) as resp:
        assert json.loads(resp.read())["drained"] is True


def test_kill_dash_nine_mid_replication_loses_and_duplicates_nothing(tmp_path, monkeypatch):
    # A replication delay keeps a backlog queued while the writers run, so the kill lands mid-replication.
    monkeypatch.setenv("RIVERBED_REPLICATION_DELAY", "0.5")
    monkeypatch.setenv("RIVERBED_CONTROL", "1")
    port = _free_port()
    proc = _start(str(tmp_path), port)
    acked: dict[str, set[str]] = {EAST: set(), WEST: set()}
    lock = threading.Lock()
    try:
        east = _client("dynamodb", port, EAST)
        east.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        east.put_item(TableName=TABLE, Item={"pk": {"S": "before"}, "v": {"N": "0"}})   # backfilled
        east.update_table(TableName=TABLE, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
        _wait_active(east)
        stop = threading.Event()

        def writer(region: str, w: int) -> None:
            client = _client("dynamodb", port, region)
            for i in itertools.count():
                if stop.is_set():
                    return
                own = f"{region}-{w}-{i}"
                shared = SHARED[(i + w) % len(SHARED)]
                try:
                    client.put_item(TableName=TABLE, Item={"pk": {"S": own}, "v": {"N": str(i)}})
                    with lock:
                        acked[region].add(own)
                    client.update_item(TableName=TABLE, Key={"pk": {"S": shared}},
                                       UpdateExpression="SET writer = :r, seen = :i",
                                       ExpressionAttributeValues={":r": {"S": f"{region}-{w}"}, ":i": {"N": str(i)}})
                except Exception:   # the server was killed
                    return

        threads = [threading.Thread(target=writer, args=(region, w)) for region in (EAST, WEST) for w in range(3)]
        for t in threads:
            t.start()
        time.sleep(2.0)
        # Replication is running: earlier writes have crossed, the last half second's are still held back.
        with lock:
            east_acked = set(acked[EAST])
        west_now = set(_scan(_client("dynamodb", port, WEST)))
        assert east_acked & west_now, "replication was not running before the kill"
        assert east_acked - west_now, "nothing was waiting for replication at the kill"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
        assert len(acked[EAST]) > 20 and len(acked[WEST]) > 20
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    proc = _start(str(tmp_path), port)
    try:
        _drain(port)
        clients = {region: _client("dynamodb", port, region) for region in (EAST, WEST)}
        items = {region: _scan(ddb) for region, ddb in clients.items()}
        # Each replica's final content equals the other's, attribute for attribute.
        assert items[EAST] == items[WEST]
        # Nothing acknowledged is lost, in either region; at most one unacknowledged write per writer committed.
        own = {k for k in items[EAST] if k.startswith((f"{EAST}-", f"{WEST}-"))}
        assert set(items[EAST]) == own | {"before", *SHARED}
        assert acked[EAST] | acked[WEST] <= own
        assert len(own - acked[EAST] - acked[WEST]) <= len(threads)

        for region in (EAST, WEST):
            arn = clients[region].describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
            recs = _records(_client("dynamodbstreams", port, region), arn)
            by_key: dict[str, list[dict]] = defaultdict(list)
            for rec in recs:
                assert rec["awsRegion"] == region and "userIdentity" not in rec
                by_key[rec["dynamodb"]["Keys"]["pk"]["S"]].append(rec)
            # Every item written once (in either region) has exactly one record in each region's stream:
            # the local write's in its own region, the replicated write's in the other; never two.
            for key in own:
                assert [r["eventName"] for r in by_key[key]] == ["INSERT"], (region, key, by_key[key])
                assert by_key[key][0]["dynamodb"]["NewImage"] == items[region][key]
            # Items written in both regions: each stream's records chain (each OldImage is the NewImage before
            # it) and end at the item every replica holds -- a write applied twice or lost would break this.
            for key in SHARED:
                chain = by_key[key]
                assert chain and chain[0]["eventName"] == "INSERT" and "OldImage" not in chain[0]["dynamodb"]
                for before, after in itertools.pairwise(chain):
                    assert after["eventName"] == "MODIFY"
                    assert after["dynamodb"]["OldImage"] == before["dynamodb"]["NewImage"]
                assert chain[-1]["dynamodb"]["NewImage"] == items[region][key]
            seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
            assert len(set(seqs)) == len(seqs)
    finally:
        proc.kill()
        proc.wait()

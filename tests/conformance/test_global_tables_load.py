"""Global tables under load, on the system clock with the default replication delay: writers in three regions
racing on the same items converge everywhere, and a replica deleted while every region keeps writing leaves the
other two identical."""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict

import pytest
from botocore.exceptions import ClientError

from tests.conftest import read_stream

EAST, WEST, EU = "us-east-1", "us-west-2", "eu-west-1"
REGIONS = (EAST, WEST, EU)
HOT = [f"hot-{n}" for n in range(4)]
KEY = {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
       "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}


def _scan(ddb, name: str) -> dict[str, dict]:
    items: dict[str, dict] = {}
    kwargs: dict = {}
    while True:
        page = ddb.scan(TableName=name, ConsistentRead=True, **kwargs)
        items.update({i["id"]["S"]: i for i in page["Items"]})
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _records(rb, region: str, name: str) -> list[dict]:
    ddb, streams = rb.client("dynamodb", region=region), rb.client("dynamodbstreams", region=region)
    return read_stream(streams, ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"])


def _writer(rb, region: str, name: str, rounds: int, errors: list, start: threading.Barrier,
            until: threading.Event | None = None) -> None:
    ddb = rb.client("dynamodb", region=region)
    start.wait()
    for i in range(rounds) if until is None else itertools.count():
        if until is not None and until.is_set():
            return
        hot = HOT[i % len(HOT)]
        try:
            if i % 7 == 6:
                ddb.delete_item(TableName=name, Key={"id": {"S": hot}})
            else:
                ddb.update_item(TableName=name, Key={"id": {"S": hot}}, UpdateExpression="SET #w = :w, #n = :n",
                                ExpressionAttributeNames={"#w": "writer", "#n": "n"},
                                ExpressionAttributeValues={":w": {"S": region}, ":n": {"N": str(i)}})
            ddb.put_item(TableName=name, Item={"id": {"S": f"{region}-{i}"}, "n": {"N": str(i)}})
        except ClientError as exc:
            errors.append((region, exc.response["Error"]["Code"]))
            return


@pytest.fixture
def rb(system_riverbed):
    return system_riverbed


def test_three_regions_racing_on_the_same_items_converge_everywhere(rb):
    east = rb.client("dynamodb", region=EAST)
    east.create_table(TableName="race", BillingMode="PAY_PER_REQUEST", **KEY)
    for region in (WEST, EU):
        east.update_table(TableName="race", ReplicaUpdates=[{"Create": {"RegionName": region}}])
        rb.drain()
    errors: list = []
    start = threading.Barrier(len(REGIONS))
    threads = [threading.Thread(target=_writer, args=(rb, region, "race", 40, errors, start)) for region in REGIONS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rb.drain()
    contents = [_scan(rb.client("dynamodb", region=region), "race") for region in REGIONS]
    assert contents[0] == contents[1] == contents[2]
    assert {f"{region}-{i}" for region in REGIONS for i in range(40)} <= set(contents[0])
    for region, content in zip(REGIONS, contents, strict=True):
        chains: dict[str, list[dict]] = defaultdict(list)
        for rec in _records(rb, region, "race"):
            chains[rec["dynamodb"]["Keys"]["id"]["S"]].append(rec)
        for key in HOT:
            # Each stream tells one consistent history per item, ending at what every replica holds.
            for before, after in itertools.pairwise(chains[key]):
                assert after["dynamodb"].get("OldImage") == before["dynamodb"].get("NewImage")
            assert chains[key][-1]["dynamodb"].get("NewImage") == content.get(key)


def test_a_replica_deleted_while_every_region_writes_leaves_the_others_identical(rb):
    east = rb.client("dynamodb", region=EAST)
    east.create_table(TableName="shrink", BillingMode="PAY_PER_REQUEST", **KEY)
    for region in (WEST, EU):
        east.update_table(TableName="shrink", ReplicaUpdates=[{"Create": {"RegionName": region}}])
        rb.drain()
    errors: list = []
    start = threading.Barrier(len(REGIONS) + 1)
    stop = threading.Event()
    threads = [threading.Thread(target=_writer, args=(rb, region, "shrink", 0, errors, start, stop))
               for region in REGIONS]
    for t in threads:
        t.start()
    start.wait()
    stop.wait(0.5)
    east.update_table(TableName="shrink", ReplicaUpdates=[{"Delete": {"RegionName": EU}}])
    stop.wait(0.5)
    stop.set()
    for t in threads:
        t.join()
    rb.drain()
    # Only the deleted replica's writer may have failed, and only because its table went away.
    assert all(err == (EU, "ResourceNotFoundException") for err in errors), errors
    with pytest.raises(ClientError) as exc:
        rb.client("dynamodb", region=EU).describe_table(TableName="shrink")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    west = rb.client("dynamodb", region=WEST)
    assert [r["RegionName"] for r in east.describe_table(TableName="shrink")["Table"]["Replicas"]] == [WEST]
    assert [r["RegionName"] for r in west.describe_table(TableName="shrink")["Table"]["Replicas"]] == [EAST]
    east_items, west_items = _scan(east, "shrink"), _scan(west, "shrink")
    assert east_items == west_items
    assert any(k.startswith(f"{EAST}-") for k in east_items) and any(k.startswith(f"{WEST}-") for k in east_items)
    # The two that remain still replicate.
    west.put_item(TableName="shrink", Item={"id": {"S": "after"}})
    rb.drain()
    assert east.get_item(TableName="shrink", Key={"id": {"S": "after"}})["Item"] == {"id": {"S": "after"}}

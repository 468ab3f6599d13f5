"""The replicator's step, driven directly (no background loop): last-writer-wins ties, idempotence under a
repeated or interrupted step, and the replication delay on a manual clock."""

from __future__ import annotations

from typing import Any

import pytest

from riverbed.app import App
from riverbed.clock import ManualClock
from riverbed.config import load_settings
from riverbed.core.context import RequestContext
from riverbed.services.dynamodb import globaltables
from riverbed.services.dynamodb.operations import OPERATIONS

KEY = {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
       "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}


@pytest.fixture
def app():
    app = App(load_settings({"in_memory": True}, environ={}), ManualClock(1_700_000_000.0))
    yield app
    app.close()


def call(app: App, region: str, operation: str, **req: Any) -> dict[str, Any]:
    ctx = RequestContext(app.dynamodb, app.store, app.clock, "dynamodb", operation, "000000000000", region, "r")
    result: dict[str, Any] = OPERATIONS[operation](ctx, req)   # type: ignore[assignment]
    return result


def item(app: App, region: str, key: str) -> dict[str, Any] | None:
    return call(app, region, "GetItem", TableName="tbl", Key={"id": {"S": key}}).get("Item")


def make_global(app: App, *regions: str) -> None:
    call(app, regions[0], "CreateTable", TableName="tbl", BillingMode="PAY_PER_REQUEST", **KEY)
    for region in regions[1:]:
        call(app, regions[0], "UpdateTable", TableName="tbl", ReplicaUpdates=[{"Create": {"RegionName": region}}])
        app.dynamodb.replicator.replicate_once()


def test_simultaneous_writes_converge_with_ties_to_the_higher_region(app: App) -> None:
    make_global(app, "us-east-1", "eu-west-1", "ap-south-1")
    for region in ("us-east-1", "eu-west-1", "ap-south-1"):
        call(app, region, "PutItem", TableName="tbl", Item={"id": {"S": "p"}, "from": {"S": region}})
    assert app.dynamodb.replicator.replicate_once() == 3
    for region in ("us-east-1", "eu-west-1", "ap-south-1"):
        assert item(app, region, "p") == {"id": {"S": "p"}, "from": {"S": "us-east-1"}}
    assert app.dynamodb.replicator.pending() == []


def test_a_write_made_after_a_replicated_one_wins_even_at_the_same_instant(app: App) -> None:
    make_global(app, "us-east-1", "eu-west-1")
    call(app, "us-east-1", "PutItem", TableName="tbl", Item={"id": {"S": "p"}, "v": {"N": "1"}})
    app.dynamodb.replicator.replicate_once()
    # Same clock instant, in the lower-named region: still later than what it saw, so it wins everywhere.
    call(app, "eu-west-1", "PutItem", TableName="tbl", Item={"id": {"S": "p"}, "v": {"N": "2"}})
    app.dynamodb.replicator.replicate_once()
    assert item(app, "us-east-1", "p") == item(app, "eu-west-1", "p") == {"id": {"S": "p"}, "v": {"N": "2"}}


def test_an_interrupted_step_loses_and_repeats_nothing(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    make_global(app, "us-east-1", "eu-west-1")
    for n in range(5):
        call(app, "us-east-1", "PutItem", TableName="tbl", Item={"id": {"S": f"k{n}"}})
    replicator = app.dynamodb.replicator
    real_apply = replicator._apply
    calls = 0

    def dying_apply(*args: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("killed mid-step")
        return real_apply(*args)

    monkeypatch.setattr(replicator, "_apply", dying_apply)
    with pytest.raises(RuntimeError):
        replicator.replicate_once()
    monkeypatch.setattr(replicator, "_apply", real_apply)
    replicator.replicate_once()
    replicator.replicate_once()
    east = call(app, "us-east-1", "Scan", TableName="tbl")["Items"]
    west = call(app, "eu-west-1", "Scan", TableName="tbl")["Items"]
    assert sorted(i["id"]["S"] for i in west) == sorted(i["id"]["S"] for i in east) == [f"k{n}" for n in range(5)]
    # One INSERT per item in the receiving stream: nothing applied twice.
    table = app.dynamodb.catalog.get("000000000000", "eu-west-1", "tbl")
    stream = app.streams.get(table.stream_arn)
    rows = [r for shard in stream.shards for r in app.store.read_records(shard.no, 0, 100)]
    assert len(rows) == 5


def test_replication_delay_holds_writes_back_until_the_clock_passes_it(app: App) -> None:
    make_global(app, "us-east-1", "eu-west-1")
    replicator = app.dynamodb.replicator
    replicator.delay = 2.0
    call(app, "us-east-1", "PutItem", TableName="tbl", Item={"id": {"S": "late"}})
    assert replicator.replicate_once() == 0
    assert item(app, "eu-west-1", "late") is None
    assert replicator.pending() == ["global tables: 1 replicated write(s) pending"]
    app.clock.advance(2.0)   # type: ignore[attr-defined]
    assert replicator.replicate_once() == 1
    assert item(app, "eu-west-1", "late") == {"id": {"S": "late"}}


def test_group_document_lists_members(app: App) -> None:
    make_global(app, "us-east-1", "eu-west-1")
    group = globaltables.load_group(app.store, "000000000000", "tbl")
    assert group is not None and sorted(group["replicas"]) == ["eu-west-1", "us-east-1"]

"""Time-driven stream behaviour with a manual clock: retention, iterator expiry, shard rollover, TTL."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

import riverbed
from tests.conftest import read_stream


@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


def _table(ddb, name, stream="NEW_AND_OLD_IMAGES", range_key=None):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": range_key, "AttributeType": "S"})
        keys.append({"AttributeName": range_key, "KeyType": "RANGE"})
    spec = {"StreamEnabled": True, "StreamViewType": stream} if stream else {"StreamEnabled": False}
    out = ddb.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=keys,
                           BillingMode="PAY_PER_REQUEST",
                           **({"StreamSpecification": spec} if stream else {}))
    return out["TableDescription"].get("LatestStreamArn")


def _shards(streams, arn):
    return streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]


def test_retention_trims_records_and_old_positions(rb):
    ddb, streams = rb.client("dynamodb"), rb.client("dynamodbstreams")
    arn = _table(ddb, "tbl")
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "old"}})
    shard = _shards(streams, arn)[0]["ShardId"]
    old_it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    old_seq = streams.get_records(ShardIterator=old_it)["Records"][0]["dynamodb"]["SequenceNumber"]
    rb.clock.advance(25 * 3600)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "new"}})
    rb.app.streams.maintain_once()
    # Shard rolled over (about every 4 h): read the newest lineage.
    shards = _shards(streams, arn)
    records = []
    for s in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=s["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records += streams.get_records(ShardIterator=it)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["new"]
    with pytest.raises(ClientError) as exc:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                   SequenceNumber=old_seq)
    assert exc.value.response["Error"]["Code"] in ("TrimmedDataAccessException", "ResourceNotFoundException")


def test_iterator_expires_after_15_minutes(rb):
    ddb, streams = rb.client("dynamodb"), rb.client("dynamodbstreams")
    arn = _table(ddb, "tbl")
    shard = _shards(streams, arn)[0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    rb.clock.advance(14 * 60)
    it = streams.get_records(ShardIterator=it)["NextShardIterator"]   # a fresh iterator, fresh 15 minutes
    rb.clock.advance(14 * 60)
    streams.get_records(ShardIterator=it)
    rb.clock.advance(16 * 60)
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator=it)
    assert exc.value.response["Error"]["Code"] == "ExpiredIteratorException"


def test_shard_rollover_lineage(rb):
    ddb, streams = rb.client("dynamodb"), rb.client("dynamodbstreams")
    arn = _table(ddb, "tbl", stream="KEYS_ONLY")
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    rb.clock.advance(4 * 3600 + 1)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "b"}})
    shards = _shards(streams, arn)
    assert len(shards) == 2
    parent, child = shards
    assert child["ParentShardId"] == parent["ShardId"]
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert int(child["SequenceNumberRange"]["StartingSequenceNumber"]) > \
        int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=parent["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = streams.get_records(ShardIterator=it)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in out["Records"]] == ["a"]
    assert "NextShardIterator" not in out
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=child["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in streams.get_records(ShardIterator=it)["Records"]] == ["b"]
    children = streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS",
                                                                    "ShardId": parent["ShardId"]})
    assert [s["ShardId"] for s in children["StreamDescription"]["Shards"]] == [child["ShardId"]]


def _stream_records(streams, arn):
    return read_stream(streams, arn)


def test_ttl_deletes_expired_items_with_service_identity(rb):
    ddb, streams = rb.client("dynamodb"), rb.client("dynamodbstreams")
    arn = _table(ddb, "tbl", range_key="sk")
    ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    now = int(rb.clock.now())
    items = {
        "expired": {"N": str(now + 60)},
        "future": {"N": str(now + 3600)},
        "text": {"S": str(now - 10)},
        "ancient": {"N": str(now - 6 * 365 * 24 * 3600)},
    }
    for name, value in items.items():
        ddb.put_item(TableName="tbl", Item={"pk": {"S": name}, "sk": {"S": "x"}, "ttl": value})
    ddb.delete_item(TableName="tbl", Key={"pk": {"S": "text"}, "sk": {"S": "x"}})   # a user delete
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "text"}, "sk": {"S": "x"}, "ttl": items["text"]})
    rb.clock.advance(61)
    # Expired-but-not-yet-swept items are still returned, as on AWS; the sweep runs on the clock.
    rb.clock.advance(rb.app.settings.ttl_interval)
    left = sorted(i["pk"]["S"] for i in ddb.scan(TableName="tbl")["Items"])
    assert left == ["ancient", "future", "text"]
    removes = [r for r in _stream_records(streams, arn) if r["eventName"] == "REMOVE"]
    ttl_removes = [r for r in removes if "userIdentity" in r]
    user_removes = [r for r in removes if "userIdentity" not in r]
    assert len(ttl_removes) == 1 and len(user_removes) == 1
    rec = ttl_removes[0]
    assert rec["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    assert rec["dynamodb"]["OldImage"]["pk"] == {"S": "expired"}
    assert rb.app.metrics.total("AWS/DynamoDB", "TimeToLiveDeletedItemCount", {"TableName": "tbl"}) == 1


def test_ttl_sweep_skips_item_rewritten_meanwhile(rb):
    ddb = rb.client("dynamodb")
    _table(ddb, "tbl", stream=None)
    ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    now = int(rb.clock.now())
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "ttl": {"N": str(now - 1)}})
    app = rb.app
    table = app.dynamodb.catalog.get(app.settings.account, "us-east-1", "tbl")
    original_scan = app.store.scan_items
    # The sweeper reads the expired image; the item is then extended before the sweeper deletes.
    stale_rows = list(original_scan(table.tid))
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "ttl": {"N": str(now + 3600)}})
    app.store.scan_items = lambda tid, after=None: iter(stale_rows)
    try:
        deleted = rb._call(_run(app.ttl.sweep_once))
    finally:
        app.store.scan_items = original_scan
    assert deleted == 0
    assert ddb.get_item(TableName="tbl", Key={"pk": {"S": "a"}})["Item"]["ttl"] == {"N": str(now + 3600)}


async def _run(func):
    return func()


def test_two_instances_side_by_side():
    with riverbed.Riverbed() as a, riverbed.Riverbed() as b:
        a.client("dynamodb").create_table(TableName="only-a", AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"}], KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST")
        assert b.client("dynamodb").list_tables()["TableNames"] == []
        a.clock.advance(100)
        assert b.clock.now() < a.clock.now()


def test_reset_drops_state(rb):
    ddb = rb.client("dynamodb")
    _table(ddb, "tbl")
    rb.reset()
    assert ddb.list_tables()["TableNames"] == []


def test_instance_starts_fast():
    start = time.perf_counter()
    with riverbed.Riverbed() as instance:
        instance.client("dynamodb").list_tables()
    # Not a timed assertion on the hot path; a sanity bound far above the 150 ms goal (see bench/).
    assert time.perf_counter() - start < 10


def test_at_timestamp_iterator_when_the_model_has_it(rb):
    ddb, streams = rb.client("dynamodb"), rb.client("dynamodbstreams")
    shape = streams.meta.service_model.operation_model("GetShardIterator").input_shape
    if "Timestamp" not in shape.members:
        pytest.skip("this botocore predates AT_TIMESTAMP iterators")
    arn = _table(ddb, "tbl", stream="KEYS_ONLY")
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "early"}})
    rb.clock.advance(100)
    middle = rb.clock.now()
    rb.clock.advance(100)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "late"}})
    shard = _shards(streams, arn)[0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_TIMESTAMP",
                                    Timestamp=middle)["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in streams.get_records(ShardIterator=it)["Records"]] == ["late"]


def test_trimmed_position_gives_trimmed_data_access():
    with riverbed.Riverbed(shard_rollover_seconds=0) as rb:
        ddb, streams = rb.client("dynamodb"), rb.client("dynamodbstreams")
        arn = _table(ddb, "tbl", stream="KEYS_ONLY")
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "old"}})
        shard = _shards(streams, arn)[0]["ShardId"]
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        seq = streams.get_records(ShardIterator=it)["Records"][0]["dynamodb"]["SequenceNumber"]
        rb.clock.advance(25 * 3600)
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "new"}})
        with pytest.raises(ClientError) as exc:
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                       SequenceNumber=seq)
        assert exc.value.response["Error"]["Code"] == "TrimmedDataAccessException"
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in streams.get_records(ShardIterator=it)["Records"]] == ["new"]

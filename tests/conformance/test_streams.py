"""DynamoDB Streams through boto3: enabling, records per view type, shards, iterators and their errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table, read_stream


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_stream_enabled_on_create(ddb, streams, table_name):
    desc = create_table(ddb, table_name, stream="NEW_AND_OLD_IMAGES")
    arn = desc["LatestStreamArn"]
    assert arn.startswith(f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}/stream/")
    assert arn.endswith(desc["LatestStreamLabel"])
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert sd["StreamStatus"] == "ENABLED"
    assert sd["TableName"] == table_name
    assert sd["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    shard = sd["Shards"][0]
    assert shard["ShardId"].startswith("shardId-")
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    listed = streams.list_streams(TableName=table_name)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": table_name, "StreamLabel": desc["LatestStreamLabel"]}]


def test_records_insert_modify_remove(ddb, streams, table_name):
    arn = create_table(ddb, table_name, stream="NEW_AND_OLD_IMAGES")["LatestStreamArn"]
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "my-item-id"}, "attr1": {"S": "value1"},
                                             "attr2": {"S": "value2"}})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "my-item-id"}, "attr1": {"S": "value1"},
                                             "attr2": {"S": "value2"}})  # identical: no record
    ddb.update_item(TableName=table_name, Key={"pk": {"S": "my-item-id"}}, UpdateExpression="SET attr1 = :v",
                    ExpressionAttributeValues={":v": {"S": "value2"}})
    ddb.delete_item(TableName=table_name, Key={"pk": {"S": "my-item-id"}})
    ddb.delete_item(TableName=table_name, Key={"pk": {"S": "my-item-id"}})  # missing: no record
    with pytest.raises(ClientError):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": "x"}}, ConditionExpression="attribute_exists(pk)")
    records = read_stream(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    ins, mod, rem = records
    assert ins["eventSource"] == "aws:dynamodb" and ins["eventVersion"] == "1.1" and ins["awsRegion"] == "us-east-1"
    assert len(ins["eventID"]) == 32
    assert ins["dynamodb"]["Keys"] == {"pk": {"S": "my-item-id"}}
    assert "OldImage" not in ins["dynamodb"]
    assert ins["dynamodb"]["SizeBytes"] == 46 + 0  # keys 12 + image 34 (pk is 2 chars, like AWS's "id")
    assert mod["dynamodb"]["OldImage"] == ins["dynamodb"]["NewImage"]
    assert mod["dynamodb"]["NewImage"]["attr1"] == {"S": "value2"}
    assert mod["dynamodb"]["SizeBytes"] == 80
    assert rem["dynamodb"]["OldImage"] == mod["dynamodb"]["NewImage"] and "NewImage" not in rem["dynamodb"]
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    assert all(len(r["dynamodb"]["SequenceNumber"]) >= 21 for r in records)
    assert "userIdentity" not in rem


@pytest.mark.parametrize("view,insert_keys,modify_keys,remove_keys", [
    ("KEYS_ONLY", set(), set(), set()),
    ("NEW_IMAGE", {"NewImage"}, {"NewImage"}, set()),
    ("OLD_IMAGE", set(), {"OldImage"}, {"OldImage"}),
    ("NEW_AND_OLD_IMAGES", {"NewImage"}, {"NewImage", "OldImage"}, {"OldImage"}),
])
def test_view_types(ddb, streams, table_name, view, insert_keys, modify_keys, remove_keys):
    arn = create_table(ddb, table_name, stream=view)["LatestStreamArn"]
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "k"}, "v": {"N": "2"}})
    ddb.delete_item(TableName=table_name, Key={"pk": {"S": "k"}})
    recs = read_stream(streams, arn)
    base = {"ApproximateCreationDateTime", "Keys", "SequenceNumber", "SizeBytes", "StreamViewType"}
    assert [set(r["dynamodb"]) - base for r in recs] == [insert_keys, modify_keys, remove_keys]
    assert all(r["dynamodb"]["StreamViewType"] == view for r in recs)


def test_batch_and_transaction_records(ddb, streams, table_name):
    arn = create_table(ddb, table_name, stream="KEYS_ONLY")["LatestStreamArn"]
    ddb.batch_write_item(RequestItems={table_name: [{"PutRequest": {"Item": {"pk": {"S": f"b{i}"}}}}
                                                    for i in range(5)]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table_name, "Item": {"pk": {"S": "t"}}}},
        {"ConditionCheck": {"TableName": table_name, "Key": {"pk": {"S": "b0"}},
                            "ConditionExpression": "attribute_exists(pk)"}},
        {"Delete": {"TableName": table_name, "Key": {"pk": {"S": "b1"}}}},
    ])
    names = [r["eventName"] for r in read_stream(streams, arn)]
    assert names == ["INSERT"] * 5 + ["INSERT", "REMOVE"]


def test_update_table_stream_lifecycle(ddb, streams, table_name):
    create_table(ddb, table_name)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
    assert _err(exc)[0] == "ValidationException"
    first = ddb.update_table(TableName=table_name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]["LatestStreamArn"]
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}})
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": True,
                                                                     "StreamViewType": "KEYS_ONLY"})
    assert _err(exc) == ("ValidationException", f"Table already has an enabled stream: TableName: {table_name}")
    ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "b"}})  # no stream: no record
    old = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert old["StreamStatus"] == "DISABLED"
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in old["Shards"])
    assert [r["eventName"] for r in read_stream(streams, first)] == ["INSERT"]
    second = ddb.update_table(TableName=table_name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]["LatestStreamArn"]
    assert second != first
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "c"}})
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_stream(streams, second)] == ["c"]


def test_closed_shard_has_no_next_iterator(ddb, streams, table_name):
    arn = create_table(ddb, table_name, stream="KEYS_ONLY")["LatestStreamArn"]
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}})
    ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = streams.get_records(ShardIterator=it)
    assert len(out["Records"]) == 1
    assert "NextShardIterator" not in out


def test_iterator_types_and_errors(ddb, streams, table_name):
    arn = create_table(ddb, table_name, stream="KEYS_ONLY")["LatestStreamArn"]
    for i in range(3):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": str(i)}})
    shard_id = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    recs = read_stream(streams, arn)
    second = recs[1]["dynamodb"]["SequenceNumber"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=second)["ShardIterator"]
    assert [r["dynamodb"]["SequenceNumber"] for r in streams.get_records(ShardIterator=it)["Records"]] == \
        [r["dynamodb"]["SequenceNumber"] for r in recs[1:]]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                    SequenceNumber=second)["ShardIterator"]
    assert len(streams.get_records(ShardIterator=it)["Records"]) == 1
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="LATEST")["ShardIterator"]
    out = streams.get_records(ShardIterator=latest)
    assert out["Records"] == [] and out["NextShardIterator"]
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "new"}})
    out = streams.get_records(ShardIterator=out["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in out["Records"]] == ["new"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert len(streams.get_records(ShardIterator=it, Limit=2)["Records"]) == 2
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator=it, Limit=1001)
    assert _err(exc) == ("ValidationException", (
        "1 validation error detected: Value '1001' at 'limit' failed to "
        "satisfy constraint: Member must have value less than or equal to 1000"))
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator=it[:-4] + "abcd")
    assert _err(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        streams.describe_stream(StreamArn=arn + "x")
    assert _err(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        streams.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
                                   ShardIteratorType="LATEST")
    assert _err(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER")
    assert _err(exc)[0] == "ValidationException"


def test_deleted_table_stream_stays_readable(ddb, streams, table_name):
    arn = create_table(ddb, table_name, stream="KEYS_ONLY")["LatestStreamArn"]
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}})
    ddb.delete_table(TableName=table_name)
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLED"
    assert len(read_stream(streams, arn)) == 1


def test_create_with_disabled_stream_and_view_type(ddb, table_name):
    with pytest.raises(ClientError) as exc:
        create_table(ddb, table_name, StreamSpecification={"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"})
    assert _err(exc) == ("ValidationException", ("One or more parameter values were invalid: Table is being created "
                                                "with a stream disabled, UpdateViewType should not be specified"))

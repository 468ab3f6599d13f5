"""DynamoDB semantics the second exactness round fixed (issue 16), through boto3 only.

Each test names the behaviour it pins and where AWS's answer comes from.
"""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table


def _err(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def _stream_records(streams, arn: str) -> list[dict]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return streams.get_records(ShardIterator=it)["Records"]


@pytest.mark.parametrize("update", [
    {"UpdateExpression": "REMOVE a"},
    {"UpdateExpression": "REMOVE a.b"},
    {"UpdateExpression": "REMOVE a[0], c"},
    {"UpdateExpression": "DELETE s :s", "ExpressionAttributeValues": {":s": {"SS": ["x"]}}},
    {"AttributeUpdates": {"a": {"Action": "DELETE"}}},
    {"AttributeUpdates": {"s": {"Action": "DELETE", "Value": {"SS": ["x"]}}}},
])
def test_update_that_only_removes_does_not_create_a_missing_item(ddb, streams, table_name, update) -> None:
    arn = create_table(ddb, table_name, stream="NEW_AND_OLD_IMAGES")["LatestStreamArn"]
    out = ddb.update_item(TableName=table_name, Key={"pk": {"S": "missing"}}, ReturnValues="ALL_NEW", **update)
    assert "Attributes" not in out
    assert ddb.get_item(TableName=table_name, Key={"pk": {"S": "missing"}}).get("Item") is None
    assert _stream_records(streams, arn) == []


def test_update_that_sets_still_creates_the_item(ddb, table_name) -> None:
    create_table(ddb, table_name)
    out = ddb.update_item(TableName=table_name, Key={"pk": {"S": "k"}}, UpdateExpression="SET b = :v REMOVE a",
                          ExpressionAttributeValues={":v": {"N": "1"}}, ReturnValues="ALL_NEW")
    assert out["Attributes"] == {"pk": {"S": "k"}, "b": {"N": "1"}}


def test_transact_update_that_only_removes_does_not_create(ddb, table_name) -> None:
    create_table(ddb, table_name)
    ddb.transact_write_items(TransactItems=[{"Update": {"TableName": table_name, "Key": {"pk": {"S": "m"}},
                                                        "UpdateExpression": "REMOVE a.b"}}])
    assert ddb.get_item(TableName=table_name, Key={"pk": {"S": "m"}}).get("Item") is None


def test_binary_key_limits_count_raw_bytes(ddb, table_name) -> None:
    # 2048 bytes for a partition key, 1024 for a sort key: the decoded bytes, not the base64 text
    # (the base64 of 2048 bytes is 2732 characters).
    create_table(ddb, table_name, hash_type="B", range_key="sk", range_type="B")
    ddb.put_item(TableName=table_name, Item={"pk": {"B": b"\x01" * 2048}, "sk": {"B": b"\x02" * 1024}})
    assert len(base64.b64encode(b"\x01" * 2048)) > 2048
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table_name, Item={"pk": {"B": b"\x01" * 2049}, "sk": {"B": b"\x02"}})
    assert _err(exc) == ("ValidationException", ("One or more parameter values were invalid: Size of hashkey has "
                                                "exceeded the maximum size limit of2048 bytes"))
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table_name, Item={"pk": {"B": b"\x01"}, "sk": {"B": b"\x02" * 1025}})
    assert _err(exc) == ("ValidationException", ("One or more parameter values were invalid: Aggregated size of all "
                                                "range keys has exceeded the size limit of 1024 bytes"))


def _cancelled(exc: pytest.ExceptionInfo[ClientError]) -> list[dict]:
    assert exc.value.response["Error"]["Code"] == "TransactionCanceledException"
    return exc.value.response["CancellationReasons"]


def test_transaction_key_of_wrong_type_cancels_with_validation_error_reason(ddb, table_name) -> None:
    # paritysuite/dynamodb-conformance tests/tier3/error-messages/transactWriteItems.test.ts (captured from AWS).
    create_table(ddb, table_name)
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_name, "Item": {"pk": {"N": "5"}}}}])
    assert exc.value.response["Error"]["Message"] == ("Transaction cancelled, please refer cancellation reasons for "
                                                      "specific reasons [ValidationError]")
    assert _cancelled(exc) == [{"Code": "ValidationError", "Message": "One or more parameter values were invalid: "
                                "Type mismatch for key pk expected: S actual: N"}]
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table_name, "Item": {"pk": {"S": "ok"}}}},
            {"Delete": {"TableName": table_name, "Key": {"pk": {"L": [{"S": "x"}]}}}}])
    assert _cancelled(exc) == [{"Code": "None"}, {"Code": "ValidationError",
                                                  "Message": "The provided key element does not match the schema"}]
    assert ddb.get_item(TableName=table_name, Key={"pk": {"S": "ok"}}).get("Item") is None
    with pytest.raises(ClientError) as exc:  # an empty key value stays a top-level ValidationException
        ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": table_name, "Key": {"pk": {"S": ""}}}}])
    assert _err(exc) == ("ValidationException", ("One or more parameter values are not valid. The AttributeValue for "
                                                "a key attribute cannot contain an empty string value. Key: pk"))


def test_key_modification_is_reported_before_an_operand_type_error(ddb, table_name) -> None:
    create_table(ddb, table_name)
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "k"}, "a": {"S": "text"}})
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table_name, Key={"pk": {"S": "k"}}, UpdateExpression="SET a = a + :one, pk = :p",
                        ExpressionAttributeValues={":one": {"N": "1"}, ":p": {"S": "other"}})
    assert _err(exc) == ("ValidationException", ("One or more parameter values were invalid: Cannot update attribute "
                                                "pk. This attribute is part of the key"))


def test_failed_condition_is_reported_before_a_list_append_type_error(ddb, table_name) -> None:
    create_table(ddb, table_name)
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "k"}, "a": {"S": "text"}})
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table_name, Key={"pk": {"S": "k"}}, UpdateExpression="SET a = list_append(a, :l)",
                        ConditionExpression="attribute_not_exists(a)",
                        ExpressionAttributeValues={":l": {"L": [{"S": "x"}]}})
    assert _err(exc)[0] == "ConditionalCheckFailedException"

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


def _cond(value: str = "x") -> dict:
    return {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": value}]}


def test_key_conditions_mix_with_filter_and_projection_expressions(ddb, table_name) -> None:
    # extenddb's dual-target tests against DynamoDB: KeyConditions is exempt from the mixing rule unless
    # KeyConditionExpression is present.
    create_table(ddb, table_name, range_key="sk")
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "x": {"S": "x"}, "y": {"S": "y"}})
    out = ddb.query(TableName=table_name, KeyConditions={"pk": _cond("a")}, FilterExpression="x = :x",
                    ProjectionExpression="y", ExpressionAttributeValues={":x": {"S": "x"}})
    assert out["Items"] == [{"y": {"S": "y"}}]
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=table_name, KeyConditions={"pk": _cond("a")}, QueryFilter={"x": _cond()},
                  ConditionalOperator="AND", KeyConditionExpression="pk = :p", FilterExpression="x = :x",
                  ProjectionExpression="y", ExpressionAttributeValues={":p": {"S": "a"}, ":x": {"S": "x"}})
    assert _err(exc) == ("ValidationException", (
        "Can not use both expression and non-expression parameters in the same request: Non-expression "
        "parameters: {QueryFilter, ConditionalOperator, KeyConditions} Expression parameters: "
        "{ProjectionExpression, FilterExpression, KeyConditionExpression}"))


def test_conditional_operator_needs_two_or_more_conditions(ddb, table_name) -> None:
    create_table(ddb, table_name)
    for extra in ({}, {"Expected": {}}):
        with pytest.raises(ClientError) as exc:
            ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}}, ConditionalOperator="AND", **extra)
        assert _err(exc) == ("ValidationException", "ConditionalOperator cannot be used without Filter or Expected")
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=table_name, ConditionalOperator="OR", ScanFilter={"a": _cond()})
    assert _err(exc) == ("ValidationException",
                         "ConditionalOperator can only be used when Filter or Expected has two or more elements")


def test_empty_index_lists_and_shared_index_names(ddb, table_name) -> None:
    # dynalite's createTable validation, recorded against DynamoDB.
    base = {"TableName": table_name, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}
    for member, kind in (("LocalSecondaryIndexes", "LocalSecondaryIndexes"),
                         ("GlobalSecondaryIndexes", "GlobalSecondaryIndexes")):
        with pytest.raises(ClientError) as exc:
            ddb.create_table(**base, **{member: []})
        assert _err(exc) == ("ValidationException",
                             f"One or more parameter values were invalid: List of {kind} is empty")
    index = {"IndexName": "same", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}
    with pytest.raises(ClientError) as exc:
        ddb.create_table(**base, LocalSecondaryIndexes=[index], GlobalSecondaryIndexes=[index])
    assert _err(exc) == ("ValidationException", "One or more parameter values were invalid: Duplicate index name: same")


def test_syntax_error_at_the_end_quotes_eof(ddb, table_name) -> None:
    create_table(ddb, table_name)
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table_name, Key={"pk": {"S": "a"}}, UpdateExpression="SET a =")
    assert _err(exc) == ("ValidationException", 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "="')

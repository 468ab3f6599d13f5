"""Legacy (pre-expression) parameters through boto3: Expected/ConditionalOperator, AttributeUpdates,
KeyConditions, QueryFilter, ScanFilter, AttributesToGet, and AWS's errors when legacy and expression
parameters are mixed."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def _cond(op, *values):
    return {"ComparisonOperator": op, "AttributeValueList": list(values)}


@pytest.fixture
def table(ddb, table_name):
    create_table(ddb, table_name, range_key="sk", range_type="N")
    for sk in range(6):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": "p"}, "sk": {"N": str(sk)}, "v": {"N": str(sk * 10)},
                                                 "s": {"S": f"name-{sk}"}, "even": {"BOOL": sk % 2 == 0}})
    return table_name


KEY = {"pk": {"S": "p"}, "sk": {"N": "1"}}


def test_expected_exists_value_and_operators(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**KEY, "v": {"N": "1"}}, Expected={"pk": {"Exists": False}})
    assert _err(exc)[0] == "ConditionalCheckFailedException"
    ddb.put_item(TableName=table, Item={"pk": {"S": "new"}, "sk": {"N": "1"}}, Expected={"pk": {"Exists": False}})
    ddb.put_item(TableName=table, Item={**KEY, "v": {"N": "11"}, "s": {"S": "name-1"}},
                 Expected={"v": {"Value": {"N": "10"}}, "s": {"Exists": True, "Value": {"S": "name-1"}}})
    # AND (default) of two conditions, one false
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key=KEY, AttributeUpdates={"x": {"Value": {"S": "y"}}},
                        Expected={"v": _cond("GT", {"N": "5"}), "s": _cond("BEGINS_WITH", {"S": "zzz"})})
    assert _err(exc)[0] == "ConditionalCheckFailedException"
    # the same pair combined with OR holds
    ddb.update_item(TableName=table, Key=KEY, AttributeUpdates={"x": {"Value": {"S": "y"}}},
                    Expected={"v": _cond("GT", {"N": "5"}), "s": _cond("BEGINS_WITH", {"S": "zzz"})},
                    ConditionalOperator="OR")
    ddb.delete_item(TableName=table, Key=KEY, Expected={"missing": _cond("NULL"), "v": _cond("BETWEEN", {"N": "0"},
                                                                                              {"N": "20"})})
    assert "Item" not in ddb.get_item(TableName=table, Key=KEY)


def test_expected_validation_errors(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=KEY, Expected={"v": {"Exists": True}})
    assert _err(exc) == ("ValidationException", ("One or more parameter values were invalid: Value must be provided "
                                                "when Exists is true for Attribute: v"))
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=KEY, Expected={"v": _cond("BETWEEN", {"N": "1"})})
    assert _err(exc) == ("ValidationException", ("One or more parameter values were invalid: Invalid number of "
                                                "argument(s) for the BETWEEN ComparisonOperator"))


def test_attribute_updates(ddb, table):
    ddb.put_item(TableName=table, Item={**KEY, "n": {"N": "5"}, "tags": {"SS": ["a", "b"]}, "gone": {"S": "x"},
                                        "l": {"L": [{"N": "1"}]}})
    out = ddb.update_item(TableName=table, Key=KEY, ReturnValues="ALL_NEW", AttributeUpdates={
        "n": {"Action": "ADD", "Value": {"N": "3"}},
        "tags": {"Action": "DELETE", "Value": {"SS": ["a"]}},
        "gone": {"Action": "DELETE"},
        "l": {"Action": "ADD", "Value": {"L": [{"N": "2"}]}},
        "fresh": {"Value": {"S": "put"}},
        "count": {"Action": "ADD", "Value": {"N": "1"}},
    })["Attributes"]
    assert out["n"] == {"N": "8"} and out["tags"] == {"SS": ["b"]} and "gone" not in out
    assert out["l"] == {"L": [{"N": "1"}, {"N": "2"}]} and out["fresh"] == {"S": "put"} and out["count"] == {"N": "1"}
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key=KEY, AttributeUpdates={"fresh": {"Action": "ADD", "Value": {"S": "x"}}})
    assert _err(exc) == ("ValidationException", ("One or more parameter values were invalid: ADD action is not "
                                                "supported for the type S"))


def test_query_key_conditions_filter_and_attributes_to_get(ddb, table):
    out = ddb.query(TableName=table, KeyConditions={"pk": _cond("EQ", {"S": "p"}), "sk": _cond("GE", {"N": "2"})},
                    QueryFilter={"even": _cond("EQ", {"BOOL": True})}, AttributesToGet=["sk", "s"])
    assert out["Items"] == [{"sk": {"N": "2"}, "s": {"S": "name-2"}}, {"sk": {"N": "4"}, "s": {"S": "name-4"}}]
    assert out["ScannedCount"] == 4
    out = ddb.query(TableName=table, KeyConditions={"pk": _cond("EQ", {"S": "p"})},
                    QueryFilter={"v": _cond("LT", {"N": "10"}), "s": _cond("CONTAINS", {"S": "-5"})},
                    ConditionalOperator="OR", ScanIndexForward=False)
    assert [i["sk"]["N"] for i in out["Items"]] == ["5", "0"]
    out = ddb.query(TableName=table, KeyConditions={"pk": _cond("EQ", {"S": "p"}),
                                                    "sk": _cond("BETWEEN", {"N": "1"}, {"N": "3"})}, Limit=2)
    assert [i["sk"]["N"] for i in out["Items"]] == ["1", "2"] and "LastEvaluatedKey" in out
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=table, KeyConditions={"pk": _cond("EQ", {"S": "p"}), "sk": _cond("NE", {"N": "1"})})
    assert _err(exc) == ("ValidationException", "Attempted conditional constraint is not an indexable operation")


def test_scan_filter_and_get_attributes_to_get(ddb, table):
    out = ddb.scan(TableName=table, ScanFilter={"v": _cond("IN", {"N": "10"}, {"N": "30"}, {"N": "99"})})
    assert sorted(i["sk"]["N"] for i in out["Items"]) == ["1", "3"]
    out = ddb.scan(TableName=table, ScanFilter={"s": _cond("NOT_CONTAINS", {"S": "name"}),
                                                "even": _cond("EQ", {"BOOL": False})}, ConditionalOperator="OR")
    assert sorted(i["sk"]["N"] for i in out["Items"]) == ["1", "3", "5"]
    got = ddb.get_item(TableName=table, Key=KEY, AttributesToGet=["v"])["Item"]
    assert got == {"v": {"N": "10"}}
    batch = ddb.batch_get_item(RequestItems={table: {"Keys": [KEY], "AttributesToGet": ["s"]}})
    assert batch["Responses"][table] == [{"s": {"S": "name-1"}}]


def test_legacy_key_conditions_on_an_index(ddb, table_name):
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g",
                                                                              "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    for i in range(3):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": f"p{i}"}, "g": {"S": "x"}, "v": {"N": str(i)}})
    out = ddb.query(TableName=table_name, IndexName="by-g", KeyConditions={"g": _cond("EQ", {"S": "x"})},
                    QueryFilter={"v": _cond("GT", {"N": "0"})})
    assert sorted(i["pk"]["S"] for i in out["Items"]) == ["p1", "p2"]


@pytest.mark.parametrize("call, legacy, expression", [
    ("put_item", {"Expected": {"v": {"Exists": False}}}, {"ConditionExpression": "attribute_not_exists(v)"}),
    ("update_item", {"AttributeUpdates": {"v": {"Value": {"N": "1"}}}}, {"UpdateExpression": "SET v = :v"}),
    ("query", {"QueryFilter": {"v": _cond("NOT_NULL")}}, {"KeyConditionExpression": "pk = :p"}),
    ("scan", {"AttributesToGet": ["v"]}, {"FilterExpression": "v = :v"}),
    ("get_item", {"AttributesToGet": ["v"]}, {"ProjectionExpression": "v"}),
])
def test_mixing_legacy_and_expression_parameters(ddb, table, call, legacy, expression):
    params = {"TableName": table, **legacy, **expression}
    if call in ("put_item",):
        params["Item"] = KEY
    if call in ("update_item", "get_item"):
        params["Key"] = KEY
    values = {":v": {"N": "1"}} if ":v" in str(expression) else {}
    if ":p" in str(expression):
        values[":p"] = {"S": "p"}
    if values:
        params["ExpressionAttributeValues"] = values
    with pytest.raises(ClientError) as exc:
        getattr(ddb, call)(**params)
    legacy_name = next(iter(legacy))
    expression_name = next(iter(expression))
    assert _err(exc) == ("ValidationException", ("Can not use both expression and non-expression parameters in the "
                                                f"same request: Non-expression parameters: {{{legacy_name}}} "
                                                f"Expression parameters: {{{expression_name}}}"))


def test_expression_attribute_maps_need_expressions(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key=KEY, AttributesToGet=["v"], ExpressionAttributeNames={"#v": "v"})
    assert _err(exc) == ("ValidationException",
                         "ExpressionAttributeNames can only be specified when using expressions")
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=table, ScanFilter={"v": _cond("NOT_NULL")}, ExpressionAttributeValues={":v": {"N": "1"}})
    assert _err(exc) == ("ValidationException", ("ExpressionAttributeValues can only be specified when using "
                                                "expressions: FilterExpression is null"))

"""Items through boto3: put/get/update/delete, conditions, return values, batches, transactions, query, scan."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def table(ddb, table_name):
    create_table(ddb, table_name)
    return table_name


@pytest.fixture
def sorted_table(ddb, table_name):
    create_table(ddb, table_name, range_key="sk", range_type="N")
    return table_name


def test_put_get_roundtrip_all_types(ddb, table):
    item = {
        "pk": {"S": "a"}, "n": {"N": "1.50"}, "b": {"B": b"\x00\x01"}, "t": {"BOOL": True}, "z": {"NULL": True},
        "m": {"M": {"x": {"S": "y"}, "l": {"L": [{"N": "1"}, {"S": "two"}]}}},
        "ss": {"SS": ["b", "a"]}, "ns": {"NS": ["1", "2.0"]}, "bs": {"BS": [b"x"]}, "empty": {"S": ""},
    }
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]
    assert got["n"] == {"N": "1.5"}  # canonical number form
    assert got["b"] == {"B": b"\x00\x01"}
    assert got["m"] == item["m"]
    assert sorted(got["ss"]["SS"]) == ["a", "b"]
    assert sorted(got["ns"]["NS"], key=float) == ["1", "2"]
    assert got["empty"] == {"S": ""}


def test_get_missing_item(ddb, table):
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "nope"}})


def test_missing_table(ddb):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName="no-such-table", Item={"pk": {"S": "a"}})
    assert _err(exc) == ("ResourceNotFoundException", "Requested resource not found")


def test_key_errors(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"other": {"S": "a"}})
    assert _err(exc) == ("ValidationException",
                         "One or more parameter values were invalid: Missing the key pk in the item")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"N": "1"}})
    assert _err(exc) == ("ValidationException",
                         "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "extra": {"S": "b"}})
    assert _err(exc) == ("ValidationException", "The provided key element does not match the schema")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": ""}})
    assert _err(exc)[0] == "ValidationException"


def test_empty_set_rejected(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "s": {"SS": []}})
    assert _err(exc)[0] == "ValidationException"


def test_item_too_large(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "big": {"S": "x" * (400 * 1024)}})
    assert _err(exc) == ("ValidationException", "Item size has exceeded the maximum allowed size")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})


def test_conditional_put_idempotency(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}},
                 ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "2"}},
                     ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert _err(exc) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert exc.value.response["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}


def test_return_values(ddb, table):
    out = ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in out
    out = ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}}, ReturnValues="ALL_NEW")
    assert _err(exc) == ("ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_update_item_expressions(ddb, table):
    key = {"pk": {"S": "u"}}
    out = ddb.update_item(TableName=table, Key=key,
                          UpdateExpression="SET #c = if_not_exists(#c, :zero) + :one, tags = :t, m = :m",
                          ExpressionAttributeNames={"#c": "count"},
                          ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"},
                                                     ":t": {"SS": ["x"]}, ":m": {"M": {"a": {"L": []}}}},
                          ReturnValues="ALL_NEW")
    assert out["Attributes"]["count"] == {"N": "1"}
    out = ddb.update_item(TableName=table, Key=key,
                          UpdateExpression="SET #c = #c + :one, m.a = list_append(m.a, :l) ADD tags :t2 "
                                           "REMOVE gone",
                          ExpressionAttributeNames={"#c": "count"},
                          ExpressionAttributeValues={":one": {"N": "1"}, ":l": {"L": [{"S": "e"}]},
                                                     ":t2": {"SS": ["y"]}},
                          ReturnValues="UPDATED_NEW")
    assert out["Attributes"]["count"] == {"N": "2"}
    item = ddb.get_item(TableName=table, Key=key)["Item"]
    assert sorted(item["tags"]["SS"]) == ["x", "y"]
    assert item["m"] == {"M": {"a": {"L": [{"S": "e"}]}}}
    ddb.update_item(TableName=table, Key=key, UpdateExpression="DELETE tags :t",
                    ExpressionAttributeValues={":t": {"SS": ["x", "y"]}})
    assert "tags" not in ddb.get_item(TableName=table, Key=key)["Item"]


def test_update_key_attribute_rejected(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key={"pk": {"S": "k"}}, UpdateExpression="SET pk = :v",
                        ExpressionAttributeValues={":v": {"S": "z"}})
    code, msg = _err(exc)
    assert code == "ValidationException"
    assert "This attribute is part of the key" in msg


def test_expression_attribute_errors(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}}, ConditionExpression="attribute_exists(#x)")
    assert _err(exc)[1].startswith("Invalid ConditionExpression: An expression attribute name used in the document "
                                   "path is not defined; attribute name: #x")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}}, ConditionExpression="attribute_exists(pk)",
                     ExpressionAttributeValues={":unused": {"S": "x"}})
    assert _err(exc) == ("ValidationException",
                         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="SET status = :v",
                        ExpressionAttributeValues={":v": {"S": "x"}})
    assert "reserved keyword" in _err(exc)[1]


def test_delete_item_conditions(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "d"}, "v": {"N": "5"}})
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName=table, Key={"pk": {"S": "d"}}, ConditionExpression="v > :x",
                        ExpressionAttributeValues={":x": {"N": "10"}})
    assert _err(exc)[0] == "ConditionalCheckFailedException"
    out = ddb.delete_item(TableName=table, Key={"pk": {"S": "d"}}, ConditionExpression="v BETWEEN :a AND :b",
                          ExpressionAttributeValues={":a": {"N": "1"}, ":b": {"N": "9"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"]["v"] == {"N": "5"}
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "d"}})


def test_projection(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "a": {"M": {"b": {"S": "x"}, "c": {"S": "y"}}},
                                        "l": {"L": [{"S": "0"}, {"S": "1"}]}, "z": {"S": "z"}})
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "p"}}, ProjectionExpression="a.b, l[1], #z",
                       ExpressionAttributeNames={"#z": "z"})["Item"]
    assert got == {"a": {"M": {"b": {"S": "x"}}}, "l": {"L": [{"S": "1"}]}, "z": {"S": "z"}}


def test_batch_write_and_get(ddb, table):
    writes = [{"PutRequest": {"Item": {"pk": {"S": f"b{i}"}, "i": {"N": str(i)}}}} for i in range(25)]
    assert ddb.batch_write_item(RequestItems={table: writes})["UnprocessedItems"] == {}
    keys = [{"pk": {"S": f"b{i}"}} for i in range(25)] + [{"pk": {"S": "missing"}}]
    got = ddb.batch_get_item(RequestItems={table: {"Keys": keys}})
    assert len(got["Responses"][table]) == 25
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={table: writes + writes[:1]})
    assert _err(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={table: {"Keys": [keys[0], keys[0]]}})
    assert _err(exc) == ("ValidationException", "Provided list of item keys contains duplicates")
    ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": {"pk": {"S": "b0"}}}}]})
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "b0"}})


def test_transact_write_and_cancel(ddb, table):
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": {"pk": {"S": "t1"}, "v": {"N": "1"}}}},
        {"Put": {"TableName": table, "Item": {"pk": {"S": "t2"}, "v": {"N": "1"}}}},
    ])
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": {"pk": {"S": "t1"}}, "UpdateExpression": "SET v = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}}}},
            {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "t2"}},
                                "ConditionExpression": "v = :nine",
                                "ExpressionAttributeValues": {":nine": {"N": "9"}}}},
        ])
    code, msg = _err(exc)
    assert code == "TransactionCanceledException"
    assert msg == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                   "[None, ConditionalCheckFailed]")
    reasons = exc.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "t1"}})["Item"]["v"] == {"N": "1"}
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "t1"}}}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "t1"}}}},
        ])
    assert _err(exc) == ("ValidationException",
                         "Transaction request cannot include multiple operations on one item")


def test_transact_idempotency_token(ddb, table):
    token = f"tok-{table}"  # tokens are account-wide for 10 minutes: unique per run
    items = [{"Update": {"TableName": table, "Key": {"pk": {"S": "ctr"}}, "UpdateExpression": "ADD n :one",
                         "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "ctr"}})["Item"]["n"] == {"N": "1"}
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[*items, {"Put": {"TableName": table, "Item": {"pk": {"S": "o"}}}}],
                                 ClientRequestToken=token)
    assert _err(exc)[0] == "IdempotentParameterMismatchException"


def test_transact_get(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "g"}, "v": {"S": "x"}})
    out = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": {"pk": {"S": "g"}}}},
                                                {"Get": {"TableName": table, "Key": {"pk": {"S": "none"}}}}])
    assert out["Responses"] == [{"Item": {"pk": {"S": "g"}, "v": {"S": "x"}}}, {}]


def test_query_order_paging_and_filters(ddb, sorted_table):
    for i in range(30):
        ddb.put_item(TableName=sorted_table, Item={"pk": {"S": "p"}, "sk": {"N": str(i - 10)},
                                                   "odd": {"BOOL": i % 2 == 1}})
    ddb.put_item(TableName=sorted_table, Item={"pk": {"S": "other"}, "sk": {"N": "0"}})
    out = ddb.query(TableName=sorted_table, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                    ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"N": "-5"}, ":b": {"N": "5"}})
    assert [int(i["sk"]["N"]) for i in out["Items"]] == list(range(-5, 6))
    out = ddb.query(TableName=sorted_table, KeyConditionExpression="pk = :p", ScanIndexForward=False, Limit=3,
                    ExpressionAttributeValues={":p": {"S": "p"}})
    assert [int(i["sk"]["N"]) for i in out["Items"]] == [19, 18, 17]
    assert out["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "17"}}
    out2 = ddb.query(TableName=sorted_table, KeyConditionExpression="pk = :p", ScanIndexForward=False, Limit=3,
                     ExclusiveStartKey=out["LastEvaluatedKey"], ExpressionAttributeValues={":p": {"S": "p"}})
    assert [int(i["sk"]["N"]) for i in out2["Items"]] == [16, 15, 14]
    out = ddb.query(TableName=sorted_table, KeyConditionExpression="pk = :p", FilterExpression="odd = :t",
                    Limit=10, ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}})
    assert out["ScannedCount"] == 10 and out["Count"] == 5
    out = ddb.query(TableName=sorted_table, KeyConditionExpression="pk = :p", Select="COUNT",
                    ExpressionAttributeValues={":p": {"S": "p"}})
    assert out["Count"] == 30 and "Items" not in out


def test_query_key_condition_errors(ddb, sorted_table):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=sorted_table, KeyConditionExpression="sk = :a",
                  ExpressionAttributeValues={":a": {"N": "1"}})
    assert _err(exc)[0] == "ValidationException"


def test_begins_with_on_string_range(ddb, table_name):
    create_table(ddb, table_name, range_key="sk")
    for s in ["a", "ab", "abc", "abd", "b", "ba"]:
        ddb.put_item(TableName=table_name, Item={"pk": {"S": "x"}, "sk": {"S": s}})
    out = ddb.query(TableName=table_name, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                    ExpressionAttributeValues={":p": {"S": "x"}, ":s": {"S": "ab"}})
    assert [i["sk"]["S"] for i in out["Items"]] == ["ab", "abc", "abd"]
    out = ddb.query(TableName=table_name, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                    ScanIndexForward=False, ExpressionAttributeValues={":p": {"S": "x"}, ":s": {"S": "ab"}})
    assert [i["sk"]["S"] for i in out["Items"]] == ["abd", "abc", "ab"]


def test_scan_and_parallel_scan(ddb, table):
    for i in range(40):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"s{i}"}, "i": {"N": str(i)}})
    seen = []
    kwargs = {"Limit": 7}
    while True:
        out = ddb.scan(TableName=table, **kwargs)
        seen.extend(int(i["i"]["N"]) for i in out["Items"])
        if "LastEvaluatedKey" not in out:
            break
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    assert sorted(seen) == list(range(40))
    segments = []
    for seg in range(4):
        out = ddb.scan(TableName=table, Segment=seg, TotalSegments=4)
        segments.extend(int(i["i"]["N"]) for i in out["Items"])
    assert sorted(segments) == list(range(40))
    out = ddb.scan(TableName=table, FilterExpression="i >= :x", ExpressionAttributeValues={":x": {"N": "35"}})
    assert out["Count"] == 5 and out["ScannedCount"] == 40
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=table, Segment=1)
    assert _err(exc)[0] == "ValidationException"


def test_number_precision(ddb, table):
    big = "1" + "0" * 37
    ddb.put_item(TableName=table, Item={"pk": {"S": "num"}, "n": {"N": big}, "f": {"N": "0.000100"}})
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "num"}})["Item"]
    assert got["n"] == {"N": big}
    assert got["f"] == {"N": "0.0001"}
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "num"}, "n": {"N": "1" * 39}})
    assert _err(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "num"}, "n": {"N": "abc"}})
    assert _err(exc)[0] == "ValidationException"


def test_consumed_capacity(ddb, table):
    out = ddb.put_item(TableName=table, Item={"pk": {"S": "c"}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["TableName"] == table
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_query_filter_on_key_and_type_mismatch(ddb, sorted_table):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=sorted_table, KeyConditionExpression="pk = :p", FilterExpression="sk > :x",
                  ExpressionAttributeValues={":p": {"S": "p"}, ":x": {"N": "1"}})
    assert _err(exc) == ("ValidationException", "Filter Expression can only contain non-primary key attributes: "
                                                "Primary key attribute: sk")
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=sorted_table, KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": {"N": "1"}})
    assert _err(exc)[0] == "ValidationException"

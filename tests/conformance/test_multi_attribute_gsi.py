"""GSIs with multi-attribute keys (up to 4 partition and 4 sort key attributes, Nov 2025) through boto3:
CreateTable/UpdateTable validation, DescribeTable, index maintenance (sparse: every key attribute needed),
Query rules and order, paging and LastEvaluatedKey, legacy KeyConditions, Scan and PartiQL.

Behaviour as recorded against DynamoDB by moto's aws_verified test_dynamodb_multi_attribute_gsi.py and
scylladb's alternator test_gsi_composite_keys.py; validation texts from the ack-api-quirks catalogue
(DDB-TABLE-123/442) -- see schema.check_gsi_key_schema.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

INVALID = "One or more parameter values were invalid: "


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def _keys(hashes, ranges=()):
    return ([{"AttributeName": n, "KeyType": "HASH"} for n in hashes]
            + [{"AttributeName": n, "KeyType": "RANGE"} for n in ranges])


def _create(ddb, name, key_schema, types, **extra):
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in types.items()],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": key_schema,
                                 "Projection": {"ProjectionType": "ALL"}}], **extra)


@pytest.fixture
def t2h2r(ddb, table_name):
    """pk table with GSI (h1, h2 HASH; r1 S, r2 N RANGE)."""
    _create(ddb, table_name, _keys(["h1", "h2"], ["r1", "r2"]), {"pk": "S", "h1": "S", "h2": "S", "r1": "S",
                                                                  "r2": "N"})
    return table_name


def _put(ddb, table, pk, **attrs):
    item = {"pk": {"S": pk}}
    for name, value in attrs.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    ddb.put_item(TableName=table, Item=item)


def _q(ddb, table, expr, values, **kw):
    vals = {k: ({"N": str(v)} if isinstance(v, int) else {"S": v}) for k, v in values.items()}
    return ddb.query(TableName=table, IndexName="gsi", KeyConditionExpression=expr,
                     ExpressionAttributeValues=vals, **kw)


def _pks(out):
    return [i["pk"]["S"] for i in out["Items"]]


# --- CreateTable / UpdateTable / DescribeTable ----------------------------------------------------------

def test_create_4_hash_4_range_described_in_order(ddb, table_name):
    ks = _keys(["a", "b", "c", "d"], ["e", "f", "g", "h"])
    _create(ddb, table_name, ks, {"pk": "S", **dict.fromkeys("abcdefgh", "S")})
    gsi = ddb.describe_table(TableName=table_name)["Table"]["GlobalSecondaryIndexes"][0]
    assert gsi["KeySchema"] == ks
    assert gsi["IndexStatus"] == "ACTIVE"


def test_create_two_hash_no_range(ddb, table_name):
    _create(ddb, table_name, _keys(["a", "b"]), {"pk": "S", "a": "S", "b": "N"})
    gsi = ddb.describe_table(TableName=table_name)["Table"]["GlobalSecondaryIndexes"][0]
    assert gsi["KeySchema"] == _keys(["a", "b"])


@pytest.mark.parametrize(("key_schema", "message"), [
    (_keys([f"a{i}" for i in range(5)]),
     f"{INVALID}The KeySchema exceeds the maximum allowed number of HASH key attributes"),
    (_keys(["a0"], [f"a{i}" for i in range(1, 6)]),
     f"{INVALID}The KeySchema exceeds the maximum allowed number of RANGE key attributes"),
    (_keys(["a0"], ["a1"]) + _keys(["a2"]),
     f"{INVALID}All HASH key attributes must precede RANGE key attributes in the KeySchema"),
    ([{"AttributeName": "a0", "KeyType": "RANGE"}, {"AttributeName": "a1", "KeyType": "HASH"}],
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    (_keys(["a0", "a0"]), "The KeySchema contains multiple key attributes with the same name"),
    (_keys(["a0", "a1"], ["a0"]), "The KeySchema contains multiple key attributes with the same name"),
])
def test_create_invalid_key_schemas(ddb, table_name, key_schema, message):
    names = {k["AttributeName"] for k in key_schema}
    with pytest.raises(ClientError) as exc:
        _create(ddb, table_name, key_schema, {"pk": "S", **dict.fromkeys(sorted(names), "S")})
    assert _err(exc) == ("ValidationException", message)


def test_table_and_lsi_key_schemas_stay_at_two(ddb, table_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=table_name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("a", "b", "c")],
            KeySchema=_keys(["a"], ["b", "c"]))
    assert _err(exc)[0] == "ValidationException"
    assert "length less than or equal to 2" in _err(exc)[1]
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=table_name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("a", "b", "c")],
            KeySchema=_keys(["a"], ["b"]),
            LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": _keys(["a"], ["b", "c"]),
                                    "Projection": {"ProjectionType": "ALL"}}])
    assert _err(exc)[0] == "ValidationException"


def test_missing_attribute_definition(ddb, table_name):
    with pytest.raises(ClientError) as exc:
        _create(ddb, table_name, _keys(["a", "b"]), {"pk": "S", "a": "S"})
    code, message = _err(exc)
    assert code == "ValidationException" and "AttributeDefinitions" in message


def test_update_table_creates_and_backfills(ddb, table_name):
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    _put(ddb, table_name, "1", a="x", b="y", c="2")
    _put(ddb, table_name, "2", a="x", b="y", c="1")
    _put(ddb, table_name, "3", a="x", c="0")           # no b: not indexed
    ddb.update_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in "abc"],
        GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "gsi", "KeySchema": _keys(["a", "b"], ["c"]),
                                                 "Projection": {"ProjectionType": "ALL"}}}])
    out = _q(ddb, table_name, "a = :a AND b = :b", {":a": "x", ":b": "y"})
    assert _pks(out) == ["2", "1"]
    with pytest.raises(ClientError) as exc:
        ddb.update_table(
            TableName=table_name,
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in "abcdefgh"],
            GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "gsi2", "KeySchema": _keys(list("abcde")),
                                                     "Projection": {"ProjectionType": "ALL"}}}])
    assert _err(exc) == ("ValidationException",
                         f"{INVALID}The KeySchema exceeds the maximum allowed number of HASH key attributes")


# --- maintenance ---------------------------------------------------------------------------------------

def test_item_indexed_only_with_every_key_attribute(ddb, t2h2r):
    _put(ddb, t2h2r, "full", h1="a", h2="b", r1="x", r2=1)
    _put(ddb, t2h2r, "no-h2", h1="a", r1="x", r2=2)
    _put(ddb, t2h2r, "no-r2", h1="a", h2="b", r1="x")
    assert _pks(_q(ddb, t2h2r, "h1 = :a AND h2 = :b", {":a": "a", ":b": "b"})) == ["full"]
    scanned = ddb.scan(TableName=t2h2r, IndexName="gsi")
    assert _pks(scanned) == ["full"]
    # Adding the missing attribute indexes the item; removing one drops it again.
    ddb.update_item(TableName=t2h2r, Key={"pk": {"S": "no-r2"}}, UpdateExpression="SET r2 = :v",
                    ExpressionAttributeValues={":v": {"N": "0"}})
    assert _pks(_q(ddb, t2h2r, "h1 = :a AND h2 = :b", {":a": "a", ":b": "b"})) == ["no-r2", "full"]
    ddb.update_item(TableName=t2h2r, Key={"pk": {"S": "full"}}, UpdateExpression="REMOVE h1")
    assert _pks(_q(ddb, t2h2r, "h1 = :a AND h2 = :b", {":a": "a", ":b": "b"})) == ["no-r2"]
    ddb.delete_item(TableName=t2h2r, Key={"pk": {"S": "no-r2"}})
    assert _q(ddb, t2h2r, "h1 = :a AND h2 = :b", {":a": "a", ":b": "b"})["Count"] == 0


def test_key_attribute_type_and_empty_checked_on_write(ddb, t2h2r):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=t2h2r, Item={"pk": {"S": "1"}, "h1": {"S": "a"}, "h2": {"N": "1"}})
    assert _err(exc) == ("ValidationException", f"{INVALID}Type mismatch for Index Key h2 Expected: S Actual: N "
                                                "IndexName: gsi")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=t2h2r, Item={"pk": {"S": "1"}, "r2": {"S": "x"}})
    assert "Type mismatch for Index Key r2 Expected: N Actual: S" in _err(exc)[1]
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=t2h2r, Item={"pk": {"S": "1"}, "h2": {"S": ""}})
    assert "empty string value" in _err(exc)[1]


# --- Query ---------------------------------------------------------------------------------------------

@pytest.fixture
def loaded(ddb, t2h2r):
    rows = [("1", "A", 100), ("2", "A", 200), ("3", "A", 300), ("4", "B", 150), ("5", "A", 5), ("6", "AB", 7)]
    for pk, r1, r2 in rows:
        _put(ddb, t2h2r, pk, h1="p", h2="q", r1=r1, r2=r2)
    _put(ddb, t2h2r, "other", h1="p", h2="other", r1="A", r2=1)
    return t2h2r


def test_query_orders_by_sort_attributes_in_turn(ddb, loaded):
    out = _q(ddb, loaded, "h1 = :a AND h2 = :b", {":a": "p", ":b": "q"})
    assert _pks(out) == ["5", "1", "2", "3", "6", "4"]     # (A,5) (A,100) (A,200) (A,300) (AB,7) (B,150)
    back = _q(ddb, loaded, "h1 = :a AND h2 = :b", {":a": "p", ":b": "q"}, ScanIndexForward=False)
    assert _pks(back) == ["4", "6", "3", "2", "1", "5"]


@pytest.mark.parametrize(("expr", "values", "expected"), [
    ("h1 = :a AND h2 = :b AND r1 = :r", {":r": "A"}, ["5", "1", "2", "3"]),
    ("h1 = :a AND h2 = :b AND r1 > :r", {":r": "A"}, ["6", "4"]),
    ("h1 = :a AND h2 = :b AND r1 >= :r", {":r": "AB"}, ["6", "4"]),
    ("h1 = :a AND h2 = :b AND r1 < :r", {":r": "AB"}, ["5", "1", "2", "3"]),
    ("h1 = :a AND h2 = :b AND r1 <= :r", {":r": "A"}, ["5", "1", "2", "3"]),
    ("h1 = :a AND h2 = :b AND begins_with(r1, :r)", {":r": "A"}, ["5", "1", "2", "3", "6"]),
    ("h1 = :a AND h2 = :b AND r1 BETWEEN :r AND :s", {":r": "AA", ":s": "B"}, ["6", "4"]),
    ("h1 = :a AND h2 = :b AND r1 = :r AND r2 = :s", {":r": "A", ":s": 200}, ["2"]),
    ("h1 = :a AND h2 = :b AND r1 = :r AND r2 > :s", {":r": "A", ":s": 100}, ["2", "3"]),
    ("h1 = :a AND h2 = :b AND r1 = :r AND r2 < :s", {":r": "A", ":s": 100}, ["5"]),
    ("h1 = :a AND h2 = :b AND r1 = :r AND r2 BETWEEN :s AND :t", {":r": "A", ":s": 100, ":t": 200}, ["1", "2"]),
    ("r2 = :s AND h2 = :b AND r1 = :r AND h1 = :a", {":r": "A", ":s": 300}, ["3"]),     # any order in the text
])
def test_query_sort_key_conditions(ddb, loaded, expr, values, expected):
    out = _q(ddb, loaded, expr, {":a": "p", ":b": "q", **values})
    assert _pks(out) == expected


@pytest.mark.parametrize(("expr", "values", "pattern"), [
    ("h1 = :a", {}, "HASH key attribute: h2"),
    ("h1 = :a AND h2 > :b", {":b": "q"}, "HASH key attribute: h2"),
    ("h1 = :a AND begins_with(h2, :b)", {":b": "q"}, "HASH key attribute: h2"),
    ("h1 = :a AND h2 = :b AND r2 = :s", {":b": "q", ":s": 1}, "RANGE key attribute: r1"),
    ("h1 = :a AND h2 = :b AND r1 > :r AND r2 = :s", {":b": "q", ":r": "A", ":s": 1}, "RANGE key attribute: r1"),
    ("h1 = :a AND h2 = :b AND begins_with(r1, :r) AND r2 = :s", {":b": "q", ":r": "A", ":s": 1},
     "RANGE key attribute: r1"),
])
def test_query_key_condition_rules(ddb, loaded, expr, values, pattern):
    with pytest.raises(ClientError) as exc:
        _q(ddb, loaded, expr, {":a": "p", **values})
    code, message = _err(exc)
    assert code == "ValidationException"
    assert pattern in message
    assert ("HASH" if "HASH" in pattern else "RANGE") in message and "equality" in message


def test_query_other_key_condition_errors(ddb, loaded):
    with pytest.raises(ClientError) as exc:
        _q(ddb, loaded, "h1 = :a AND h2 = :b", {":a": "p", ":b": 1})
    assert _err(exc) == ("ValidationException", f"{INVALID}Condition parameter type does not match schema type")
    with pytest.raises(ClientError) as exc:
        _q(ddb, loaded, "h1 = :a AND h2 = :b", {":a": "p", ":b": "q"}, FilterExpression="r1 = :a")
    assert _err(exc) == ("ValidationException", "Filter Expression can only contain non-primary key attributes: "
                                                "Primary key attribute: r1")
    with pytest.raises(ClientError) as exc:
        _q(ddb, loaded, "h1 = :a AND h2 = :b", {":a": "p", ":b": "q"}, ConsistentRead=True)
    assert _err(exc)[1] == "Consistent reads are not supported on global secondary indexes"


def test_query_paging_and_last_evaluated_key(ddb, loaded):
    seen, start = [], None
    while True:
        kw = {"Limit": 2, **({"ExclusiveStartKey": start} if start else {})}
        out = _q(ddb, loaded, "h1 = :a AND h2 = :b", {":a": "p", ":b": "q"}, **kw)
        seen += _pks(out)
        start = out.get("LastEvaluatedKey")
        if start is None:
            break
        assert set(start) == {"pk", "h1", "h2", "r1", "r2"}
    assert seen == ["5", "1", "2", "3", "6", "4"]
    bad = {"pk": {"S": "1"}, "h1": {"S": "p"}, "r1": {"S": "A"}, "r2": {"N": "100"}}     # no h2
    with pytest.raises(ClientError) as exc:
        _q(ddb, loaded, "h1 = :a AND h2 = :b", {":a": "p", ":b": "q"}, ExclusiveStartKey=bad)
    assert _err(exc) == ("ValidationException", "The provided starting key is invalid: The provided key element "
                                                "does not match the schema")
    other = {"pk": {"S": "other"}, "h1": {"S": "p"}, "h2": {"S": "other"}, "r1": {"S": "A"}, "r2": {"N": "1"}}
    with pytest.raises(ClientError) as exc:
        _q(ddb, loaded, "h1 = :a AND h2 = :b", {":a": "p", ":b": "q"}, ExclusiveStartKey=other)
    assert _err(exc)[0] == "ValidationException"


def test_legacy_key_conditions(ddb, loaded):
    def cond(op, *values):
        return {"ComparisonOperator": op,
                "AttributeValueList": [{"N": str(v)} if isinstance(v, int) else {"S": v} for v in values]}

    out = ddb.query(TableName=loaded, IndexName="gsi", KeyConditions={
        "h1": cond("EQ", "p"), "h2": cond("EQ", "q"), "r1": cond("EQ", "A"), "r2": cond("GT", 100)})
    assert _pks(out) == ["2", "3"]
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=loaded, IndexName="gsi", KeyConditions={
            "h1": cond("EQ", "p"), "h2": cond("EQ", "q"), "r2": cond("GT", 100)})
    assert _err(exc)[0] == "ValidationException" and "r1" in _err(exc)[1]


def test_scan_and_partiql_on_the_index(ddb, loaded):
    out = ddb.scan(TableName=loaded, IndexName="gsi", Limit=3)
    assert set(out["LastEvaluatedKey"]) == {"pk", "h1", "h2", "r1", "r2"}
    rest = ddb.scan(TableName=loaded, IndexName="gsi", ExclusiveStartKey=out["LastEvaluatedKey"])
    assert sorted(_pks(out) + _pks(rest)) == sorted(["1", "2", "3", "4", "5", "6", "other"])
    stmt = f'SELECT * FROM "{loaded}"."gsi" WHERE h1 = ? AND h2 = ? AND r1 = ?'
    items = ddb.execute_statement(Statement=stmt, Parameters=[{"S": "p"}, {"S": "q"}, {"S": "A"}])["Items"]
    assert sorted(i["pk"]["S"] for i in items) == ["1", "2", "3", "5"]


def test_mixed_types_and_binary_sort(ddb, table_name):
    _create(ddb, table_name, _keys(["s", "n"], ["m", "b"]), {"pk": "S", "s": "S", "n": "N", "m": "N", "b": "B"})
    for pk, m, b in (("1", "100", b"\x01"), ("2", "5", b"\x00\x02"), ("3", "5", b"\x00"), ("4", "-1", b"\xff")):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": pk}, "s": {"S": "x"}, "n": {"N": "1.0"},
                                                 "m": {"N": m}, "b": {"B": b}})
    out = ddb.query(TableName=table_name, IndexName="gsi", KeyConditionExpression="s = :s AND n = :n",
                    ExpressionAttributeValues={":s": {"S": "x"}, ":n": {"N": "1"}})
    assert _pks(out) == ["4", "3", "2", "1"]
    out = ddb.query(TableName=table_name, IndexName="gsi",
                    KeyConditionExpression="s = :s AND n = :n AND m = :m AND begins_with(b, :b)",
                    ExpressionAttributeValues={":s": {"S": "x"}, ":n": {"N": "1"}, ":m": {"N": "5"},
                                               ":b": {"B": b"\x00"}})
    assert _pks(out) == ["3", "2"]
    assert out["Items"][0]["m"] == {"N": "5"}
    assert Decimal(out["Items"][0]["n"]["N"]) == 1

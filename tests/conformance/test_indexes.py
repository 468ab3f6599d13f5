"""Secondary indexes and Query/Scan details through boto3: maintenance, projections, sparse indexes, index
reads and paging, GSI creation with backfill, errors, item-collection limit, parallel scans, page limits."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import create_table


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def _gsi(name, hash_key, range_key=None, projection=None):
    keys = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        keys.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return {"IndexName": name, "KeySchema": keys, "Projection": projection or {"ProjectionType": "ALL"}}


def _attrs(**types):
    return [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]


@pytest.fixture
def gsi_table(ddb, table_name):
    """pk (S) table with GSIs on g (S) / n (N): ALL, KEYS_ONLY and INCLUDE(extra) projections."""
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=_attrs(pk="S", g="S", n="N"),
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            _gsi("by-all", "g", "n"),
            _gsi("by-keys", "g", "n", {"ProjectionType": "KEYS_ONLY"}),
            _gsi("by-include", "g", "n", {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["extra"]}),
        ])
    return table_name


@pytest.fixture
def lsi_table(ddb, table_name):
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=_attrs(pk="S", sk="S", l="N"),
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{"IndexName": "by-l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                   {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    return table_name


def _query(ddb, table, index, value, **kw):
    return ddb.query(TableName=table, IndexName=index, KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": value}}, **kw)


def _put(ddb, table, pk, **attrs):
    item = {"pk": {"S": pk}}
    for name, value in attrs.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    ddb.put_item(TableName=table, Item=item)


# --- maintenance and projections ------------------------------------------------------------------

def test_projection_shapes(ddb, gsi_table):
    _put(ddb, gsi_table, "a", g="x", n=1, extra="e", other="o")
    assert _query(ddb, gsi_table, "by-all", "x")["Items"] == [
        {"pk": {"S": "a"}, "g": {"S": "x"}, "n": {"N": "1"}, "extra": {"S": "e"}, "other": {"S": "o"}}]
    assert _query(ddb, gsi_table, "by-keys", "x")["Items"] == [
        {"pk": {"S": "a"}, "g": {"S": "x"}, "n": {"N": "1"}}]
    assert _query(ddb, gsi_table, "by-include", "x")["Items"] == [
        {"pk": {"S": "a"}, "g": {"S": "x"}, "n": {"N": "1"}, "extra": {"S": "e"}}]


def test_sparse_index_and_entries_follow_writes(ddb, gsi_table):
    _put(ddb, gsi_table, "a", g="x", n=1)
    _put(ddb, gsi_table, "b", g="x")          # no range key attribute: not indexed
    _put(ddb, gsi_table, "c", other="o")      # no index attributes at all
    assert ddb.scan(TableName=gsi_table)["Count"] == 3
    assert ddb.scan(TableName=gsi_table, IndexName="by-all")["Count"] == 1
    # the index key changes: the entry moves
    ddb.update_item(TableName=gsi_table, Key={"pk": {"S": "a"}}, UpdateExpression="SET g = :y",
                    ExpressionAttributeValues={":y": {"S": "y"}})
    assert _query(ddb, gsi_table, "by-all", "x")["Count"] == 0
    assert _query(ddb, gsi_table, "by-all", "y")["Count"] == 1
    # the item gains the missing attribute: it joins the index
    ddb.update_item(TableName=gsi_table, Key={"pk": {"S": "b"}}, UpdateExpression="SET n = :n",
                    ExpressionAttributeValues={":n": {"N": "7"}})
    assert [i["pk"]["S"] for i in _query(ddb, gsi_table, "by-all", "x")["Items"]] == ["b"]
    # removing an index attribute drops the entry; deleting the item too
    ddb.update_item(TableName=gsi_table, Key={"pk": {"S": "b"}}, UpdateExpression="REMOVE g")
    assert _query(ddb, gsi_table, "by-keys", "x")["Count"] == 0
    ddb.delete_item(TableName=gsi_table, Key={"pk": {"S": "a"}})
    assert ddb.scan(TableName=gsi_table, IndexName="by-all")["Count"] == 0
    # batch and transactional writes maintain the index as well
    ddb.batch_write_item(RequestItems={gsi_table: [
        {"PutRequest": {"Item": {"pk": {"S": f"p{i}"}, "g": {"S": "z"}, "n": {"N": str(i)}}}} for i in range(3)]})
    ddb.transact_write_items(TransactItems=[
        {"Delete": {"TableName": gsi_table, "Key": {"pk": {"S": "p0"}}}},
        {"Put": {"TableName": gsi_table, "Item": {"pk": {"S": "p9"}, "g": {"S": "z"}, "n": {"N": "9"}}}}])
    assert [i["pk"]["S"] for i in _query(ddb, gsi_table, "by-keys", "z")["Items"]] == ["p1", "p2", "p9"]


def test_index_key_type_and_empty_value_errors(ddb, gsi_table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=gsi_table, Item={"pk": {"S": "a"}, "g": {"N": "1"}})
    # three indexes key on g: AWS names the alphabetically first
    assert _err(exc) == ("ValidationException", ("One or more parameter values were invalid: Type mismatch for "
                                                "Index Key g Expected: S Actual: N IndexName: by-all"))
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=gsi_table, Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :v",
                        ExpressionAttributeValues={":v": {"S": "text"}})
    assert _err(exc)[1].endswith("Type mismatch for Index Key n Expected: N Actual: S IndexName: by-all")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=gsi_table, Item={"pk": {"S": "a"}, "g": {"S": ""}})
    assert _err(exc) == ("ValidationException", ("One or more parameter values are not valid. A value specified "
                                                "for a secondary index key is not supported. The AttributeValue for "
                                                "a key attribute cannot contain an empty string value. IndexName: "
                                                "by-all, IndexKey: g"))
    assert "Item" not in ddb.get_item(TableName=gsi_table, Key={"pk": {"S": "a"}})


def test_describe_table_counts_index_entries(ddb, gsi_table):
    for i in range(4):
        _put(ddb, gsi_table, f"p{i}", g="x", n=i, extra="e" * 10, other="o" * 100)
    _put(ddb, gsi_table, "sparse", other="o")
    desc = ddb.describe_table(TableName=gsi_table)["Table"]
    assert desc["ItemCount"] == 5
    sizes = {i["IndexName"]: (i["ItemCount"], i["IndexSizeBytes"]) for i in desc["GlobalSecondaryIndexes"]}
    assert {name: count for name, (count, _) in sizes.items()} == {"by-all": 4, "by-keys": 4, "by-include": 4}
    assert sizes["by-all"][1] > sizes["by-include"][1] > sizes["by-keys"][1] > 0
    assert all(i["IndexStatus"] == "ACTIVE" for i in desc["GlobalSecondaryIndexes"])


# --- reads ----------------------------------------------------------------------------------------

def test_index_query_order_paging_and_last_evaluated_key(ddb, gsi_table):
    for i in range(12):
        _put(ddb, gsi_table, f"p{i:02d}", g="x", n=i % 3, m=i % 2)
    full = _query(ddb, gsi_table, "by-keys", "x")["Items"]
    assert [int(i["n"]["N"]) for i in full] == sorted(int(i["n"]["N"]) for i in full)
    pages, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        page = _query(ddb, gsi_table, "by-keys", "x", Limit=5, **kw)
        pages.append(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"pk", "g", "n"}       # table key and index key
    assert [i for p in pages for i in p] == full
    backwards = _query(ddb, gsi_table, "by-keys", "x", ScanIndexForward=False)["Items"]
    assert [int(i["n"]["N"]) for i in backwards] == sorted((int(i["n"]["N"]) for i in full), reverse=True)
    ranged = ddb.query(TableName=gsi_table, IndexName="by-keys",
                       KeyConditionExpression="g = :g AND n BETWEEN :a AND :b",
                       ExpressionAttributeValues={":g": {"S": "x"}, ":a": {"N": "1"}, ":b": {"N": "2"}})
    assert ranged["Count"] == 8
    counted = ddb.query(TableName=gsi_table, IndexName="by-all", KeyConditionExpression="g = :g", Select="COUNT",
                        FilterExpression="m = :one", ExpressionAttributeValues={":g": {"S": "x"}, ":one": {"N": "1"}})
    assert "Items" not in counted and counted["Count"] == 6 and counted["ScannedCount"] == 12


def test_index_read_errors(ddb, gsi_table):
    with pytest.raises(ClientError) as exc:
        _query(ddb, gsi_table, "by-all", "x", ConsistentRead=True)
    assert _err(exc) == ("ValidationException", "Consistent reads are not supported on global secondary indexes")
    with pytest.raises(ClientError) as exc:
        _query(ddb, gsi_table, "by-keys", "x", Select="ALL_ATTRIBUTES")
    assert _err(exc) == ("ValidationException", ("One or more parameter values were invalid: Select type "
                                                "ALL_ATTRIBUTES is not supported for global secondary index by-keys "
                                                "because its projection type is not ALL"))
    assert _query(ddb, gsi_table, "by-all", "x", Select="ALL_ATTRIBUTES")["Count"] == 0
    assert _query(ddb, gsi_table, "by-keys", "x", Select="ALL_PROJECTED_ATTRIBUTES")["Count"] == 0
    with pytest.raises(ClientError) as exc:
        _query(ddb, gsi_table, "nope-index", "x")
    assert _err(exc) == ("ValidationException", "The table does not have the specified index: nope-index")
    with pytest.raises(ClientError) as exc:
        _query(ddb, gsi_table, "by-all", "x", ExclusiveStartKey={"pk": {"S": "a"}})
    assert _err(exc)[1].startswith("The provided starting key is invalid")


def test_lsi_reads_fetch_unprojected_attributes(ddb, lsi_table):
    for i, l_value in enumerate([3, 1, 2]):
        ddb.put_item(TableName=lsi_table, Item={"pk": {"S": "p"}, "sk": {"S": f"s{i}"}, "l": {"N": str(l_value)},
                                                "body": {"S": f"b{i}"}})
    ddb.put_item(TableName=lsi_table, Item={"pk": {"S": "p"}, "sk": {"S": "no-l"}})
    query = {"TableName": lsi_table, "IndexName": "by-l", "KeyConditionExpression": "pk = :p",
                 "ExpressionAttributeValues": {":p": {"S": "p"}}}
    keys_only = ddb.query(**query)["Items"]
    assert [i["l"]["N"] for i in keys_only] == ["1", "2", "3"]
    assert all("body" not in i for i in keys_only)
    full = ddb.query(**query, Select="ALL_ATTRIBUTES")["Items"]
    assert [i["body"]["S"] for i in full] == ["b1", "b2", "b0"]
    projected = ddb.query(**query, ProjectionExpression="body, l")["Items"]
    assert projected[0] == {"body": {"S": "b1"}, "l": {"N": "1"}}
    assert ddb.query(**query, ConsistentRead=True)["Count"] == 3      # allowed on an LSI


# --- UpdateTable GlobalSecondaryIndexUpdates ---------------------------------------------------------

def test_create_gsi_backfills_existing_items(ddb, table_name):
    create_table(ddb, table_name)
    for i in range(30):
        item = {"pk": {"S": f"p{i:02d}"}, "v": {"N": str(i)}}
        if i % 2 == 0:
            item["g"] = {"S": "even"}
        ddb.put_item(TableName=table_name, Item=item)
    resp = ddb.update_table(TableName=table_name, AttributeDefinitions=_attrs(g="S", v="N"),
                            GlobalSecondaryIndexUpdates=[{"Create": _gsi("by-g", "g", "v")}])
    index = resp["TableDescription"]["GlobalSecondaryIndexes"][0]
    assert (index["IndexName"], index["IndexStatus"], index["Backfilling"]) == ("by-g", "CREATING", True)
    described = ddb.describe_table(TableName=table_name)["Table"]
    index = described["GlobalSecondaryIndexes"][0]
    assert (index["IndexStatus"], index["ItemCount"]) == ("ACTIVE", 15)
    assert {a["AttributeName"] for a in described["AttributeDefinitions"]} == {"pk", "g", "v"}
    got = ddb.query(TableName=table_name, IndexName="by-g", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "even"}})["Items"]
    assert [int(i["v"]["N"]) for i in got] == list(range(0, 30, 2))
    # later writes are maintained too
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "new"}, "g": {"S": "even"}, "v": {"N": "100"}})
    assert ddb.scan(TableName=table_name, IndexName="by-g")["Count"] == 16
    # Delete: gone from the description and from reads; its attribute definitions go with it
    resp = ddb.update_table(TableName=table_name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-g"}}])
    assert resp["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "DELETING"
    described = ddb.describe_table(TableName=table_name)["Table"]
    assert "GlobalSecondaryIndexes" not in described
    assert [a["AttributeName"] for a in described["AttributeDefinitions"]] == ["pk"]
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=table_name, IndexName="by-g")
    assert _err(exc) == ("ValidationException", "The table does not have the specified index: by-g")


def test_backfill_leaves_out_mistyped_items_which_stay_writable(ddb, table_name):
    create_table(ddb, table_name)
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "odd"}, "g": {"N": "1"}})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "fine"}, "g": {"S": "x"}})
    ddb.update_table(TableName=table_name, AttributeDefinitions=_attrs(g="S"),
                     GlobalSecondaryIndexUpdates=[{"Create": _gsi("by-g", "g")}])
    assert ddb.describe_table(TableName=table_name)["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"] == 1
    ddb.update_item(TableName=table_name, Key={"pk": {"S": "odd"}}, UpdateExpression="SET note = :o",
                    ExpressionAttributeValues={":o": {"S": "o"}})
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table_name, Key={"pk": {"S": "odd"}}, UpdateExpression="SET g = :g",
                        ExpressionAttributeValues={":g": {"N": "2"}})
    assert _err(exc)[1].endswith("Type mismatch for Index Key g Expected: S Actual: N IndexName: by-g")


def test_gsi_update_errors(ddb, table_name):
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=_attrs(pk="S", sk="S", g="S", l="S"),
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[_gsi("by-g", "g")],
        LocalSecondaryIndexes=[{"IndexName": "by-l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                   {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}])

    def update(*updates, **kw):
        with pytest.raises(ClientError) as exc:
            ddb.update_table(TableName=table_name, GlobalSecondaryIndexUpdates=list(updates), **kw)
        return _err(exc)

    assert update({"Create": _gsi("by-g", "g")}) == ("ValidationException",
                                                     "Attempting to create an index which already exists")
    assert update({"Delete": {"IndexName": "ghost"}})[0] == "ResourceNotFoundException"
    assert update({"Delete": {"IndexName": "by-l"}}) == (
        "ValidationException", "Cannot delete an index that is not a GlobalSecondaryIndex: by-l")
    assert update({"Create": _gsi("one", "g")}, {"Create": _gsi("two", "g")}) == (
        "LimitExceededException", ("Subscriber limit exceeded: Only 1 online index can be created or deleted "
                                  "simultaneously per table"))
    assert update({"Delete": {"IndexName": "by-g"}}, {"Delete": {"IndexName": "by-g"}}) == (
        "ValidationException", ("One or more parameter values were invalid: Only one global secondary index update "
                               "per index is allowed simultaneously. Index: by-g"))
    assert update({"Create": _gsi("by-x", "x")}) == (
        "ValidationException", ("One or more parameter values were invalid: AttributeDefinitions is not specified "
                               "for index: by-x"))
    assert [i["IndexName"] for i in ddb.describe_table(TableName=table_name)["Table"]["GlobalSecondaryIndexes"]] \
        == ["by-g"]


def test_gsi_count_limit(ddb, table_name):
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=_attrs(pk="S", g="S"),
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     GlobalSecondaryIndexes=[_gsi(f"index-{i:02d}", "g") for i in range(20)])
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table_name, GlobalSecondaryIndexUpdates=[{"Create": _gsi("index-20", "g")}])
    assert _err(exc)[0] == "LimitExceededException"
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    counts = {i["IndexName"]: i["ItemCount"] for i in
              ddb.describe_table(TableName=table_name)["Table"]["GlobalSecondaryIndexes"]}
    assert len(counts) == 20 and set(counts.values()) == {1}


def test_delete_table_drops_index_entries(ddb, gsi_table):
    _put(ddb, gsi_table, "a", g="x", n=1)
    ddb.delete_table(TableName=gsi_table)
    ddb.create_table(TableName=gsi_table, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=_attrs(pk="S", g="S"),
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], GlobalSecondaryIndexes=[_gsi("by-all",
                                                                                                          "g")])
    assert ddb.scan(TableName=gsi_table, IndexName="by-all")["Count"] == 0


# --- Scan / Query paging details ---------------------------------------------------------------------

def _segments(ddb, total, **kw):
    seen = []
    for segment in range(total):
        start = None
        while True:
            page = ddb.scan(Segment=segment, TotalSegments=total, Limit=7,
                            **({"ExclusiveStartKey": start} if start else {}), **kw)
            seen.extend(i["pk"]["S"] for i in page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    return seen


def test_parallel_scan_covers_every_item_once(ddb, gsi_table):
    for i in range(60):
        _put(ddb, gsi_table, f"p{i:02d}", g=f"g{i % 9}", n=i)
    expected = sorted(f"p{i:02d}" for i in range(60))
    for total in (1, 3, 4):
        assert sorted(_segments(ddb, total, TableName=gsi_table)) == expected
        assert sorted(_segments(ddb, total, TableName=gsi_table, IndexName="by-keys")) == expected


def test_page_limit_applies_before_the_filter(ddb, table_name):
    create_table(ddb, table_name)
    blob = "x" * (100 * 1024)
    for i in range(15):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": f"p{i:02d}"}, "payload": {"S": blob}})
    page = ddb.scan(TableName=table_name, FilterExpression="attribute_not_exists(payload)")
    assert page["Count"] == 0
    assert 9 <= page["ScannedCount"] <= 11 and "LastEvaluatedKey" in page
    rest = ddb.scan(TableName=table_name, ExclusiveStartKey=page["LastEvaluatedKey"],
                    FilterExpression="attribute_not_exists(payload)")
    assert page["ScannedCount"] + rest["ScannedCount"] == 15 and "LastEvaluatedKey" not in rest


def test_limit_counts_items_evaluated_and_select_modes(ddb, table_name):
    create_table(ddb, table_name, range_key="sk", range_type="N")
    for i in range(10):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "odd": {"BOOL": i % 2 == 1},
                                                 "x": {"S": "x"}})
    base = {"TableName": table_name, "KeyConditionExpression": "pk = :p"}
    page = ddb.query(**base, Limit=5, FilterExpression="odd = :t",
                     ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}})
    assert (page["Count"], page["ScannedCount"]) == (2, 5)
    assert page["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "4"}}
    counted = ddb.query(**base, Select="COUNT", ExpressionAttributeValues={":p": {"S": "p"}})
    assert "Items" not in counted and counted["Count"] == 10
    specific = ddb.query(**base, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="x",
                         ExpressionAttributeValues={":p": {"S": "p"}})
    assert specific["Items"][0] == {"x": {"S": "x"}}
    everything = ddb.query(**base, Select="ALL_ATTRIBUTES", ExpressionAttributeValues={":p": {"S": "p"}})
    assert set(everything["Items"][0]) == {"pk", "sk", "odd", "x"}
    with pytest.raises(ClientError) as exc:
        ddb.query(**base, Select="ALL_PROJECTED_ATTRIBUTES", ExpressionAttributeValues={":p": {"S": "p"}})
    assert _err(exc) == ("ValidationException",
                         "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")


# --- property: Query on an index == filter over a full Scan --------------------------------------------

@pytest.fixture(scope="module")
def property_table(ddb):
    name = f"prop-{uuid.uuid4().hex[:10]}"
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=_attrs(pk="S", g="S", n="N"),
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     GlobalSecondaryIndexes=[_gsi("by-gn", "g", "n", {"ProjectionType": "KEYS_ONLY"})])
    return name


_ITEMS = st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), st.one_of(st.none(), st.integers(-50, 50))),
                  min_size=0, max_size=25)
_RANGE = st.one_of(st.none(), st.tuples(st.sampled_from(["<", "<=", ">", ">=", "="]), st.integers(-50, 50)),
                   st.tuples(st.just("BETWEEN"), st.integers(-50, 0), st.integers(0, 50)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_ITEMS, which=st.sampled_from(["a", "b", "c"]), cond=_RANGE, forward=st.booleans(),
       limit=st.one_of(st.none(), st.integers(1, 6)))
def test_index_query_matches_filtered_scan(ddb, property_table, rows, which, cond, forward, limit):
    run = uuid.uuid4().hex[:8]
    for i, (g, n) in enumerate(rows):
        item = {"pk": {"S": f"{run}-{i}"}}
        if g is not None:
            item["g"] = {"S": f"{run}-{g}"}
        if n is not None:
            item["n"] = {"N": str(n)}
        ddb.put_item(TableName=property_table, Item=item)
    values = {":g": {"S": f"{run}-{which}"}}
    key_expr = "g = :g"
    if cond is not None:
        if cond[0] == "BETWEEN":
            key_expr += " AND n BETWEEN :lo AND :hi"
            values.update({":lo": {"N": str(cond[1])}, ":hi": {"N": str(cond[2])}})
        else:
            key_expr += f" AND n {cond[0]} :v"
            values[":v"] = {"N": str(cond[1])}
    got, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        if limit:
            kw["Limit"] = limit
        page = ddb.query(TableName=property_table, IndexName="by-gn", KeyConditionExpression=key_expr,
                         ExpressionAttributeValues=values, ScanIndexForward=forward, **kw)
        got.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    scan_filter = key_expr.replace("g = :g", "g = :g AND attribute_exists(n)")
    expected, start = [], None
    while True:
        page = ddb.scan(TableName=property_table, FilterExpression=scan_filter, ExpressionAttributeValues=values,
                        **({"ExclusiveStartKey": start} if start else {}))
        expected.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(i["pk"]["S"] for i in got) == sorted(i["pk"]["S"] for i in expected)
    order = [Decimal(i["n"]["N"]) for i in got]
    assert order == sorted(order, reverse=not forward)

"""Random and mutated requests never produce a 5xx, and a rejected request never changes stored data."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import create_table

OPERATIONS = ["PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchWriteItem",
              "BatchGetItem", "TransactWriteItems", "TransactGetItems", "CreateTable", "UpdateTable",
              "DescribeTable", "UpdateTimeToLive", "ListTables"]
SENTINEL = "fuzz-sentinel"

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                      st.text(max_size=12))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=12)
attr_value = st.recursive(
    st.one_of(st.fixed_dictionaries({"S": st.text(max_size=8)}), st.fixed_dictionaries({"N": st.text(max_size=8)}),
              st.fixed_dictionaries({"B": st.text(max_size=8)}), st.fixed_dictionaries({"BOOL": json_leaf}),
              st.fixed_dictionaries({"NULL": json_leaf}), st.fixed_dictionaries({"SS": st.lists(st.text(max_size=4))}),
              st.fixed_dictionaries({"NS": st.lists(st.text(max_size=4))}), json_value),
    lambda inner: st.one_of(st.fixed_dictionaries({"M": st.dictionaries(st.text(max_size=6), inner, max_size=3)}),
                            st.fixed_dictionaries({"L": st.lists(inner, max_size=3)})),
    max_leaves=8)
expressions = st.one_of(st.text(max_size=30), st.sampled_from([
    "SET #a = :v", "attribute_exists(pk)", "pk = :v AND sk > :w", "REMOVE a[1]", "ADD n :v", "size(a) > :v",
    "a BETWEEN :x AND :y", "NOT (a IN (:v, :w))", "SET a = list_append(a, :l)", "DELETE s :v", "#x.y[2]"]))


def mutated_request():
    base = st.fixed_dictionaries({
        "TableName": st.one_of(st.just(SENTINEL), st.text(max_size=5)),
        "Key": st.dictionaries(st.sampled_from(["pk", "sk", "x"]), attr_value, max_size=3),
        "Item": st.dictionaries(st.sampled_from(["pk", "sk", "a", "n"]), attr_value, max_size=4),
    }, optional={
        "ConditionExpression": expressions, "UpdateExpression": expressions, "ProjectionExpression": expressions,
        "KeyConditionExpression": expressions, "FilterExpression": expressions,
        "ExpressionAttributeNames": st.dictionaries(st.text(max_size=4), json_value, max_size=3),
        "ExpressionAttributeValues": st.dictionaries(st.text(max_size=4), attr_value, max_size=3),
        "ReturnValues": st.one_of(st.sampled_from(["ALL_OLD", "ALL_NEW", "NONE", "bogus"]), json_value),
        "Limit": json_value, "ExclusiveStartKey": json_value, "Segment": json_value, "TotalSegments": json_value,
        "RequestItems": json_value, "TransactItems": json_value, "KeySchema": json_value,
        "AttributeDefinitions": json_value, "StreamSpecification": json_value,
    })
    return st.one_of(base, st.dictionaries(st.text(max_size=10), json_value, max_size=5))


def _post(endpoint, target, body: bytes):
    req = urllib.request.Request(endpoint + "/", data=body, method="POST", headers={
        "X-Amz-Target": f"DynamoDB_20120810.{target}", "Content-Type": "application/x-amz-json-1.0"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture(scope="module")
def sentinel(ddb):
    if SENTINEL not in ddb.list_tables(Limit=100)["TableNames"]:
        create_table(ddb, SENTINEL, range_key="sk")
    for i in range(3):
        ddb.put_item(TableName=SENTINEL, Item={"pk": {"S": f"p{i}"}, "sk": {"S": "s"}, "n": {"N": str(i)},
                                               "m": {"M": {"l": {"L": [{"S": "x"}]}}}})
    return ddb


def _snapshot(ddb):
    return sorted(json.dumps(i, sort_keys=True, default=str) for i in ddb.scan(TableName=SENTINEL)["Items"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from(OPERATIONS), request=mutated_request())
def test_random_requests_never_5xx_and_never_corrupt(endpoint, sentinel, op, request):
    before = _snapshot(sentinel)
    status, body = _post(endpoint, op, json.dumps(request).encode())
    assert status < 500, body
    if status >= 400:
        payload = json.loads(body)
        assert "__type" in payload and "message" in payload
        assert _snapshot(sentinel) == before


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=64))
def test_garbage_bodies(endpoint, raw):
    status, _body = _post(endpoint, "PutItem", raw)
    assert 400 <= status < 500 or status == 200

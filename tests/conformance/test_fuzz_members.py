"""Every member of every operation, given null or a value of each wrong JSON type, gets AWS's error, never a 5xx.

The sweep is driven by botocore's models: for each operation of each JSON-protocol service riverbed serves, it
starts from a valid request (hand-written where a generated one would be rejected before the interesting
code runs), then replaces one member at a time, at every depth, with ``null`` and with each JSON type the
member does not have.  Expected answers:

* a wrong type: 400 with the protocol's deserialization error (``SerializationException`` for DynamoDB,
  Streams and SQS's JSON protocol), never a 2xx;
* ``null``: the member is absent (AWS's Coral deserializer treats it so): any 2xx or 4xx, never a 5xx;
* type-correct edge values (empty strings, empty lists and maps, zero, negative and huge numbers): never a 5xx.

Only raw HTTP is used (boto3 would refuse the wrong types before sending them).
"""

from __future__ import annotations

import copy
import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from riverbed.core.models import ServiceModel, load_service_model

TABLE = "fuzz-members"
KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}
WRONG: tuple[Any, ...] = (True, 7, 1.5, "x", [], {})
EDGE: tuple[Any, ...] = ("", 0, -1, 2**31, 10**29, 1e308, "\u0000", "a" * 3000)

# Valid requests, so that the mutated member reaches the operation's own logic.
_EXPR = {"ExpressionAttributeNames": {"#a": "a"}, "ExpressionAttributeValues": {":v": {"N": "1"}}}
DYNAMODB_BASES: dict[str, dict[str, Any]] = {
    "PutItem": {"TableName": TABLE, "Item": {**KEY, "a": {"N": "1"}}, "ConditionExpression": "#a <> :v",
                "ReturnValues": "ALL_OLD", "ReturnValuesOnConditionCheckFailure": "ALL_OLD", **_EXPR},
    "GetItem": {"TableName": TABLE, "Key": KEY, "ProjectionExpression": "#a", "ConsistentRead": True,
                "ExpressionAttributeNames": {"#a": "a"}},
    "UpdateItem": {"TableName": TABLE, "Key": KEY, "UpdateExpression": "SET #a = :v",
                   "ConditionExpression": "attribute_not_exists(#a) OR #a = :v", "ReturnValues": "ALL_NEW", **_EXPR},
    "DeleteItem": {"TableName": TABLE, "Key": KEY, "ConditionExpression": "#a = :v", "ReturnValues": "ALL_OLD",
                   **_EXPR},
    "Query": {"TableName": TABLE, "KeyConditionExpression": "pk = :p AND sk > :v", "FilterExpression": "#a = :v",
              "ProjectionExpression": "#a", "Limit": 5, "ScanIndexForward": False, "ExclusiveStartKey": KEY,
              "ExpressionAttributeNames": {"#a": "a"},
              "ExpressionAttributeValues": {":v": {"N": "1"}, ":p": {"S": "a"}}},
    "Scan": {"TableName": TABLE, "FilterExpression": "#a = :v", "Limit": 5, "Segment": 0, "TotalSegments": 2,
             "ExclusiveStartKey": KEY, **_EXPR},
    "BatchWriteItem": {"RequestItems": {TABLE: [
        {"PutRequest": {"Item": KEY}}, {"DeleteRequest": {"Key": {"pk": {"S": "z"}, "sk": {"N": "1"}}}}]}},
    "BatchGetItem": {"RequestItems": {TABLE: {"Keys": [KEY], "ProjectionExpression": "#a",
                                              "ExpressionAttributeNames": {"#a": "a"}}}},
    "TransactWriteItems": {"TransactItems": [
        {"Put": {"TableName": TABLE, "Item": KEY, "ConditionExpression": "#a <> :v", **_EXPR}},
        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "b"}, "sk": {"N": "1"}},
                    "UpdateExpression": "SET #a = :v", **_EXPR}},
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "c"}, "sk": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "d"}, "sk": {"N": "1"}},
                            "ConditionExpression": "attribute_not_exists(#a)",
                            "ExpressionAttributeNames": {"#a": "a"}}},
    ], "ClientRequestToken": "tok"},
    "TransactGetItems": {"TransactItems": [{"Get": {"TableName": TABLE, "Key": KEY}}]},
    "CreateTable": {"TableName": "fuzz-created", "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                             {"AttributeName": "g", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "GlobalSecondaryIndexes": [{"IndexName": "gsi1", "KeySchema": [{"AttributeName": "g",
                                                                                   "KeyType": "HASH"}],
                                                "Projection": {"ProjectionType": "ALL"}}],
                    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                    "Tags": [{"Key": "k", "Value": "v"}]},
    "UpdateTable": {"TableName": TABLE, "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
                    "GlobalSecondaryIndexUpdates": [{"Create": {
                        "IndexName": "gsi2", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "KEYS_ONLY"}}}]},
    "DeleteTable": {"TableName": "fuzz-absent"},
    "UpdateTimeToLive": {"TableName": TABLE, "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}},
    "ExecuteStatement": {"Statement": f'SELECT * FROM "{TABLE}" WHERE pk = ?', "Parameters": [{"S": "a"}]},
    "BatchExecuteStatement": {"Statements": [{"Statement": f'SELECT * FROM "{TABLE}" WHERE pk = ? AND sk = 1',
                                              "Parameters": [{"S": "a"}]}]},
    "ExecuteTransaction": {"TransactStatements": [
        {"Statement": f'UPDATE "{TABLE}" SET a = 2 WHERE pk = ? AND sk = 1', "Parameters": [{"S": "a"}]}]},
    "TagResource": {"ResourceArn": "@table-arn", "Tags": [{"Key": "k", "Value": "v"}]},
    "UntagResource": {"ResourceArn": "@table-arn", "TagKeys": ["k"]},
    "ListTagsOfResource": {"ResourceArn": "@table-arn"},
    "UpdateContinuousBackups": {"TableName": TABLE, "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}},
    "CreateBackup": {"TableName": TABLE, "BackupName": "b1"},
    "RestoreTableFromBackup": {"TargetTableName": "fuzz-restored",
                               "BackupArn": "@table-arn/backup/01234567890123-abcdefgh"},
    "RestoreTableToPointInTime": {"SourceTableName": TABLE, "TargetTableName": "fuzz-restored2",
                                  "UseLatestRestorableTime": True},
}
STREAMS_BASES: dict[str, dict[str, Any]] = {
    "DescribeStream": {"StreamArn": "@stream-arn", "Limit": 10,
                       "ExclusiveStartShardId": "shardId-00000000000000000000-00000000"},
    "GetShardIterator": {"StreamArn": "@stream-arn", "ShardId": "@shard-id", "ShardIteratorType": "TRIM_HORIZON"},
    "GetRecords": {"ShardIterator": "@iterator", "Limit": 10},
    "ListStreams": {"TableName": TABLE, "Limit": 10},
}


def _sample(model: ServiceModel, name: str, depth: int = 0) -> Any:
    """A value of the shape: structures get their required members, lists and maps one element."""
    shape = model.shapes[name]
    kind = shape["type"]
    if kind == "structure":
        if depth > 5:
            return {}
        required = shape.get("required", ())
        return {m: _sample(model, ref["shape"], depth + 1) for m, ref in shape.get("members", {}).items()
                if m in required}
    if kind == "list":
        return [] if depth > 5 else [_sample(model, shape["member"]["shape"], depth + 1)]
    if kind == "map":
        return {} if depth > 5 else {"k": _sample(model, shape["value"]["shape"], depth + 1)}
    if kind == "string":
        return shape["enum"][0] if "enum" in shape else TABLE
    if kind in ("integer", "long"):
        return int(shape.get("min", 1))
    if kind in ("double", "float"):
        return 1.0
    if kind == "boolean":
        return True
    if kind == "blob":
        return "AAAA"
    return 1000  # timestamp


def _paths(model: ServiceModel, name: str, prefix: tuple = (), depth: int = 0) -> Iterator[tuple[tuple, str]]:
    """Every member position under ``name`` (list element 0, map key ``k``), to a bounded depth."""
    if depth > 5:
        return
    shape = model.shapes[name]
    kind = shape["type"]
    children: list[tuple[Any, str]] = []
    if kind == "structure":
        children = [(m, ref["shape"]) for m, ref in shape.get("members", {}).items()]
    elif kind == "list":
        children = [(0, shape["member"]["shape"])]
    elif kind == "map":
        children = [("k", shape["value"]["shape"])]
    for key, child in children:
        path = (*prefix, key)
        yield path, child
        yield from _paths(model, child, path, depth + 1)


def _child(model: ServiceModel, shape: dict, key: Any) -> str:
    if shape["type"] == "structure":
        return shape["members"][key]["shape"]
    if shape["type"] == "list":
        return shape["member"]["shape"]
    return shape["value"]["shape"]


def _place(model: ServiceModel, root: str, request: dict, path: tuple, value: Any) -> None:
    """Set ``value`` at ``path``, creating sample containers along the way (map key ``k`` reuses any key)."""
    node: Any = request
    shape = model.shapes[root]
    for i, key in enumerate(path):
        child = _child(model, shape, key)
        if shape["type"] == "map" and node:
            key = next(iter(node))
        if i == len(path) - 1:
            if shape["type"] == "list":
                node[:1] = [value]
            else:
                node[key] = value
            return
        if shape["type"] == "list":
            if not node or not isinstance(node[0], (dict, list)):
                node[:1] = [_sample(model, child)]
            node = node[0]
        else:
            if not isinstance(node.get(key), (dict, list)):
                node[key] = _sample(model, child)
            node = node[key]
        shape = model.shapes[child]


_KINDS = {"structure": (dict,), "map": (dict,), "list": (list,), "string": (str,), "blob": (str,),
          "integer": (int,), "long": (int,), "boolean": (bool,), "double": (int, float), "float": (int, float),
          "timestamp": (int, float)}


def _wrong(kind: str, value: Any) -> bool:
    if isinstance(value, bool):
        return kind != "boolean"
    if kind in ("integer", "long") and isinstance(value, float):
        return False  # Coral truncates a fractional number given for an integer member (see validate.py)
    return not isinstance(value, _KINDS[kind])


class _Client:
    def __init__(self, endpoint: str, target: str) -> None:
        url = urlparse(endpoint)
        self.conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        self.target = target

    def post(self, operation: str, body: Any) -> tuple[int, dict]:
        self.conn.request("POST", "/", json.dumps(body).encode(), {
            "X-Amz-Target": f"{self.target}.{operation}", "Content-Type": "application/x-amz-json-1.0"})
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, json.loads(data or b"{}")


@pytest.fixture(scope="module")
def world(ddb, streams) -> dict[str, str]:
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    desc = ddb.describe_table(TableName=TABLE)["Table"]
    ddb.put_item(TableName=TABLE, Item={**KEY, "a": {"N": "2"}})
    stream_arn = desc["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return {"@table-arn": desc["TableArn"], "@stream-arn": stream_arn, "@shard-id": shard, "@iterator": iterator}


def _resolve(value: Any, world: dict[str, str]) -> Any:
    if isinstance(value, str):
        for marker, real in world.items():
            if value.startswith(marker):
                return real + value[len(marker):]
        return value
    if isinstance(value, list):
        return [_resolve(v, world) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, world) for k, v in value.items()}
    return value


def _sweep(endpoint: str, service: str, target: str, bases: dict[str, dict], world: dict[str, str]) -> list[str]:
    model = load_service_model(service)
    client = _Client(endpoint, target)
    failures: list[str] = []
    for operation in model.operation_names:
        root = model.input_shape_name(operation)
        if root is None:
            continue
        base = _resolve(bases.get(operation) or _sample(model, root), world)
        status, body = client.post(operation, copy.deepcopy(base))
        if body.get("__type", "").endswith("UnknownOperationException"):
            continue  # not served: nothing behind it to reach
        for path, shape_name in _paths(model, root):
            kind = model.shapes[shape_name]["type"]
            values = [None, *(v for v in WRONG if _wrong(kind, v)),
                      *(v for v in EDGE if not _wrong(kind, v) and kind not in ("boolean", "blob"))]
            for value in values:
                request = copy.deepcopy(base)
                _place(model, root, request, path, value)
                status, body = client.post(operation, request)
                where = f"{operation} {'.'.join(map(str, path))}={json.dumps(value)[:20]}"
                if status >= 500:
                    failures.append(f"{where}: {status} {body}")
                elif value is not None and _wrong(kind, value):
                    if status != 400 or body.get("__type", "").rsplit("#", 1)[-1] != "SerializationException":
                        failures.append(f"{where}: {status} {body}")
                elif status >= 400 and ("__type" not in body or "message" not in body):
                    failures.append(f"{where}: {status} {body}")
    return failures


def test_dynamodb_every_member_null_and_wrong_types(endpoint: str, world: dict[str, str]) -> None:
    failures = _sweep(endpoint, "dynamodb", "DynamoDB_20120810", DYNAMODB_BASES, world)
    assert not failures, "\n".join(failures[:40])


def test_streams_every_member_null_and_wrong_types(endpoint: str, world: dict[str, str]) -> None:
    failures = _sweep(endpoint, "dynamodbstreams", "DynamoDBStreams_20120810", STREAMS_BASES, world)
    assert not failures, "\n".join(failures[:40])


def test_sqs_json_every_member_null_and_wrong_types(endpoint: str, world: dict[str, str]) -> None:
    # SQS's JSON protocol answers a wrong type with SerializationException too (sqs snapshot).
    failures = _sweep(endpoint, "sqs", "AmazonSQS", {}, world)
    assert not failures, "\n".join(failures[:40])

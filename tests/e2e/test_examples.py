"""The examples/ folder's replication scenarios, run against riverbed in-process as their READMEs say."""

from __future__ import annotations

import importlib.util
import pathlib
from typing import Any

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
KEY = {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
       "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
       "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
       "BillingMode": "PAY_PER_REQUEST"}


def load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / name / "handler.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recording(handler: Any, seen: list[dict[str, Any]]) -> Any:
    def wrapped(event: dict[str, Any], context: Any) -> None:
        seen.append(event)
        handler(event, context)
    return wrapped


def scan(ddb: Any, table: str) -> list[dict[str, Any]]:
    return sorted(ddb.scan(TableName=table)["Items"], key=lambda i: i["id"]["S"])


def test_conditional_replication(riverbed, riverbed_client, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", riverbed.endpoint_url)
    monkeypatch.setenv("TARGET_REGION", "eu-west-1")
    east, west = riverbed_client("dynamodb", "us-east-1"), riverbed_client("dynamodb", "eu-west-1")
    lam = riverbed_client("lambda", "us-east-1")
    for ddb in (east, west):
        ddb.create_table(TableName="orders", **KEY)
    seen: list[dict[str, Any]] = []
    handler = load("conditional_replication").handler
    riverbed.register_function("replicate", recording(handler, seen))
    lam.create_event_source_mapping(FunctionName="replicate", StartingPosition="TRIM_HORIZON",
                                    EventSourceArn=east.describe_table(TableName="orders")["Table"]["LatestStreamArn"])
    east.put_item(TableName="orders", Item={"id": {"S": "o1"}, "version": {"N": "1"}, "total": {"N": "5"}})
    east.put_item(TableName="orders", Item={"id": {"S": "o1"}, "version": {"N": "2"}, "total": {"N": "6"}})
    east.put_item(TableName="orders", Item={"id": {"S": "o2"}, "version": {"N": "1"}})
    east.delete_item(TableName="orders", Key={"id": {"S": "o2"}})
    # A conflicting update made directly in eu-west-1 with a higher version is kept.
    west.put_item(TableName="orders", Item={"id": {"S": "o3"}, "version": {"N": "9"}})
    east.put_item(TableName="orders", Item={"id": {"S": "o3"}, "version": {"N": "4"}})
    riverbed.drain()
    assert scan(west, "orders") == [{"id": {"S": "o1"}, "version": {"N": "2"}, "total": {"N": "6"}},
                                    {"id": {"S": "o3"}, "version": {"N": "9"}}]
    before = scan(west, "orders")
    for event in seen:          # a redelivered batch changes nothing and raises nothing
        handler(event, None)
    assert scan(west, "orders") == before


def test_lww_replication(riverbed, riverbed_client, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", riverbed.endpoint_url)
    monkeypatch.setenv("REPLICA_REGIONS", "us-east-1,eu-west-1")
    east, west = riverbed_client("dynamodb", "us-east-1"), riverbed_client("dynamodb", "eu-west-1")
    seen: list[dict[str, Any]] = []
    handler = load("lww_replication").handler
    riverbed.register_function("lww", recording(handler, seen))
    for ddb in (east, west):
        ddb.create_table(TableName="profiles", **KEY)
        riverbed_client("lambda", "us-east-1").create_event_source_mapping(
            FunctionName="lww", StartingPosition="TRIM_HORIZON",
            EventSourceArn=ddb.describe_table(TableName="profiles")["Table"]["LatestStreamArn"])
    # Concurrent updates of the same profile in both regions, before any delivery.
    east.put_item(TableName="profiles", Item={"id": {"S": "p"}, "name": {"S": "east"},
                                              "updated_at": {"N": "1000"}, "origin": {"S": "us-east-1"}})
    west.put_item(TableName="profiles", Item={"id": {"S": "p"}, "name": {"S": "west"},
                                              "updated_at": {"N": "1001"}, "origin": {"S": "eu-west-1"}})
    east.put_item(TableName="profiles", Item={"id": {"S": "q"}, "name": {"S": "tie-east"},
                                              "updated_at": {"N": "5"}, "origin": {"S": "us-east-1"}})
    west.put_item(TableName="profiles", Item={"id": {"S": "q"}, "name": {"S": "tie-west"},
                                              "updated_at": {"N": "5"}, "origin": {"S": "eu-west-1"}})
    riverbed.drain()
    assert scan(east, "profiles") == scan(west, "profiles")
    final = {i["id"]["S"]: i["name"]["S"] for i in scan(east, "profiles")}
    assert final == {"p": "west", "q": "tie-east"}
    before = scan(east, "profiles")
    for event in seen:
        handler(event, None)
    assert scan(east, "profiles") == scan(west, "profiles") == before

"""CreateTable, DescribeTable and DeleteTable answer with exactly the fields AWS sends (recorded).

The recordings (tests/data/aws-recorded/dynamodb_tables.snapshot.json) are replayed: the same requests go to
riverbed, and the set of field paths of each answer must equal the recorded one -- no field missing, none
that AWS does not send.  Values that the recording masks (times, ids, statuses) are compared as paths only;
the values that matter are asserted in test_warm_throughput.py.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

RECORDED = json.loads((Path(__file__).parent.parent / "data" / "aws-recorded" /
                       "dynamodb_tables.snapshot.json").read_text())
PREFIX = "tests/aws/services/dynamodb/test_dynamodb.py::TestDynamoDB::"


def _paths(value: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "ResponseMetadata":
                continue
            out.add(f"{prefix}/{key}")
            out |= _paths(inner, f"{prefix}/{key}")
    elif isinstance(value, list):
        for inner in value:
            out |= _paths(inner, f"{prefix}[]")
    return out


def _gsi_table(mode: str) -> dict[str, Any]:
    index: dict[str, Any] = {"IndexName": "TransactionRecordID", "KeySchema": [{"AttributeName": "TRID",
                                                                               "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "ALL"}}
    request: dict[str, Any] = {"AttributeDefinitions": [{"AttributeName": "TID", "AttributeType": "S"},
                                                        {"AttributeName": "TRID", "AttributeType": "S"}],
                               "KeySchema": [{"AttributeName": "TID", "KeyType": "HASH"}],
                               "GlobalSecondaryIndexes": [index], "BillingMode": mode}
    if mode == "PROVISIONED":
        request["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        index["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    return request


_SIMPLE = {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
           "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
           "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}

CASES = {
    "test_gsi_with_billing_mode[PAY_PER_REQUEST]": (_gsi_table("PAY_PER_REQUEST"), "create-table-with-gsi"),
    "test_gsi_with_billing_mode[PROVISIONED]": (_gsi_table("PROVISIONED"), "create-table-with-gsi"),
    "test_table_crud": (_SIMPLE, "create-table"),
    "test_table_warm_throughput": ({**_SIMPLE, "WarmThroughput": {"ReadUnitsPerSecond": 1000,
                                                                  "WriteUnitsPerSecond": 1200}}, "create-table"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_answers_carry_the_recorded_fields(ddb, case):
    request, create_key = CASES[case]
    recorded = RECORDED[PREFIX + case]["recorded-content"]
    name = f"shape-{uuid.uuid4().hex[:10]}"
    created = ddb.create_table(TableName=name, **request)
    assert _paths(created) == _paths(recorded[create_key])
    described = ddb.describe_table(TableName=name)
    assert _paths(described) == _paths(recorded["describe-table"])
    deleted = ddb.delete_table(TableName=name)
    if "delete-table" in recorded:
        assert _paths(deleted) == _paths(recorded["delete-table"])

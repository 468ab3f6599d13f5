"""WarmThroughput on tables and indexes, and CreateTable's answer fields, as recorded against AWS.

Recorded (localstack's AWS snapshots of test_table_crud, test_table_warm_throughput and
test_gsi_with_billing_mode): DescribeTable always carries WarmThroughput (a provisioned table's or index's
capacity, 12000/4000 on demand) with Status ACTIVE; CreateTable's answer carries it only when it was asked
for, with Status UPDATING; an on-demand CreateTable answer's BillingModeSummary names the mode only.
"""

from __future__ import annotations

from tests.conftest import create_table

PROVISIONED = {"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 5,
                                                                        "WriteCapacityUnits": 5}}


def test_default_warm_throughput_follows_billing(ddb, table_name):
    created = create_table(ddb, table_name, **PROVISIONED)
    assert "WarmThroughput" not in created and "BillingModeSummary" not in created
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["WarmThroughput"] == {"ReadUnitsPerSecond": 5, "WriteUnitsPerSecond": 5, "Status": "ACTIVE"}


def test_on_demand_table_and_index(ddb, table_name):
    created = create_table(ddb, table_name, AttributeDefinitions=[
        {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    assert created["BillingModeSummary"] == {"BillingMode": "PAY_PER_REQUEST"}
    assert "WarmThroughput" not in created["GlobalSecondaryIndexes"][0]
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert set(table["BillingModeSummary"]) == {"BillingMode", "LastUpdateToPayPerRequestDateTime"}
    on_demand = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    assert table["WarmThroughput"] == on_demand
    assert table["GlobalSecondaryIndexes"][0]["WarmThroughput"] == on_demand


def test_requested_warm_throughput(ddb, table_name):
    created = create_table(ddb, table_name, WarmThroughput={"ReadUnitsPerSecond": 1000, "WriteUnitsPerSecond": 1200},
                           **PROVISIONED)
    assert created["WarmThroughput"] == {"ReadUnitsPerSecond": 1000, "WriteUnitsPerSecond": 1200,
                                         "Status": "UPDATING"}
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["WarmThroughput"] == {"ReadUnitsPerSecond": 1000, "WriteUnitsPerSecond": 1200, "Status": "ACTIVE"}
    ddb.update_table(TableName=table_name, WarmThroughput={"ReadUnitsPerSecond": 2000})
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["WarmThroughput"] == {"ReadUnitsPerSecond": 2000, "WriteUnitsPerSecond": 1200, "Status": "ACTIVE"}


def test_index_warm_throughput(ddb, table_name):
    create_table(ddb, table_name, AttributeDefinitions=[
        {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"},
                                 "WarmThroughput": {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000}}])
    index = ddb.describe_table(TableName=table_name)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["WarmThroughput"] == {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000, "Status": "ACTIVE"}
    ddb.update_table(TableName=table_name, GlobalSecondaryIndexUpdates=[{"Update": {
        "IndexName": "by-g", "WarmThroughput": {"WriteUnitsPerSecond": 6000}}}])
    index = ddb.describe_table(TableName=table_name)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["WarmThroughput"] == {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 6000, "Status": "ACTIVE"}

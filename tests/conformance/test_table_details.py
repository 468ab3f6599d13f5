"""Table details through boto3: live counts, TableClass, deletion protection, throughput settings echoed,
continuous backups (PITR), ListTables paging with regions kept apart."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table, make_client


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_item_count_and_size(ddb, table_name):
    create_table(ddb, table_name)
    for i in range(3):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": f"k{i}"}, "v": {"S": "x" * 10}})
    desc = ddb.describe_table(TableName=table_name)["Table"]
    # each item: "pk" (2) + "k0" (2) + "v" (1) + 10 = 15 bytes
    assert (desc["ItemCount"], desc["TableSizeBytes"]) == (3, 45)
    ddb.delete_item(TableName=table_name, Key={"pk": {"S": "k0"}})
    desc = ddb.describe_table(TableName=table_name)["Table"]
    assert (desc["ItemCount"], desc["TableSizeBytes"]) == (2, 30)


def test_table_class_echoed_and_updated(ddb, table_name):
    desc = create_table(ddb, table_name, TableClass="STANDARD_INFREQUENT_ACCESS")
    assert desc["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    ddb.update_table(TableName=table_name, TableClass="STANDARD")
    assert ddb.describe_table(TableName=table_name)["Table"]["TableClassSummary"]["TableClass"] == "STANDARD"


def test_deletion_protection(ddb, table_name):
    desc = create_table(ddb, table_name, DeletionProtectionEnabled=True)
    assert desc["DeletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=table_name)
    assert _err(exc) == ("ValidationException", ("Resource cannot be deleted as it is currently protected against "
                                                "deletion. Disable deletion protection first."))
    ddb.update_table(TableName=table_name, DeletionProtectionEnabled=False)
    assert ddb.describe_table(TableName=table_name)["Table"]["DeletionProtectionEnabled"] is False
    ddb.delete_table(TableName=table_name)


def test_throughput_settings_echoed(ddb, table_name):
    ddb.create_table(TableName=table_name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3})
    pt = ddb.describe_table(TableName=table_name)["Table"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"], pt["NumberOfDecreasesToday"]) == (7, 3, 0)
    other = f"{table_name}-od"
    create_table(ddb, other, OnDemandThroughput={"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50})
    desc = ddb.describe_table(TableName=other)["Table"]
    assert desc["OnDemandThroughput"] == {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_continuous_backups(ddb, table_name):
    create_table(ddb, table_name)
    desc = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    assert desc == {"ContinuousBackupsStatus": "ENABLED",
                    "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    out = ddb.update_continuous_backups(TableName=table_name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]
    pitr = out["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED" and pitr["RecoveryPeriodInDays"] == 35
    assert isinstance(pitr["EarliestRestorableDateTime"], datetime)
    assert pitr["EarliestRestorableDateTime"] <= pitr["LatestRestorableDateTime"]
    described = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    assert described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert described["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"] == \
        pitr["EarliestRestorableDateTime"]
    ddb.update_continuous_backups(TableName=table_name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7})
    pitr = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    assert pitr["RecoveryPeriodInDays"] == 7
    with pytest.raises(ClientError) as exc:
        ddb.update_continuous_backups(TableName=table_name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": False, "RecoveryPeriodInDays": 7})
    assert _err(exc) == ("ValidationException", ("Invalid Request: Cannot specify RecoveryPeriodInDays when disabling "
                                                "point-in-time recovery."))
    out = ddb.update_continuous_backups(TableName=table_name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": False})
    assert out["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"] == {
        "PointInTimeRecoveryStatus": "DISABLED"}
    with pytest.raises(ClientError) as exc:
        ddb.describe_continuous_backups(TableName="no-such-table")
    assert _err(exc) == ("ResourceNotFoundException", "Requested resource not found: Table: no-such-table not found")


def test_list_tables_paging_and_regions(ddb, endpoint):
    prefix = f"lt-{uuid.uuid4().hex[:8]}"
    east = [f"{prefix}-{i}" for i in range(5)]
    for name in east:
        create_table(ddb, name)
    west = make_client(endpoint, "dynamodb", region="eu-west-1")
    create_table(west, f"{prefix}-west")
    create_table(west, east[0])          # same name, other region: a different table
    seen, start = [], None
    while True:
        page = ddb.list_tables(Limit=2, **({"ExclusiveStartTableName": start} if start else {}))
        assert len(page["TableNames"]) <= 2
        seen.extend(page["TableNames"])
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
    assert [n for n in seen if n.startswith(prefix)] == east
    assert seen == sorted(seen)
    west_names = [n for n in west.list_tables()["TableNames"] if n.startswith(prefix)]
    assert west_names == [east[0], f"{prefix}-west"]
    west.delete_table(TableName=east[0])
    assert ddb.describe_table(TableName=east[0])["Table"]["TableStatus"] == "ACTIVE"

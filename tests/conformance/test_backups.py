"""Backups and restores through boto3: on-demand backups, restores from them, point-in-time recovery on the clock.

What a restored table keeps and what it drops follows the API reference (RestoreTableFromBackup: tags, stream
settings and TTL must be set up again); answers while restoring follow the AWS CLI reference examples.
"""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table


@pytest.fixture
def rb(manual_riverbed):
    yield manual_riverbed
    manual_riverbed.reset()


@pytest.fixture
def ddb(rb):
    return rb.client("dynamodb")


def _name() -> str:
    return f"b-{uuid.uuid4().hex[:10]}"


def _code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def _items(ddb, table):
    return sorted((i["pk"]["S"], i.get("v", {}).get("N")) for i in ddb.scan(TableName=table)["Items"])


def _gsi_table(ddb, name):
    return create_table(ddb, name, stream="NEW_IMAGE",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "g", "AttributeType": "S"}],
                        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [
                            {"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
                        Tags=[{"Key": "team", "Value": "a"}])


def test_backup_lifecycle_and_restore(ddb, rb):
    source, target = _name(), _name()
    _gsi_table(ddb, source)
    ddb.update_time_to_live(TableName=source, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    for i in range(3):
        ddb.put_item(TableName=source, Item={"pk": {"S": f"k{i}"}, "g": {"S": "x"}, "v": {"N": str(i)}})
    created = ddb.create_backup(TableName=source, BackupName="nightly")["BackupDetails"]
    assert created["BackupName"] == "nightly" and created["BackupType"] == "USER"
    assert created["BackupStatus"] == "CREATING"
    arn = created["BackupArn"]
    assert arn.startswith(ddb.describe_table(TableName=source)["Table"]["TableArn"] + "/backup/")
    # Later writes do not reach the backup.
    ddb.put_item(TableName=source, Item={"pk": {"S": "late"}, "v": {"N": "9"}})
    ddb.delete_item(TableName=source, Key={"pk": {"S": "k0"}})

    described = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert described["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert described["SourceTableDetails"]["TableName"] == source
    assert described["SourceTableDetails"]["ItemCount"] == 3
    assert described["SourceTableDetails"]["BillingMode"] == "PAY_PER_REQUEST"
    features = described["SourceTableFeatureDetails"]
    assert features["GlobalSecondaryIndexes"][0]["IndexName"] == "by-g"
    assert features["StreamDescription"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert features["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}

    summaries = ddb.list_backups(TableName=source)["BackupSummaries"]
    assert [s["BackupArn"] for s in summaries] == [arn]

    restored = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert restored["TableStatus"] == "CREATING"
    assert restored["RestoreSummary"]["RestoreInProgress"] is True
    assert restored["RestoreSummary"]["SourceBackupArn"] == arn
    assert restored["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    table = ddb.describe_table(TableName=target)["Table"]
    assert table["TableStatus"] == "ACTIVE" and table["ItemCount"] == 3
    assert table["RestoreSummary"]["RestoreInProgress"] is False
    # Stream settings, TTL and tags are not restored.
    assert "StreamSpecification" not in table and "LatestStreamArn" not in table
    assert ddb.describe_time_to_live(TableName=target)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    assert ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == []
    assert _items(ddb, target) == [("k0", "0"), ("k1", "1"), ("k2", "2")]
    # The index is rebuilt from the restored items.
    assert ddb.query(TableName=target, IndexName="by-g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "x"}})["Count"] == 3

    deleted = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    with pytest.raises(ClientError) as exc:
        ddb.describe_backup(BackupArn=arn)
    assert _code(exc)[0] == "BackupNotFoundException"
    assert ddb.list_backups(TableName=source)["BackupSummaries"] == []


def test_restore_overrides_indexes_and_billing(ddb):
    source, target = _name(), _name()
    _gsi_table(ddb, source)
    ddb.put_item(TableName=source, Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    arn = ddb.create_backup(TableName=source, BackupName="bk1")["BackupDetails"]["BackupArn"]
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn, GlobalSecondaryIndexOverride=[],
                                  BillingModeOverride="PROVISIONED",
                                  ProvisionedThroughputOverride={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    table = ddb.describe_table(TableName=target)["Table"]
    assert "GlobalSecondaryIndexes" not in table
    assert table["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_from_backup(TargetTableName=_name(), BackupArn=arn, BillingModeOverride="PROVISIONED")
    assert _code(exc) == ("ValidationException", "No provisioned throughput specified for the table")


def test_backup_errors(ddb):
    source = _name()
    create_table(ddb, source)
    with pytest.raises(ClientError) as exc:
        ddb.create_backup(TableName="no-such-table", BackupName="bk0")
    assert _code(exc) == ("TableNotFoundException", "Table not found: no-such-table")
    missing = f"arn:aws:dynamodb:us-east-1:000000000000:table/{source}/backup/01700000000000-deadbeef"
    for call in (ddb.describe_backup, ddb.delete_backup):
        with pytest.raises(ClientError) as exc:
            call(BackupArn=missing)
        assert _code(exc)[0] == "BackupNotFoundException"
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_from_backup(TargetTableName=_name(), BackupArn=missing)
    assert _code(exc)[0] == "BackupNotFoundException"
    arn = ddb.create_backup(TableName=source, BackupName="bk0")["BackupDetails"]["BackupArn"]
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_from_backup(TargetTableName=source, BackupArn=arn)
    assert _code(exc) == ("TableAlreadyExistsException", f"Table already exists: {source}")


def test_list_backups_filters_and_pages(ddb, rb):
    source = _name()
    create_table(ddb, source)
    arns = []
    for i in range(3):
        arns.append(ddb.create_backup(TableName=source, BackupName=f"bk{i}")["BackupDetails"]["BackupArn"])
        rb.clock.advance(10)
    page = ddb.list_backups(TableName=source, Limit=2)
    assert [s["BackupArn"] for s in page["BackupSummaries"]] == arns[:2]
    assert page["LastEvaluatedBackupArn"] == arns[1]
    rest = ddb.list_backups(TableName=source, Limit=2, ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
    assert [s["BackupArn"] for s in rest["BackupSummaries"]] == arns[2:]
    assert "LastEvaluatedBackupArn" not in rest
    first = ddb.describe_backup(BackupArn=arns[0])["BackupDescription"]["BackupDetails"]["BackupCreationDateTime"]
    ranged = ddb.list_backups(TableName=source, TimeRangeLowerBound=first.timestamp() + 5)["BackupSummaries"]
    assert [s["BackupArn"] for s in ranged] == arns[1:]
    assert ddb.list_backups(TableName=source, BackupType="SYSTEM")["BackupSummaries"] == []


def test_point_in_time_restore_on_the_clock(ddb, rb):
    source = _name()
    create_table(ddb, source, stream="NEW_AND_OLD_IMAGES")
    ddb.put_item(TableName=source, Item={"pk": {"S": "before"}, "v": {"N": "0"}})
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=_name(),
                                           UseLatestRestorableTime=True)
    assert _code(exc)[0] == "PointInTimeRecoveryUnavailableException"

    ddb.update_continuous_backups(TableName=source, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 1})
    enabled_at = rb.clock.now()
    rb.clock.advance(10)
    ddb.put_item(TableName=source, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    rb.clock.advance(10)
    t1 = rb.clock.now()
    rb.clock.advance(1)   # later writes are strictly after t1 whatever precision the SDK sends t1 with
    ddb.put_item(TableName=source, Item={"pk": {"S": "a"}, "v": {"N": "2"}})
    ddb.delete_item(TableName=source, Key={"pk": {"S": "before"}})
    rb.clock.advance(10)
    t2 = rb.clock.now()
    rb.clock.advance(1)
    ddb.update_item(TableName=source, Key={"pk": {"S": "b"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "3"}})

    at_start = _name()
    ddb.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=at_start, RestoreDateTime=enabled_at)
    assert _items(ddb, at_start) == [("before", "0")]
    at_t1 = _name()
    answer = ddb.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=at_t1,
                                                RestoreDateTime=t1)["TableDescription"]
    assert answer["RestoreSummary"]["RestoreInProgress"] is True
    assert "SourceBackupArn" not in answer["RestoreSummary"]
    assert _items(ddb, at_t1) == [("a", "1"), ("before", "0")]
    at_t2 = _name()
    ddb.restore_table_to_point_in_time(SourceTableArn=ddb.describe_table(TableName=source)["Table"]["TableArn"],
                                       TargetTableName=at_t2, RestoreDateTime=t2)
    assert _items(ddb, at_t2) == [("a", "2")]
    latest = _name()
    ddb.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=latest, UseLatestRestorableTime=True)
    assert _items(ddb, latest) == [("a", "2"), ("b", "3")]
    assert "StreamSpecification" not in ddb.describe_table(TableName=latest)["Table"]

    for when in (enabled_at - 1, rb.clock.now() + 60):
        with pytest.raises(ClientError) as exc:
            ddb.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=_name(), RestoreDateTime=when)
        assert _code(exc) == ("InvalidRestoreTimeException",
                              "An invalid restore time was specified. RestoreDateTime must be between "
                              "EarliestRestorableDateTime and LatestRestorableDateTime.")
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName="no-such-table", TargetTableName=_name(),
                                           UseLatestRestorableTime=True)
    assert _code(exc)[0] == "SourceTableNotFoundException"
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=latest,
                                           UseLatestRestorableTime=True)
    assert _code(exc)[0] == "TableAlreadyExistsException"

    # The window slides: a day later the earliest restorable time is a day ago, not the enabling time.
    rb.clock.advance(2 * 86400)
    pitr = ddb.describe_continuous_backups(TableName=source)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    assert pitr["EarliestRestorableDateTime"].timestamp() == pytest.approx(rb.clock.now() - 86400, abs=1)
    rb.drain()
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=_name(), RestoreDateTime=t2)
    assert _code(exc)[0] == "InvalidRestoreTimeException"
    # Disabling and enabling again starts a new window.
    ddb.update_continuous_backups(TableName=source, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": False})
    ddb.update_continuous_backups(TableName=source, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    pitr = ddb.describe_continuous_backups(TableName=source)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    assert pitr["EarliestRestorableDateTime"].timestamp() == pytest.approx(rb.clock.now(), abs=1)


def test_deleting_a_pitr_table_keeps_a_system_backup(ddb):
    source, target = _name(), _name()
    create_table(ddb, source)
    ddb.put_item(TableName=source, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.update_continuous_backups(TableName=source, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    ddb.delete_table(TableName=source)
    assert ddb.list_backups(TableName=source)["BackupSummaries"] == []   # USER is the default type
    system = ddb.list_backups(TableName=source, BackupType="SYSTEM")["BackupSummaries"]
    assert len(system) == 1 and system[0]["BackupName"] == f"{source}$DeletedTableBackup"
    assert "BackupExpiryDateTime" in system[0]
    assert ddb.list_backups(TableName=source, BackupType="ALL")["BackupSummaries"] == system
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=system[0]["BackupArn"])
    assert _items(ddb, target) == [("a", "1")]

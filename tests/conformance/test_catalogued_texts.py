"""Error texts checked against a catalogue of DynamoDB's answers recorded live (ack-api-quirks DDB-TABLE-442 and
DDB-TABLE-169, 2026-10) and Alternator's suite: streams on CreateTable/UpdateTable, UpdateTable with nothing to
change, the 21st GSI through UpdateTable, tags, PITR restore sources, replica updates."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table

INVALID = "One or more parameter values were invalid: "


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_stream_view_type_required_and_disabling_no_stream(ddb, table_name):
    with pytest.raises(ClientError) as exc:
        create_table(ddb, table_name, StreamSpecification={"StreamEnabled": True})
    assert _err(exc) == ("ValidationException", f"{INVALID}Table is being created with a stream enabled, "
                                                "UpdateViewType is required")
    create_table(ddb, table_name)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": True})
    assert _err(exc) == ("ValidationException", f"{INVALID}If stream is being enabled then UpdateViewType is required")
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
    assert _err(exc) == ("ValidationException", f"Table has no stream to disable: TableName: {table_name}")


def test_update_table_with_nothing_to_change(ddb, table_name):
    create_table(ddb, table_name)
    listing = ("ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
               "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, {mrc}"
               "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required")
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table_name)
    assert _err(exc) == ("ValidationException", "At least one of " + listing.format(mrc="MultiRegionConsistency, "))
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table_name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    assert _err(exc) == ("ValidationException", "At least one of " + listing.format(mrc="MultiRegionConsistency, "))
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table_name, MultiRegionConsistency="EVENTUAL")
    assert _err(exc) == ("ValidationException", "At least one of " + listing.format(mrc=""))


def test_21st_gsi_through_update_table(ddb, table_name):
    names = [f"gsi{i:02d}" for i in range(21)]
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ["pk", *names[:20]]],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": n, "KeySchema": [{"AttributeName": n, "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}} for n in names[:20]])
    with pytest.raises(ClientError) as exc:
        ddb.update_table(
            TableName=table_name, AttributeDefinitions=[{"AttributeName": "gsi20", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "gsi20", "KeySchema": [{"AttributeName": "gsi20", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    assert _err(exc) == ("LimitExceededException", "Subscriber limit exceeded: Number of global secondary indexes "
                                                   "exceeds per-table limit of 20")


def test_tag_texts(ddb, table_name):
    arn = create_table(ddb, table_name)["TableArn"]
    with pytest.raises(ClientError) as exc:
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a#b", "Value": "v"}])
    assert _err(exc) == ("ValidationException", "The Tag Key provided is invalid, Key: a#b")
    with pytest.raises(ClientError) as exc:
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "<>"}])
    assert _err(exc) == ("ValidationException", "The Tag Value provided is invalid, Value: <>")
    with pytest.raises(ClientError) as exc:
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:team", "Value": "v"}])
    assert _err(exc) == ("ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:team")


def test_point_in_time_restore_source_and_time(ddb, table_name):
    arn = create_table(ddb, table_name)["TableArn"]
    ddb.update_continuous_backups(TableName=table_name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    target = f"t-{uuid.uuid4().hex[:12]}"
    for source in ({}, {"SourceTableArn": arn, "SourceTableName": table_name}):
        with pytest.raises(ClientError) as exc:
            ddb.restore_table_to_point_in_time(TargetTableName=target, UseLatestRestorableTime=True, **source)
        assert _err(exc) == ("ValidationException", "Must provide exactly one of: sourceTableArn, sourceTableName")
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName=table_name, TargetTableName=target)
    assert _err(exc) == ("ValidationException", "Invalid Request: Either one of RestoreDateTime or "
                                                "UseLatestRestorableTime must be specified, but not both")


@pytest.fixture
def rb(manual_riverbed):
    yield manual_riverbed
    manual_riverbed.reset()


def test_replica_update_texts(rb):
    east = rb.client("dynamodb", region="us-east-1")
    name = f"t-{uuid.uuid4().hex[:12]}"
    east.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                      AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                      KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    cases = [
        ([{}], "There are no actions specified in the Replica Update Action of the request."),
        ([{"Create": {"RegionName": "us-west-2"}}, {"Create": {"RegionName": "eu-west-1"}}],
         "Update table operation with more than one create or delete replica actions not allowed"),
        ([{"Delete": {"RegionName": "us-west-2"}}],
         "Update global table operation failed because one or more replicas were not part of the global table. "
         "Please retry the request without these replicas: [us-west-2]."),
    ]
    for updates, message in cases:
        with pytest.raises(ClientError) as exc:
            east.update_table(TableName=name, ReplicaUpdates=updates)
        assert _err(exc) == ("ValidationException", message)
    rb.client("dynamodb", region="us-west-2").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    with pytest.raises(ClientError) as exc:
        east.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    assert _err(exc) == ("ValidationException", f"Failed to create a the new replica of table with name: \u2018{name}"
                                                "\u2019 because one or more replicas already existed as tables.")

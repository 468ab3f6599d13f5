"""INCREMENTAL_EXPORT through boto3 on a manual clock (the export period must be at least 15 minutes long),
read back from S3 like a user would.  Riverbed-only because the clock is stepped."""

from __future__ import annotations

import gzip
import json
import math
import time
import uuid
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table


@pytest.fixture(scope="module")
def clients(manual_riverbed):
    return manual_riverbed.client("dynamodb"), manual_riverbed.client("s3")


def wait_for(rb, ddb, arn, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        rb.clock.advance(1.5)   # the exporter's loop waits on the clock
        desc = ddb.describe_export(ExportArn=arn)["ExportDescription"]
        if desc["ExportStatus"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return desc
        time.sleep(0.05)


def read_lines(s3, bucket, desc):
    summary = json.loads(s3.get_object(Bucket=bucket, Key=desc["ExportManifest"])["Body"].read())
    rows = []
    for entry in map(json.loads, s3.get_object(Bucket=bucket, Key=summary["manifestFilesS3Key"])["Body"]
                     .read().decode().splitlines()):
        body = gzip.decompress(s3.get_object(Bucket=bucket, Key=entry["dataFileS3Key"])["Body"].read())
        lines = body.decode().splitlines()
        assert len(lines) == entry["itemCount"]
        rows += [json.loads(line) for line in lines]
    return summary, rows


def item(pk, v):
    return {"pk": {"S": pk}, "v": {"N": str(v)}}


def at(ts):
    return datetime.fromtimestamp(ts, UTC)


def test_incremental_export_holds_the_changes_of_its_period(manual_riverbed, clients):
    rb, (ddb, s3) = manual_riverbed, clients
    name, bucket = f"inc-{uuid.uuid4().hex[:8]}", f"inc-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    arn = create_table(ddb, name)["TableArn"]
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for pk in ("a", "b", "keep"):
        ddb.put_item(TableName=name, Item=item(pk, 1))
    rb.clock.advance(60)
    # The period starts just after a whole second: botocore sends times in whole seconds (1.43) or rounded to
    # the millisecond (1.44), and the writes below happen exactly at its start and its end, so the times sent
    # must not move past them.
    rb.clock.advance(math.ceil(rb.clock.now()) - rb.clock.now() + 0.0001)
    start = rb.clock.now()
    ddb.put_item(TableName=name, Item=item("c", 1))                      # insert
    ddb.put_item(TableName=name, Item=item("a", 2))                      # update ...
    rb.clock.advance(5)
    ddb.put_item(TableName=name, Item=item("a", 3))                      # ... twice: compacted into one line
    written_a = rb.clock.now()
    ddb.delete_item(TableName=name, Key={"pk": {"S": "b"}})              # delete
    ddb.put_item(TableName=name, Item=item("gone", 1))                   # insert then delete
    ddb.delete_item(TableName=name, Key={"pk": {"S": "gone"}})
    rb.clock.advance(20 * 60)
    end = rb.clock.now()
    ddb.put_item(TableName=name, Item=item("a", 4))                      # after the period: not exported
    ddb.put_item(TableName=name, Item=item("late", 1))
    rb.clock.advance(10)

    started = ddb.export_table_to_point_in_time(
        TableArn=arn, S3Bucket=bucket, S3Prefix="inc", ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": at(start), "ExportToTime": at(end)})["ExportDescription"]
    assert started["ExportType"] == "INCREMENTAL_EXPORT" and "ExportTime" not in started
    spec = started["IncrementalExportSpecification"]
    assert spec["ExportViewType"] == "NEW_AND_OLD_IMAGES"
    # botocore sends whole seconds (1.43) or milliseconds (1.44): the time given back is the time sent
    assert abs(spec["ExportFromTime"].timestamp() - start) < 1
    desc = wait_for(rb, ddb, started["ExportArn"])
    assert desc["ExportStatus"] == "COMPLETED" and desc["ItemCount"] == 4
    assert desc["BilledSizeBytes"] == 10_000_000   # AWS bills an incremental export at least 10 MB

    summary, rows = read_lines(s3, bucket, desc)
    assert summary["version"] == "2023-08-01" and summary["exportType"] == "INCREMENTAL_EXPORT"
    assert summary["outputView"] == "NEW_AND_OLD_IMAGES" and "exportTime" not in summary
    sent = spec["ExportFromTime"]   # the period's start as this botocore sent it (seconds or milliseconds)
    assert summary["exportFromTime"] == sent.strftime("%Y-%m-%dT%H:%M:%S.") + f"{sent.microsecond // 1000:03d}Z"
    assert summary["itemCount"] == 4 and summary["outputFormat"] == "DYNAMODB_JSON"
    by_key = {row["Keys"]["pk"]["S"]: row for row in rows}
    assert set(by_key) == {"a", "b", "c", "gone"}
    assert by_key["a"]["OldImage"] == item("a", 1) and by_key["a"]["NewImage"] == item("a", 3)
    assert by_key["a"]["Metadata"]["WriteTimestampMicros"] == {"N": str(round(written_a * 1_000_000))}
    assert by_key["c"]["NewImage"] == item("c", 1) and "OldImage" not in by_key["c"]
    assert by_key["b"]["OldImage"] == item("b", 1) and "NewImage" not in by_key["b"]
    assert set(by_key["gone"]) == {"Metadata", "Keys"}

    # NEW_IMAGE: the same changes without old images.
    new_only = ddb.export_table_to_point_in_time(
        TableArn=arn, S3Bucket=bucket, ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": at(start), "ExportToTime": at(end),
                                        "ExportViewType": "NEW_IMAGE"})["ExportDescription"]
    summary, rows = read_lines(s3, bucket, wait_for(rb, ddb, new_only["ExportArn"]))
    assert summary["outputView"] == "NEW_IMAGE"
    assert all("OldImage" not in row for row in rows) and len(rows) == 4
    assert {row["Keys"]["pk"]["S"]: row.get("NewImage") for row in rows}["a"] == item("a", 3)

    # ExportToTime omitted: up to now, so the later writes are in.
    open_ended = ddb.export_table_to_point_in_time(
        TableArn=arn, S3Bucket=bucket, ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": at(start)})["ExportDescription"]
    assert open_ended["IncrementalExportSpecification"]["ExportToTime"].timestamp() == pytest.approx(
        rb.clock.now(), abs=0.01)
    _, rows = read_lines(s3, bucket, wait_for(rb, ddb, open_ended["ExportArn"]))
    by_key = {row["Keys"]["pk"]["S"]: row for row in rows}
    assert set(by_key) == {"a", "b", "c", "gone", "late"} and by_key["a"]["NewImage"] == item("a", 4)


def test_incremental_export_validation(manual_riverbed, clients):
    rb, (ddb, _s3) = manual_riverbed, clients
    name = f"incv-{uuid.uuid4().hex[:8]}"
    arn = create_table(ddb, name)["TableArn"]

    def refused(**kwargs):
        with pytest.raises(ClientError) as exc:
            ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="any-bucket", **kwargs)
        return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]

    now = rb.clock.now()
    period = {"ExportFromTime": at(now - 3600), "ExportToTime": at(now - 600)}
    # Without PITR an incremental export fails on its period, not with PointInTimeRecoveryUnavailable.
    assert refused(ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification=period) == (
        "InvalidExportTimeException", "Incremental export period from time cannot be less than the table creation "
        f"time : {at(now - 3600).strftime('%Y-%m-%dT%H:%M:%SZ')}")
    assert refused(IncrementalExportSpecification=period) == (
        "ValidationException", "Invalid Request: Export Type expected to be Incremental Export when incremental "
        "export specification is provided")
    assert refused(ExportType="FULL_EXPORT", IncrementalExportSpecification=period) == (
        "ValidationException", "Invalid Request: When Export Type is Full Export , Incremental Export Specification "
        "should not be provided")
    assert refused(ExportType="INCREMENTAL_EXPORT") == (
        "ValidationException", "Invalid Request: Incremental Export Specification expected when export type is set "
        "as Incremental Export")
    assert refused(ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification={"ExportViewType": "NEW_IMAGE"}) == (
        "ValidationException", "Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification")

    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    enabled = rb.clock.now()
    rb.clock.advance(2 * 86400)
    now = rb.clock.now()

    def window(start, end=None):
        spec = {"ExportFromTime": at(start)} | ({"ExportToTime": at(end)} if end is not None else {})
        return refused(ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification=spec)

    assert window(enabled - 60, enabled + 3600)[1].startswith("Incremental export period from time cannot be less")
    assert window(now - 3600, now + 60) == (
        "InvalidExportTimeException", "Incremental export period to time cannot be greater than the current time : "
        f"{at(now + 60).strftime('%Y-%m-%dT%H:%M:%SZ')}")
    short = ("InvalidExportTimeException", "Difference between export period from time and export period to time "
             "is less than 15 minutes")
    assert window(now - 600) == short                       # ExportToTime omitted: now
    assert window(now - 600, now - 3600) == short           # inverted
    assert window(now - 25 * 3600, now - 1800) == (
        "InvalidExportTimeException", "Difference between export period from time and export period to time is "
        "greater than 24 hours")
    ok = ddb.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="any-bucket", ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": at(now - 24 * 3600), "ExportToTime": at(now - 15 * 60)})
    assert ok["ExportDescription"]["ExportStatus"] == "IN_PROGRESS"


def test_incremental_export_client_token(manual_riverbed, clients):
    rb, (ddb, s3) = manual_riverbed, clients
    name, bucket = f"inct-{uuid.uuid4().hex[:8]}", f"inct-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    arn = create_table(ddb, name)["TableArn"]
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    start = rb.clock.now() + 1
    rb.clock.advance(3600)

    def export(**spec):
        return ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ClientToken="tok",
                                                 ExportType="INCREMENTAL_EXPORT",
                                                 IncrementalExportSpecification={"ExportFromTime": at(start), **spec})

    first = export(ExportToTime=at(start + 1800))["ExportDescription"]["ExportArn"]
    assert export(ExportToTime=at(start + 1800))["ExportDescription"]["ExportArn"] == first
    with pytest.raises(ClientError) as exc:
        export(ExportToTime=at(start + 2400))
    assert exc.value.response["Error"] == {
        "Code": "ExportConflictException",
        "Message": "Export conflict: Duplicate request detected with conflicting parameters"}

"""ExportTableToPointInTime / DescribeExport / ListExports through boto3, read back from S3 like a user would."""

from __future__ import annotations

import gzip
import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table, make_client


@pytest.fixture(scope="module")
def s3(endpoint):
    return make_client(endpoint, "s3")


@pytest.fixture
def bucket(s3):
    name = f"exp-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def wait_for(ddb, arn, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        desc = ddb.describe_export(ExportArn=arn)["ExportDescription"]
        if desc["ExportStatus"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return desc
        time.sleep(0.2)


def read_export(s3, bucket, desc):
    summary = json.loads(s3.get_object(Bucket=bucket, Key=desc["ExportManifest"])["Body"].read())
    lines = s3.get_object(Bucket=bucket, Key=summary["manifestFilesS3Key"])["Body"].read().decode().splitlines()
    items = []
    for entry in map(json.loads, lines):
        body = s3.get_object(Bucket=bucket, Key=entry["dataFileS3Key"])["Body"].read()
        rows = gzip.decompress(body).decode().splitlines()
        assert len(rows) == entry["itemCount"]
        items += [json.loads(r)["Item"] for r in rows]
    return summary, items


def test_export_needs_point_in_time_recovery(ddb, table_name, bucket):
    arn = create_table(ddb, table_name)["TableArn"]
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket)
    assert exc.value.response["Error"]["Code"] == "PointInTimeRecoveryUnavailableException"
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn=arn + "-missing", S3Bucket=bucket)
    assert exc.value.response["Error"]["Code"] == "TableNotFoundException"
    with pytest.raises(ClientError) as exc:
        ddb.describe_export(ExportArn=arn + "/export/01234567890123-a1b2c3d4")
    assert exc.value.response["Error"]["Code"] == "ExportNotFoundException"


def test_export_of_10000_items_reads_back(ddb, s3, table_name, bucket):
    arn = create_table(ddb, table_name, range_key="sk", range_type="N")["TableArn"]
    ddb.update_continuous_backups(TableName=table_name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    written = []
    for start in range(0, 10_000, 25):
        batch = [{"pk": {"S": f"p{i % 97}"}, "sk": {"N": str(i)}, "data": {"M": {"n": {"N": "1.5"},
                  "tags": {"SS": ["a", f"t{i}"]}, "b": {"B": b"\x00\x01"}}}} for i in range(start, start + 25)]
        ddb.batch_write_item(RequestItems={table_name: [{"PutRequest": {"Item": item}} for item in batch]})
        written += batch
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, S3Prefix="exports/nightly",
                                                ClientToken="tok-1")["ExportDescription"]
    assert started["ExportStatus"] == "IN_PROGRESS" and started["ExportFormat"] == "DYNAMODB_JSON"
    assert started["ExportType"] == "FULL_EXPORT" and started["ExportArn"].startswith(arn + "/export/")
    again = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, S3Prefix="exports/nightly",
                                              ClientToken="tok-1")["ExportDescription"]
    assert again["ExportArn"] == started["ExportArn"]
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, S3Prefix="other", ClientToken="tok-1")
    assert exc.value.response["Error"]["Code"] == "ExportConflictException"
    desc = wait_for(ddb, started["ExportArn"])
    assert desc["ExportStatus"] == "COMPLETED", desc
    assert desc["ItemCount"] == 10_000
    export_id = started["ExportArn"].rsplit("/", 1)[1]
    assert desc["ExportManifest"] == f"exports/nightly/AWSDynamoDB/{export_id}/manifest-summary.json"
    keys = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])}
    base = f"exports/nightly/AWSDynamoDB/{export_id}/"
    assert {base + n for n in ("_started", "manifest-summary.json", "manifest-summary.checksum",
                               "manifest-files.json", "manifest-files.checksum")} <= keys
    summary, items = read_export(s3, bucket, desc)
    assert summary["itemCount"] == 10_000 and summary["outputFormat"] == "DYNAMODB_JSON"
    assert summary["exportArn"] == started["ExportArn"] and summary["tableArn"] == arn
    assert summary["s3Bucket"] == bucket and summary["s3Prefix"] == "exports/nightly"
    as_wire = {(i["pk"]["S"], i["sk"]["N"]): i for i in items}
    assert len(as_wire) == 10_000
    sample = written[1234]
    got = as_wire[(sample["pk"]["S"], sample["sk"]["N"])]
    assert got["data"]["M"]["n"] == {"N": "1.5"} and sorted(got["data"]["M"]["tags"]["SS"]) == ["a", "t1234"]
    assert got["data"]["M"]["b"] == {"B": "AAE="}
    listed = ddb.list_exports(TableArn=arn)["ExportSummaries"]
    assert [e["ExportArn"] for e in listed] == [started["ExportArn"]]
    assert listed[0]["ExportStatus"] == "COMPLETED"

    # ... and the export imports back into a new table with the same items.
    copy_name = table_name + "-copy"
    imported = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": base + "data/"}, InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP",
        TableCreationParameters={"TableName": copy_name, "BillingMode": "PAY_PER_REQUEST",
                                 "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                                          {"AttributeName": "sk", "AttributeType": "N"}],
                                 "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}]},
    )["ImportTableDescription"]
    final = wait_for_import(ddb, imported["ImportArn"])
    assert final["ImportStatus"] == "COMPLETED", final
    assert final["ImportedItemCount"] == final["ProcessedItemCount"] == 10_000 and final["ErrorCount"] == 0
    copied = [i for page in ddb.get_paginator("scan").paginate(TableName=copy_name) for i in page["Items"]]
    assert sorted(copied, key=key_of) == sorted(written, key=key_of)


def key_of(item):
    return item["pk"]["S"], int(item["sk"]["N"])


def wait_for_import(ddb, arn, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        desc = ddb.describe_import(ImportArn=arn)["ImportTableDescription"]
        if desc["ImportStatus"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return desc
        time.sleep(0.2)


def test_export_to_missing_bucket_fails(ddb, table_name):
    arn = create_table(ddb, table_name)["TableArn"]
    ddb.update_continuous_backups(TableName=table_name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=f"nope-{uuid.uuid4().hex[:10]}")
    desc = wait_for(ddb, started["ExportDescription"]["ExportArn"])
    assert desc["ExportStatus"] == "FAILED" and desc["FailureCode"] == "S3NoSuchBucket"


def test_export_as_ion(ddb, s3, table_name, bucket):
    arn = create_table(ddb, table_name)["TableArn"]
    ddb.update_continuous_backups(TableName=table_name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "n": {"N": "2000"}, "s": {"SS": ["x"]}})
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ExportFormat="ION")
    desc = wait_for(ddb, started["ExportDescription"]["ExportArn"])
    summary = json.loads(s3.get_object(Bucket=bucket, Key=desc["ExportManifest"])["Body"].read())
    entry = json.loads(s3.get_object(Bucket=bucket, Key=summary["manifestFilesS3Key"])["Body"].read())
    assert entry["dataFileS3Key"].endswith(".ion.gz")
    text = gzip.decompress(s3.get_object(Bucket=bucket, Key=entry["dataFileS3Key"])["Body"].read()).decode()
    assert text == '$ion_1_0 {Item:{"pk":"a","n":2d3,"s":$dynamodb_SS::["x"]}}\n'

"""Exports and imports driven step by step on a manual clock (no background loop), and their parsers."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from riverbed.app import App
from riverbed.clock import ManualClock
from riverbed.config import load_settings
from riverbed.core.context import RequestContext
from riverbed.errors import ServiceError
from riverbed.services.dynamodb import imports, ion
from riverbed.services.dynamodb.operations import OPERATIONS
from riverbed.services.s3 import OPERATIONS as S3_OPERATIONS

START = 1_700_000_000.0
KEY = {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
       "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}


@pytest.fixture
def app():
    app = App(load_settings({"in_memory": True}, environ={}), ManualClock(START))
    yield app
    app.close()


def call(app: App, operation: str, **req: Any) -> dict[str, Any]:
    ctx = RequestContext(app.dynamodb, app.store, app.clock, "dynamodb", operation, "000000000000", "us-east-1", "r")
    result: dict[str, Any] = OPERATIONS[operation](ctx, req)   # type: ignore[assignment]
    return result


def s3(app: App, operation: str, **req: Any) -> dict[str, Any]:
    ctx = RequestContext(app.s3, app.store, app.clock, "s3", operation, "000000000000", "us-east-1", "r")
    result: dict[str, Any] = S3_OPERATIONS[operation](ctx, req)   # type: ignore[assignment]
    return result


def code(exc: pytest.ExceptionInfo[ServiceError]) -> str:
    return exc.value.code


ITEMS = [{"id": {"S": f"k{i}"}, "n": {"N": str(i * 1000)}, "b": {"B": "AAE="}, "s": {"SS": ["x", f"y{i}"]},
          "m": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}, {"S": "q\"\n"}]}}}} for i in range(30)]


def table_with_items(app: App) -> str:
    arn: str = call(app, "CreateTable", TableName="src", BillingMode="PAY_PER_REQUEST", **KEY)[
        "TableDescription"]["TableArn"]
    app.clock.advance(10)   # type: ignore[attr-defined]
    call(app, "UpdateContinuousBackups", TableName="src",
         PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for item in ITEMS:
        call(app, "PutItem", TableName="src", Item=item)
    s3(app, "CreateBucket", Bucket="exports")
    return arn


def test_export_waits_for_its_step_and_round_trips_through_ion(app: App) -> None:
    arn = table_with_items(app)
    with pytest.raises(ServiceError) as exc:
        call(app, "ExportTableToPointInTime", TableArn=arn, S3Bucket="exports", ExportTime=START + 100)
    assert code(exc) == "InvalidExportTimeException"   # in the future
    with pytest.raises(ServiceError) as exc:
        call(app, "ExportTableToPointInTime", TableArn=arn, S3Bucket="exports", ExportTime=START + 5)
    assert code(exc) == "InvalidExportTimeException"   # before point-in-time recovery was enabled
    with pytest.raises(ServiceError) as exc:
        call(app, "ExportTableToPointInTime", TableArn=arn, S3Bucket="exports", ExportType="INCREMENTAL_EXPORT")
    assert code(exc) == "ValidationException"
    started = call(app, "ExportTableToPointInTime", TableArn=arn, S3Bucket="exports", ExportFormat="ION",
                   S3Prefix="p/")["ExportDescription"]
    assert app.dynamodb.exporter.export_once() == 1
    assert app.dynamodb.exporter.export_once() == 0
    desc = call(app, "DescribeExport", ExportArn=started["ExportArn"])["ExportDescription"]
    assert desc["ExportStatus"] == "COMPLETED" and desc["ItemCount"] == 30 and desc["EndTime"] == START + 10
    summary = json.loads(app.s3.read_object("exports", desc["ExportManifest"]))
    assert summary["outputFormat"] == "ION" and summary["startTime"] == "2023-11-14T22:13:30.000Z"
    entry = json.loads(app.s3.read_object("exports", summary["manifestFilesS3Key"]))
    assert entry["dataFileS3Key"].startswith("p/AWSDynamoDB/") and entry["itemCount"] == 30
    text = gzip.decompress(app.s3.read_object("exports", entry["dataFileS3Key"])).decode()
    assert sorted(ion.read_items(text), key=lambda i: i["id"]["S"]) == sorted(ITEMS, key=lambda i: i["id"]["S"])

    prefix = entry["dataFileS3Key"].rsplit("/", 1)[0] + "/"
    started_import = call(app, "ImportTable", S3BucketSource={"S3Bucket": "exports", "S3KeyPrefix": prefix},
                          InputFormat="ION", InputCompressionType="GZIP",
                          TableCreationParameters={"TableName": "copy", "BillingMode": "PAY_PER_REQUEST", **KEY},
                          )["ImportTableDescription"]
    assert started_import["ImportStatus"] == "IN_PROGRESS"
    assert app.dynamodb.importer.import_once() == 1
    final = call(app, "DescribeImport", ImportArn=started_import["ImportArn"])["ImportTableDescription"]
    assert final["ImportStatus"] == "COMPLETED" and final["ImportedItemCount"] == 30
    copied = call(app, "Scan", TableName="copy")["Items"]
    assert sorted(copied, key=lambda i: i["id"]["S"]) == sorted(ITEMS, key=lambda i: i["id"]["S"])


def test_export_fails_when_the_table_goes_before_its_step(app: App) -> None:
    arn = table_with_items(app)
    started = call(app, "ExportTableToPointInTime", TableArn=arn, S3Bucket="exports")["ExportDescription"]
    call(app, "DeleteTable", TableName="src")
    app.dynamodb.exporter.export_once()
    desc = call(app, "DescribeExport", ExportArn=started["ExportArn"])["ExportDescription"]
    assert desc["ExportStatus"] == "FAILED"


def test_ion_reads_what_aws_documents() -> None:
    text = ('$ion_1_0 {\n  Item:{\n    Authors:$dynamodb_SS::["Author1","Author2"],\n    Id:103.,\n'
            '    InPublication:false,\n    PageCount:6d2,\n    Price:2d3,\n    Pic:{{ AAE= }},\n'
            "    'quoted name':null, // a comment\n    Ratio:1.5e0\n  }\n}\n")
    assert list(ion.read_items(text)) == [{
        "Authors": {"SS": ["Author1", "Author2"]}, "Id": {"N": "103"}, "InPublication": {"BOOL": False},
        "PageCount": {"N": "600"}, "Price": {"N": "2000"}, "Pic": {"B": "AAE="}, "quoted name": {"NULL": True},
        "Ratio": {"N": "1.5"}}]
    assert ion.decimal("0.000001") == "1d-6" and ion.decimal("-17.5") == "-175d-1"
    for bad in ('{Item:{a:"x"', "{NotItem:{}}", '{Item:{a:$dynamodb_NS::["x"]}}', "{Item:{a:bare}}"):
        with pytest.raises(ion.IonError):
            list(ion.read_items(bad))


def test_json_and_csv_lines() -> None:
    assert list(imports.json_items('{"Item": {"a": {"S": "x"}}}\n\n  \n')) == [{"a": {"S": "x"}}]
    for bad in ('{"Item": ', '{"NotAnItem": {}}', '{"Item": {"": {"S": "v"}}}', '{"Item": {"a": {"Q": 1}}}'):
        with pytest.raises(imports.BadLine):
            list(imports.json_items(bad))
    assert imports.decompress(gzip.compress(b"abc"), "GZIP") == b"abc"
    with pytest.raises(imports.BadLine):
        imports.decompress(b"not gzip", "GZIP")

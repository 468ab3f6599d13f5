"""ImportTable / DescribeImport / ListImports through boto3, with source objects put in S3 as a user would."""

from __future__ import annotations

import gzip
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conformance.test_table_export import wait_for_import
from tests.conftest import make_client

SCHEMA = {"AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                                   {"AttributeName": "c", "AttributeType": "N"}],
          "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]}


@pytest.fixture(scope="module")
def s3(endpoint):
    return make_client(endpoint, "s3")


@pytest.fixture
def bucket(s3):
    name = f"imp-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def request(bucket, prefix, table, **extra):
    return {"S3BucketSource": {"S3Bucket": bucket, "S3KeyPrefix": prefix}, "InputFormat": "DYNAMODB_JSON",
            "TableCreationParameters": {"TableName": table, "BillingMode": "PAY_PER_REQUEST", **SCHEMA}, **extra}


def scan(ddb, table):
    return sorted((i for page in ddb.get_paginator("scan").paginate(TableName=table) for i in page["Items"]),
                  key=lambda i: (i["p"]["S"], int(i["c"]["N"])))


def lines(*items):
    return ("\n".join(json.dumps({"Item": i}) for i in items) + "\n").encode()


GOOD = [{"p": {"S": "a"}, "c": {"N": "1"}, "v": {"SS": ["x", "y"]}}, {"p": {"S": "a"}, "c": {"N": "2"},
                                                                         "m": {"M": {"n": {"NULL": True}}}}]


def test_import_json_lines_and_describe(ddb, s3, bucket, table_name):
    s3.put_object(Bucket=bucket, Key="src/one.json", Body=lines(*GOOD) + b"\n   \n")
    s3.put_object(Bucket=bucket, Key="src/empty.json", Body=b"")
    started = ddb.import_table(**request(bucket, "src/", table_name))["ImportTableDescription"]
    assert started["ImportStatus"] == "IN_PROGRESS"
    assert started["ImportArn"].startswith(started["TableArn"] + "/import/")
    assert started["ProcessedItemCount"] == 0 and "EndTime" not in started
    assert started["InputCompressionType"] == "NONE"
    with pytest.raises(ClientError) as exc:
        ddb.import_table(**request(bucket, "src/", table_name))
    assert exc.value.response["Error"]["Code"] == "ResourceInUseException"
    final = wait_for_import(ddb, started["ImportArn"])
    assert final["ImportStatus"] == "COMPLETED"
    assert final["ImportedItemCount"] == 2 and final["ErrorCount"] == 0
    assert final["ProcessedSizeBytes"] == len(lines(*GOOD)) + len(b"\n   \n")
    assert scan(ddb, table_name) == GOOD
    assert ddb.describe_table(TableName=table_name)["Table"]["TableId"] == started["TableId"]
    summaries = ddb.list_imports(TableArn=started["TableArn"])["ImportSummaryList"]
    assert [s["ImportArn"] for s in summaries] == [started["ImportArn"]]
    assert set(summaries[0]) <= {"ImportArn", "ImportStatus", "TableArn", "S3BucketSource", "InputFormat",
                                 "StartTime", "EndTime"}


def test_import_gzip_and_zstd(ddb, s3, bucket, table_name):
    s3.put_object(Bucket=bucket, Key="gz/part.json.gz", Body=gzip.compress(lines(*GOOD)))
    started = ddb.import_table(**request(bucket, "gz/", table_name, InputCompressionType="GZIP"))
    final = wait_for_import(ddb, started["ImportTableDescription"]["ImportArn"])
    assert final["ImportStatus"] == "COMPLETED" and final["ProcessedSizeBytes"] == len(lines(*GOOD))
    assert scan(ddb, table_name) == GOOD
    zstandard = pytest.importorskip("zstandard")
    s3.put_object(Bucket=bucket, Key="zs/part.json.zst", Body=zstandard.ZstdCompressor().compress(lines(*GOOD)))
    other = table_name + "-z"
    started = ddb.import_table(**request(bucket, "zs/", other, InputCompressionType="ZSTD"))
    assert wait_for_import(ddb, started["ImportTableDescription"]["ImportArn"])["ImportStatus"] == "COMPLETED"
    assert scan(ddb, other) == GOOD


def test_import_csv(ddb, s3, bucket, table_name):
    s3.put_object(Bucket=bucket, Key="csv/a.csv", Body=b"p,c,name,empty\nk1,1,first,\nk1,2,second,\n")
    s3.put_object(Bucket=bucket, Key="csv/b.csv", Body=b"p;c;name\nk2;3;third\n")
    started = ddb.import_table(**request(bucket, "csv/a", table_name, InputFormat="CSV"))
    assert wait_for_import(ddb, started["ImportTableDescription"]["ImportArn"])["ImportStatus"] == "COMPLETED"
    assert scan(ddb, table_name) == [{"p": {"S": "k1"}, "c": {"N": "1"}, "name": {"S": "first"}},
                                     {"p": {"S": "k1"}, "c": {"N": "2"}, "name": {"S": "second"}}]
    other = table_name + "-semi"
    started = ddb.import_table(**request(bucket, "csv/b", other, InputFormat="CSV",
                                         InputFormatOptions={"Csv": {"Delimiter": ";", "HeaderList": ["p", "c", "x"]}}))
    final = wait_for_import(ddb, started["ImportTableDescription"]["ImportArn"])
    # With a HeaderList every line is data: "p;c;name" has no number for c, so that object is one error.
    assert final["ImportStatus"] == "FAILED" and final["FailureCode"] == "ItemValidationError"
    assert final["ErrorCount"] == 1 and scan(ddb, other) == []


def test_invalid_lines_fail_the_import_but_keep_the_table(ddb, s3, bucket, table_name):
    s3.put_object(Bucket=bucket, Key="bad/0-good.json", Body=lines(*GOOD))
    s3.put_object(Bucket=bucket, Key="bad/1-nokey.json", Body=b'{"Item": {"c": {"N": "1"}}}\n' + lines(GOOD[0]))
    s3.put_object(Bucket=bucket, Key="bad/2-notjson.json", Body=b'{"Item": \n')
    s3.put_object(Bucket=bucket, Key="bad/3-noitem.json", Body=b'{"NotAnItem": {}}\n')
    started = ddb.import_table(**request(bucket, "bad/", table_name))
    final = wait_for_import(ddb, started["ImportTableDescription"]["ImportArn"])
    assert final["ImportStatus"] == "FAILED" and final["FailureCode"] == "ItemValidationError"
    assert (final["ProcessedItemCount"], final["ImportedItemCount"], final["ErrorCount"]) == (5, 2, 3)
    assert scan(ddb, table_name) == GOOD


def test_missing_bucket_and_empty_prefix(ddb, bucket, table_name):
    started = ddb.import_table(**request(f"nope-{uuid.uuid4().hex[:8]}", "x/", table_name))
    final = wait_for_import(ddb, started["ImportTableDescription"]["ImportArn"])
    assert final["ImportStatus"] == "FAILED" and final["FailureCode"] == "S3NoSuchBucket"
    with pytest.raises(ClientError) as exc:
        ddb.describe_table(TableName=table_name)
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    started = ddb.import_table(**request(bucket, "nothing-here/", table_name))
    final = wait_for_import(ddb, started["ImportTableDescription"]["ImportArn"])
    assert final["ImportStatus"] == "COMPLETED" and final["ImportedItemCount"] == 0
    assert ddb.describe_table(TableName=table_name)["Table"]["ItemCount"] == 0


def test_client_token_and_validation(ddb, bucket, table_name):
    kwargs = request(bucket, "none/", table_name, ClientToken="same-token")
    first = ddb.import_table(**kwargs)["ImportTableDescription"]
    again = ddb.import_table(**{**kwargs, "InputCompressionType": "GZIP"})["ImportTableDescription"]
    assert again["ImportArn"] == first["ImportArn"] and again["InputCompressionType"] == "NONE"
    with pytest.raises(ClientError) as exc:
        ddb.import_table(**request(bucket, "none/", table_name + "-2", ClientToken="same-token"))
    assert exc.value.response["Error"]["Code"] == "ImportConflictException"
    assert "Duplicate request" in exc.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as exc:
        ddb.import_table(**request(bucket, "none/", table_name + "-3", InputFormatOptions={"Csv": {"Delimiter": ","}}))
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    assert "InputFormatOptions" in exc.value.response["Error"]["Message"]
    bad = request(bucket, "none/", table_name + "-4")
    bad["TableCreationParameters"]["AttributeDefinitions"] = [{"AttributeName": "unrelated", "AttributeType": "S"}]
    with pytest.raises(ClientError) as exc:
        ddb.import_table(**bad)
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        ddb.list_imports(PageSize=26)
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        ddb.describe_import(ImportArn=first["TableArn"] + "/import/01658528578619-0badf00d")
    assert exc.value.response["Error"]["Code"] == "ImportNotFoundException"
    wait_for_import(ddb, first["ImportArn"])


def test_import_ion_as_aws_writes_it(ddb, s3, bucket, table_name):
    text = ('$ion_1_0 {Item:{p:"a",c:1.,Authors:$dynamodb_SS::["A1","A2"],Price:2d3,Ok:true,Pic:{{AAE=}}}}\n'
            '$ion_1_0 {Item:{p:"a",c:2.,Nested:{l:[null,"x"]}}}\n')
    s3.put_object(Bucket=bucket, Key="ion/part.ion.gz", Body=gzip.compress(text.encode()))
    started = ddb.import_table(**request(bucket, "ion/", table_name, InputFormat="ION", InputCompressionType="GZIP"))
    assert wait_for_import(ddb, started["ImportTableDescription"]["ImportArn"])["ImportStatus"] == "COMPLETED"
    items = scan(ddb, table_name)
    assert items[0] == {"p": {"S": "a"}, "c": {"N": "1"}, "Authors": {"SS": ["A1", "A2"]}, "Price": {"N": "2000"},
                        "Ok": {"BOOL": True}, "Pic": {"B": b"\x00\x01"}}
    assert items[1]["Nested"] == {"M": {"l": {"L": [{"NULL": True}, {"S": "x"}]}}}

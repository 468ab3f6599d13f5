"""An S3 bucket as the OnFailure destination of a DynamoDB-stream mapping whose handler always fails."""

from __future__ import annotations

import json
import re

import pytest

import riverbed
from tests.e2e.test_triggers import Recorder, make_table, mapping, put


@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


def test_failed_batch_is_written_as_an_object_with_the_records(rb):
    ddb, arn = make_table(rb)
    s3 = rb.client("s3")
    s3.create_bucket(Bucket="failures")

    def boom(event, n):
        raise RuntimeError("always")

    rb.register_function("fn", Recorder(boom))
    put(ddb, "src", "a", "b")    # both written before the mapping reads from TRIM_HORIZON: one batch
    uuid = mapping(rb, "fn", arn, MaximumRetryAttempts=1, BatchSize=10,
                   DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::failures"}})["UUID"]
    rb.drain()
    objects = s3.list_objects_v2(Bucket="failures")["Contents"]
    assert len(objects) == 1
    key = objects[0]["Key"]
    shard = rb.client("dynamodbstreams").describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    assert re.fullmatch(rf"aws/lambda/{uuid}/{shard['ShardId']}/\d{{4}}/\d\d/\d\d/"
                        r"\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d-[0-9a-f-]{36}", key), key
    record = json.loads(s3.get_object(Bucket="failures", Key=key)["Body"].read())
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["DDBStreamBatchInfo"]["batchSize"] == 2
    assert record["DDBStreamBatchInfo"]["shardId"] == shard["ShardId"]
    payload = json.loads(record["payload"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in payload["Records"]] == ["a", "b"]
    assert rb.client("lambda").get_event_source_mapping(UUID=uuid)["LastProcessingResult"] != \
        "PROBLEM: Lambda was unable to write to the destination"


def test_missing_bucket_counts_as_a_delivery_failure(rb):
    ddb, arn = make_table(rb)

    def boom(event, n):
        raise RuntimeError("always")

    rb.register_function("fn", Recorder(boom))
    uuid = mapping(rb, "fn", arn, MaximumRetryAttempts=0,
                   DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::no-such-bucket"}})["UUID"]
    put(ddb, "src", "x")
    rb.drain()
    assert rb.client("lambda").get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == \
        "PROBLEM: Lambda was unable to write to the destination"

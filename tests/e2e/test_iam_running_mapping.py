"""A mapping polls as its function's execution role (manual clock, boto3, handlers in this process).

When the role loses a stream permission while the mapping runs (the managed policy detached, a Deny
added), delivery stops, LastProcessingResult names the problem, records wait and IteratorAge grows;
when the permission returns, delivery resumes from the checkpoint with nothing skipped or repeated.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from botocore.exceptions import ClientError

import riverbed

DDB_EXEC = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


class Recorder:
    def __init__(self):
        self.keys: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, event, context):
        with self.lock:
            self.keys.extend(r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"])


def _setup(rb):
    iam, ddb, lam = rb.client("iam"), rb.client("dynamodb"), rb.client("lambda")
    role_arn = iam.create_role(RoleName="stream-reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.attach_role_policy(RoleName="stream-reader", PolicyArn=DDB_EXEC)
    table = ddb.create_table(
        TableName="src", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    stream_arn = table["TableDescription"]["LatestStreamArn"]
    rec = Recorder()
    rb.register_function("fn", rec, role=role_arn)
    uuid = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=stream_arn, BatchSize=2,
                                           StartingPosition="TRIM_HORIZON")["UUID"]
    return iam, ddb, lam, rec, uuid


def _put(ddb, *keys):
    for key in keys:
        ddb.put_item(TableName="src", Item={"pk": {"S": key}})


def _result(lam, uuid, prefix, seconds=10.0):
    deadline = time.monotonic() + seconds
    while True:
        result = lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"]
        if result.startswith(prefix) or time.monotonic() > deadline:
            return result
        time.sleep(0.02)


def _iterator_age(rb, uuid):
    return rb.app.metrics.maximum("AWS/Lambda", "IteratorAge", {"EventSourceMappingUUID": uuid})


def test_detached_policy_stops_delivery_and_reattaching_resumes_without_loss(rb):
    iam, ddb, lam, rec, uuid = _setup(rb)
    _put(ddb, "a", "b", "c")
    rb.drain()
    assert rec.keys == ["a", "b", "c"]
    assert lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK"

    iam.detach_role_policy(RoleName="stream-reader", PolicyArn=DDB_EXEC)
    _put(ddb, "d", "e", "f")
    problem = _result(lam, uuid, "PROBLEM")
    assert problem == "PROBLEM: Execution role does not have permissions to call DescribeStream on DynamoDB"
    rb.clock.advance(120)
    _result(lam, uuid, "PROBLEM")
    time.sleep(0.6)     # a few safety-net polls (0.25 s) while the role still lacks the permission
    assert rec.keys == ["a", "b", "c"]
    assert _iterator_age(rb, uuid) >= 120_000
    with pytest.raises(TimeoutError) as exc:
        rb.drain(timeout=0.5)
    assert "problem" in str(exc.value)

    iam.attach_role_policy(RoleName="stream-reader", PolicyArn=DDB_EXEC)
    rb.drain()
    assert rec.keys == ["a", "b", "c", "d", "e", "f"]
    assert lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK"


def test_a_deny_added_mid_stream_stops_delivery_until_removed(rb):
    iam, ddb, lam, rec, uuid = _setup(rb)
    _put(ddb, "a")
    rb.drain()
    iam.put_role_policy(RoleName="stream-reader", PolicyName="no-reads", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "dynamodb:GetRecords", "Resource": "*"}]}))
    _put(ddb, "b", "c")
    assert _result(lam, uuid, "PROBLEM") == ("PROBLEM: Execution role does not have permissions to call "
                                             "GetRecords on DynamoDB")
    time.sleep(0.3)
    assert rec.keys == ["a"]
    iam.delete_role_policy(RoleName="stream-reader", PolicyName="no-reads")
    rb.drain()
    assert rec.keys == ["a", "b", "c"]
    assert lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK"


def _encrypted_table(rb, name, key_id=None):
    sse = {"Enabled": True, "SSEType": "KMS"}
    if key_id:
        sse["KMSMasterKeyId"] = key_id
    table = rb.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", SSESpecification=sse,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    return table["TableDescription"]["LatestStreamArn"]


def test_a_table_encrypted_with_a_customer_managed_key_needs_kms_decrypt(rb):
    iam, lam = rb.client("iam"), rb.client("lambda")
    key_arn = rb.client("kms").create_key()["KeyMetadata"]["Arn"]
    role_arn = iam.create_role(RoleName="cmk-reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.attach_role_policy(RoleName="cmk-reader", PolicyArn=DDB_EXEC)
    rec = Recorder()
    rb.register_function("fn", rec, role=role_arn)
    managed = _encrypted_table(rb, "aws-managed")               # the AWS managed key: no kms:Decrypt needed
    lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=managed, StartingPosition="LATEST",
                                    Enabled=False)
    stream_arn = _encrypted_table(rb, "cmk", key_arn)
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON")
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert exc.value.response["Error"]["Message"] == ("The provided execution role does not have permissions to "
                                                      "call Decrypt on KMS")
    iam.put_role_policy(RoleName="cmk-reader", PolicyName="decrypt", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}]}))
    uuid = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=stream_arn,
                                           StartingPosition="TRIM_HORIZON")["UUID"]
    ddb = rb.client("dynamodb")
    ddb.put_item(TableName="cmk", Item={"pk": {"S": "a"}})
    rb.drain()
    assert rec.keys == ["a"]
    # Losing kms:Decrypt while the mapping runs stops delivery until it returns.
    iam.delete_role_policy(RoleName="cmk-reader", PolicyName="decrypt")
    ddb.put_item(TableName="cmk", Item={"pk": {"S": "b"}})
    assert _result(lam, uuid, "PROBLEM") == "PROBLEM: Execution role does not have permissions to call Decrypt on KMS"
    time.sleep(0.3)
    assert rec.keys == ["a"]
    iam.put_role_policy(RoleName="cmk-reader", PolicyName="decrypt", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}]}))
    rb.drain()
    assert rec.keys == ["a", "b"]


def test_a_disabled_key_makes_the_table_inaccessible_and_stops_its_mapping(rb):
    iam, lam, kms, ddb = rb.client("iam"), rb.client("lambda"), rb.client("kms"), rb.client("dynamodb")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    role_arn = iam.create_role(RoleName="cmk-reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.attach_role_policy(RoleName="cmk-reader", PolicyArn=DDB_EXEC)
    iam.put_role_policy(RoleName="cmk-reader", PolicyName="decrypt", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}]}))
    rec = Recorder()
    rb.register_function("fn", rec, role=role_arn)
    stream_arn = _encrypted_table(rb, "cmk", key_arn)
    uuid = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=stream_arn,
                                           StartingPosition="TRIM_HORIZON")["UUID"]
    assert ddb.describe_table(TableName="cmk")["Table"]["TableStatus"] == "ACTIVE"
    ddb.put_item(TableName="cmk", Item={"pk": {"S": "a"}})
    rb.drain()
    assert rec.keys == ["a"]
    kms.disable_key(KeyId=key_arn)
    table = ddb.describe_table(TableName="cmk")["Table"]
    assert table["TableStatus"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    assert table["SSEDescription"]["KMSMasterKeyArn"] == key_arn
    assert "InaccessibleEncryptionDateTime" in table["SSEDescription"]
    # Reads, writes and the stream are refused with the KMS exception DynamoDB met (AWS's text).
    disabled = (f"KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {key_arn} is "
                "disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: ")
    for call in (lambda: ddb.put_item(TableName="cmk", Item={"pk": {"S": "b"}}),
                 lambda: ddb.get_item(TableName="cmk", Key={"pk": {"S": "a"}}),
                 lambda: ddb.scan(TableName="cmk"),
                 lambda: ddb.execute_statement(Statement='SELECT * FROM "cmk"')):
        with pytest.raises(ClientError) as exc:
            call()
        assert exc.value.response["Error"]["Code"] == "ValidationException"
        assert exc.value.response["Error"]["Message"].startswith(disabled)
    streams = rb.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator=iterator)
    assert exc.value.response["Error"]["Message"].startswith(disabled)
    assert _result(lam, uuid, "PROBLEM") == f"PROBLEM: The table's KMS key {key_arn} is inaccessible"
    # Scheduled for deletion: refused as well, in KMS's words for that state.
    kms.enable_key(KeyId=key_arn)
    kms.schedule_key_deletion(KeyId=key_arn, PendingWindowInDays=7)
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName="cmk", Key={"pk": {"S": "a"}})
    assert exc.value.response["Error"]["Message"].startswith(
        "KMS validation error: com.amazonaws.services.kms.model.KMSInvalidStateException: "
        f"{key_arn} is pending deletion. (Service: AWSKMS; Status Code: 400; Error Code: KMSInvalidStateException")
    kms.cancel_key_deletion(KeyId=key_arn)
    kms.enable_key(KeyId=key_arn)      # a cancelled deletion leaves the key disabled, as on AWS
    ddb.put_item(TableName="cmk", Item={"pk": {"S": "c"}})
    assert ddb.get_item(TableName="cmk", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    rb.drain()
    assert rec.keys == ["a", "c"]
    table = ddb.describe_table(TableName="cmk")["Table"]
    assert table["TableStatus"] == "ACTIVE" and "InaccessibleEncryptionDateTime" not in table["SSEDescription"]

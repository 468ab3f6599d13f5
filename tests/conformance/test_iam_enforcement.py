"""Execution-role checks through boto3 (default ``--iam enforce``): Lambda refuses a role that does not
trust lambda.amazonaws.com; CreateEventSourceMapping / UpdateEventSourceMapping refuse a role that cannot
read the stream, with AWS's text; AWSLambdaDynamoDBExecutionRole is enough; a Deny beats it; a role
riverbed has never seen passes (with a warning in the log)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table, make_client

STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                  "dynamodb:ListStreams"]
DDB_EXEC = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"


def _trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def iam(endpoint):
    return make_client(endpoint, "iam")


@pytest.fixture(scope="module")
def lam(endpoint):
    return make_client(endpoint, "lambda")


@pytest.fixture(scope="module")
def stream_arn(ddb):
    name = f"t-{uuid.uuid4().hex[:10]}"
    return create_table(ddb, name, stream="NEW_IMAGE")["LatestStreamArn"]


def _role(iam, service: str = "lambda.amazonaws.com") -> tuple[str, str]:
    name = f"role-{uuid.uuid4().hex[:10]}"
    return name, iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(service))["Role"]["Arn"]


def _function(lam, role_arn: str) -> str:
    name = f"fn-{uuid.uuid4().hex[:10]}"
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role_arn, Handler="handler.handler",
                        Code={"ZipFile": _zip()})
    return name


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def _cannot_access(stream_arn: str) -> tuple[str, str]:
    return ("InvalidParameterValueException",
            f"Cannot access stream {stream_arn}. Please ensure the role can perform the GetRecords, "
            "GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.")


def test_role_that_does_not_trust_lambda_is_refused(iam, lam):
    _, ec2_role = _role(iam, "ec2.amazonaws.com")
    with pytest.raises(ClientError) as exc:
        _function(lam, ec2_role)
    assert _error(exc) == ("InvalidParameterValueException",
                           "The role defined for the function cannot be assumed by Lambda.")
    _, good = _role(iam)
    name = _function(lam, good)
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName=name, Role=ec2_role)
    assert _error(exc) == ("InvalidParameterValueException",
                           "The role defined for the function cannot be assumed by Lambda.")
    assert lam.get_function_configuration(FunctionName=name)["Role"] == good


def test_unknown_role_passes_in_enforce_mode(lam, stream_arn):
    name = _function(lam, f"arn:aws:iam::000000000000:role/never-created-{uuid.uuid4().hex[:6]}")
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream_arn,
                                              StartingPosition="LATEST", Enabled=False)
    lam.delete_event_source_mapping(UUID=mapping["UUID"])


@pytest.mark.parametrize("missing", STREAM_ACTIONS)
def test_each_missing_stream_permission_is_refused(iam, lam, stream_arn, missing):
    role_name, role_arn = _role(iam)
    granted = [a for a in STREAM_ACTIONS if a != missing]
    iam.put_role_policy(RoleName=role_name, PolicyName="stream", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": granted, "Resource": stream_arn}]}))
    name = _function(lam, role_arn)
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream_arn, StartingPosition="LATEST")
    assert _error(exc) == _cannot_access(stream_arn)


def test_managed_execution_role_is_enough_and_a_deny_beats_it(iam, lam, stream_arn):
    role_name, role_arn = _role(iam)
    iam.attach_role_policy(RoleName=role_name, PolicyArn=DDB_EXEC)
    name = _function(lam, role_arn)
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream_arn,
                                              StartingPosition="LATEST", Enabled=False)
    iam.put_role_policy(RoleName=role_name, PolicyName="deny", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "dynamodb:GetShardIterator", "Resource": "*"}]}))
    with pytest.raises(ClientError) as exc:
        lam.update_event_source_mapping(UUID=mapping["UUID"], BatchSize=10)
    assert _error(exc) == _cannot_access(stream_arn)
    other = _function(lam, role_arn)
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(FunctionName=other, EventSourceArn=stream_arn, StartingPosition="LATEST")
    assert _error(exc) == _cannot_access(stream_arn)
    iam.delete_role_policy(RoleName=role_name, PolicyName="deny")
    lam.update_event_source_mapping(UUID=mapping["UUID"], BatchSize=10)
    lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_read_only_managed_policy_cannot_read_records(iam, lam, stream_arn):
    # AmazonDynamoDBReadOnlyAccess grants Describe*/List* but not GetRecords/GetShardIterator.
    role_name, role_arn = _role(iam)
    iam.attach_role_policy(RoleName=role_name, PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess")
    name = _function(lam, role_arn)
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream_arn, StartingPosition="LATEST")
    assert _error(exc) == _cannot_access(stream_arn)


def test_on_failure_destination_needs_send_permission(iam, lam, stream_arn, endpoint):
    sqs = make_client(endpoint, "sqs")
    url = sqs.create_queue(QueueName=f"dlq-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    role_name, role_arn = _role(iam)
    iam.attach_role_policy(RoleName=role_name, PolicyArn=DDB_EXEC)
    name = _function(lam, role_arn)
    destination = {"OnFailure": {"Destination": queue_arn}}
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream_arn, StartingPosition="LATEST",
                                        DestinationConfig=destination)
    assert _error(exc) == ("InvalidParameterValueException",
                           "The provided execution role does not have permissions to call SendMessage on SQS")
    send = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}
    iam.put_role_policy(RoleName=role_name, PolicyName="dlq",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [send]}))
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream_arn, StartingPosition="LATEST",
                                              DestinationConfig=destination, Enabled=False)
    lam.delete_event_source_mapping(UUID=mapping["UUID"])

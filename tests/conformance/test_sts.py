"""STS through boto3: GetCallerIdentity for root, an IAM user and a role session; AssumeRole with the
trust policy checked; GetSessionToken."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import REGION, make_client

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def iam(endpoint):
    return make_client(endpoint, "iam")


@pytest.fixture(scope="module")
def sts(endpoint):
    return make_client(endpoint, "sts")


def _client(endpoint: str, service: str, creds: dict):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds.get("SessionToken"))


@pytest.fixture
def user(iam):
    name = f"u-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    return name, iam.create_access_key(UserName=name)["AccessKey"]


def _role(iam, trusted: str) -> tuple[str, str]:
    name = f"r-{uuid.uuid4().hex[:8]}"
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=7200)["Role"]
    return name, role["Arn"]


def test_root_caller_identity(sts):
    identity = sts.get_caller_identity()
    assert (identity["Account"], identity["Arn"], identity["UserId"]) == (
        ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT)


def test_root_cannot_assume_a_role(iam, sts):
    _, arn = _role(iam, f"arn:aws:iam::{ACCOUNT}:root")
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=arn, RoleSessionName="session")
    error = exc.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("AccessDenied", "Roles may not be assumed by root accounts")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_user_assumes_a_trusting_role(endpoint, iam, user):
    name, key = user
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
    as_user = _client(endpoint, "sts", key)
    me = as_user.get_caller_identity()
    assert me["Arn"] == user_arn and me["UserId"].startswith("AIDA")
    role_name, role_arn = _role(iam, user_arn)
    answer = as_user.assume_role(RoleArn=role_arn, RoleSessionName="job-1", DurationSeconds=900)
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["SecretAccessKey"]) == 40 and creds["SessionToken"]
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/job-1"
    assert answer["AssumedRoleUser"]["Arn"] == session_arn
    role_id = iam.get_role(RoleName=role_name)["Role"]["RoleId"]
    assert answer["AssumedRoleUser"]["AssumedRoleId"] == f"{role_id}:job-1"
    as_role = _client(endpoint, "sts", creds).get_caller_identity()
    assert (as_role["Arn"], as_role["UserId"], as_role["Account"]) == (session_arn, f"{role_id}:job-1", ACCOUNT)
    with pytest.raises(ClientError) as exc:
        as_user.assume_role(RoleArn=role_arn, RoleSessionName="long", DurationSeconds=7201)
    assert exc.value.response["Error"]["Code"] == "ValidationError"


def test_untrusted_caller_is_denied(endpoint, iam, user):
    _, key = user
    _, role_arn = _role(iam, f"arn:aws:iam::{ACCOUNT}:user/someone-else")
    with pytest.raises(ClientError) as exc:
        _client(endpoint, "sts", key).assume_role(RoleArn=role_arn, RoleSessionName="session")
    error = exc.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert error["Message"].endswith(f"is not authorized to perform: sts:AssumeRole on resource: {role_arn}")


def test_session_token_keeps_the_caller(endpoint, user):
    name, key = user
    creds = _client(endpoint, "sts", key).get_session_token()["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert _client(endpoint, "sts", creds).get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/{name}"

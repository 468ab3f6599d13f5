"""IAM through boto3: roles, inline and managed policies, AWS managed policies, users and access keys,
SimulatePrincipalPolicy.  Error codes, statuses and texts as AWS answers them (iam snapshot)."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client

ACCOUNT = "000000000000"
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
DDB_EXEC = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"


@pytest.fixture(scope="module")
def iam(endpoint):
    return make_client(endpoint, "iam")


@pytest.fixture
def name():
    return f"r-{uuid.uuid4().hex[:10]}"


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_role_lifecycle(iam, name):
    created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST), Path="/app/")["Role"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/app/{name}"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert created["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    assert "MaxSessionDuration" not in created
    got = iam.get_role(RoleName=name)["Role"]
    assert got["MaxSessionDuration"] == 3600 and got["RoleLastUsed"] == {} and got["Path"] == "/app/"
    assert name in [r["RoleName"] for r in iam.list_roles(PathPrefix="/app/")["Roles"]]
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=name.upper(), AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    assert _error(exc) == ("EntityAlreadyExists", f"Role with name {name.upper()} already exists.", 409)
    new_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(new_trust))
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == new_trust
    iam.delete_role(RoleName=name)
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName=name)
    assert _error(exc) == ("NoSuchEntity", f"The role with name {name} cannot be found.", 404)


@pytest.mark.parametrize(("document", "message"), [
    ("{not json", "This policy contains invalid Json"),
    (_doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
           "Resource": "*"}), "Has prohibited field Resource"),
])
def test_malformed_trust_policy(iam, name, document, message):
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)
    assert _error(exc) == ("MalformedPolicyDocument", message, 400)


def test_inline_and_attached_policies_block_delete(iam, name):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    statement = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}
    iam.put_role_policy(RoleName=name, PolicyName="send", PolicyDocument=_doc(statement))
    got = iam.get_role_policy(RoleName=name, PolicyName="send")
    assert got["PolicyDocument"]["Statement"] == [statement]
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["send"]
    with pytest.raises(ClientError) as exc:
        iam.put_role_policy(RoleName=name, PolicyName="bad", PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:*"}))
    assert _error(exc) == ("MalformedPolicyDocument", "Policy statement must contain resources.", 400)
    with pytest.raises(ClientError) as exc:
        iam.put_role_policy(RoleName=name, PolicyName="bad",
                            PolicyDocument=_doc(dict(statement, Principal={"AWS": "*"})))
    assert _error(exc) == ("MalformedPolicyDocument", "Policy document should not specify a principal.", 400)
    iam.attach_role_policy(RoleName=name, PolicyArn=DDB_EXEC)
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaDynamoDBExecutionRole", "PolicyArn": DDB_EXEC}]
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=name)
    assert _error(exc) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_role_policy(RoleName=name, PolicyName="send")
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=name)
    assert _error(exc) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_role_policy(RoleName=name, PolicyArn=DDB_EXEC)
    iam.delete_role(RoleName=name)


def test_attach_unknown_policy(iam, name):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}123"
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    assert _error(exc) == ("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName=name, PolicyArn="not-an-arn-but-long-enough")
    assert _error(exc) == ("ValidationError", "Invalid ARN:  Could not be parsed!", 400)


def test_aws_managed_policies_have_real_statements(iam):
    names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]}
    assert {"AWSLambdaBasicExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSLambdaSQSQueueExecutionRole",
            "AWSLambdaInvocation-DynamoDB", "AWSLambdaRole", "AmazonDynamoDBFullAccess",
            "AmazonDynamoDBReadOnlyAccess", "AmazonSQSFullAccess", "AmazonSNSFullAccess",
            "CloudWatchLogsFullAccess", "AWSKeyManagementServicePowerUser"} <= names
    policy = iam.get_policy(PolicyArn=DDB_EXEC)["Policy"]
    assert policy["Path"] == "/service-role/" and policy["PolicyId"].startswith("ANPA")
    version = iam.get_policy_version(PolicyArn=DDB_EXEC, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert set(version["Document"]["Statement"][0]["Action"]) == {
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}


def test_customer_managed_policy_versions(iam, name):
    first = _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    policy = iam.create_policy(PolicyName=name, PolicyDocument=first)["Policy"]
    arn = policy["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/{name}" and policy["DefaultVersionId"] == "v1"
    assert policy["AttachmentCount"] == 0 and policy["IsAttachable"] is True
    for n in range(2, 6):
        version = iam.create_policy_version(PolicyArn=arn, PolicyDocument=first, SetAsDefault=n == 3)["PolicyVersion"]
        assert version["VersionId"] == f"v{n}"
    with pytest.raises(ClientError) as exc:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=first)
    assert _error(exc)[0::2] == ("LimitExceeded", 409)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    with pytest.raises(ClientError) as exc:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert _error(exc) == ("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
    newest = iam.list_policy_versions(PolicyArn=arn)["Versions"][0]
    assert newest["VersionId"] == "v5" and newest["IsDefaultVersion"] is True
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn=arn)
    assert _error(exc)[0::2] == ("DeleteConflict", 409)
    iam.detach_role_policy(RoleName=name, PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.get_policy(PolicyArn=arn)
    assert _error(exc) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)


def test_users_and_access_keys(iam, name):
    user = iam.create_user(UserName=name)["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/{name}" and user["UserId"].startswith("AIDA")
    key = iam.create_access_key(UserName=name)["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20 and key["Status"] == "Active"
    iam.create_access_key(UserName=name)
    with pytest.raises(ClientError) as exc:
        iam.create_access_key(UserName=name)
    assert _error(exc) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    assert len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"]) == 2
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=name)
    assert _error(exc) == ("DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
    for meta in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=meta["AccessKeyId"])
    iam.delete_user(UserName=name)
    with pytest.raises(ClientError) as exc:
        iam.get_user(UserName=name)
    assert _error(exc) == ("NoSuchEntity", f"The user with name {name} cannot be found.", 404)


def test_simulate_principal_policy_deny_beats_managed_allow(iam, name):
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=DDB_EXEC)
    iam.put_role_policy(RoleName=name, PolicyName="no-records",
                        PolicyDocument=_doc({"Effect": "Deny", "Action": "dynamodb:GetRecords", "Resource": "*"}))
    results = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=[
        "dynamodb:GetRecords", "dynamodb:DescribeStream", "dynamodb:PutItem"])["EvaluationResults"]
    assert [r["EvalDecision"] for r in results] == ["explicitDeny", "allowed", "implicitDeny"]

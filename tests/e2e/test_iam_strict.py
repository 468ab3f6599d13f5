"""``--iam strict``: every request is authorized against the caller's identity (boto3 against a real server).

An IAM user's key is refused what no policy of the user allows, with AWS's AccessDenied text; the
account's root is allowed everything; an explicit Deny is named as such; a handler's own calls are
authorized as its execution role's session.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import riverbed
from tests.conftest import zip_code

pytestmark = pytest.mark.xdist_group("iam-strict")   # the tests share one server and build on one another

ACCOUNT = "111111111111"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture(scope="module")
def rb():
    with riverbed.Riverbed(clock="system", iam="strict") as instance:
        yield instance


def client(rb, service, key=ACCOUNT, secret="test"):
    return boto3.client(service, endpoint_url=rb.endpoint_url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def error(exc):
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def dev(rb):
    iam, ddb = client(rb, "iam"), client(rb, "dynamodb")
    ddb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    iam.create_user(UserName="dev")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def test_a_user_without_a_policy_is_refused_with_aws_text(rb, dev):
    ddb = client(rb, "dynamodb", *dev)
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName="orders", Item={"pk": {"S": "1"}})
    assert error(exc) == ("AccessDeniedException",
                          "User: arn:aws:iam::111111111111:user/dev is not authorized to perform: dynamodb:PutItem "
                          "on resource: arn:aws:dynamodb:us-east-1:111111111111:table/orders because no "
                          "identity-based policy allows the dynamodb:PutItem action")
    # GetCallerIdentity needs no permission; the root of the account is allowed everything.
    assert client(rb, "sts", *dev).get_caller_identity()["Arn"] == "arn:aws:iam::111111111111:user/dev"
    client(rb, "dynamodb").put_item(TableName="orders", Item={"pk": {"S": "root"}})


def test_a_policy_grants_and_an_explicit_deny_is_named(rb, dev):
    iam = client(rb, "iam")
    iam.put_user_policy(UserName="dev", PolicyName="orders", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
             "Resource": "arn:aws:dynamodb:us-east-1:111111111111:table/orders"}]}))
    ddb = client(rb, "dynamodb", *dev)
    ddb.put_item(TableName="orders", Item={"pk": {"S": "2"}})
    assert ddb.get_item(TableName="orders", Key={"pk": {"S": "2"}})["Item"] == {"pk": {"S": "2"}}
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName="orders", Key={"pk": {"S": "2"}})
    assert error(exc)[0] == "AccessDeniedException" and "dynamodb:DeleteItem" in error(exc)[1]
    iam.put_user_policy(UserName="dev", PolicyName="no-get", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": "*"}]}))
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName="orders", Key={"pk": {"S": "2"}})
    assert error(exc) == ("AccessDeniedException",
                          "User: arn:aws:iam::111111111111:user/dev is not authorized to perform: dynamodb:GetItem "
                          "on resource: arn:aws:dynamodb:us-east-1:111111111111:table/orders with an explicit deny "
                          "in an identity-based policy")
    with pytest.raises(ClientError) as exc:
        client(rb, "sqs", *dev).create_queue(QueueName="q")
    assert error(exc)[0] == "AccessDenied"
    assert "sqs:CreateQueue on resource: arn:aws:sqs:us-east-1:111111111111:q" in error(exc)[1]


def test_unknown_roles_are_refused_in_strict_mode(rb):
    with pytest.raises(ClientError) as exc:
        client(rb, "lambda").create_function(
            FunctionName="made-up", Runtime="python3.12", Role=f"arn:aws:iam::{ACCOUNT}:role/never-created",
            Handler="h.handler", Code={"ZipFile": _zip("def handler(e, c):\n    return 1\n")})
    assert error(exc) == ("InvalidParameterValueException",
                          "The role defined for the function cannot be assumed by Lambda.")


def _zip(source):
    return zip_code(source, "h.py")


WRITER = """
    import boto3
    from botocore.exceptions import ClientError

    def handler(event, context):
        try:
            boto3.client("dynamodb").put_item(TableName="orders", Item={"pk": {"S": "from-handler"}})
            return "written"
        except ClientError as exc:
            return exc.response["Error"]["Message"]
"""


def test_a_handler_is_authorized_as_its_execution_role(rb):
    iam, lam = client(rb, "iam"), client(rb, "lambda")
    role_arn = iam.create_role(RoleName="writer", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    lam.create_function(FunctionName="writer", Runtime="python3.12", Role=role_arn, Handler="h.handler",
                        Code={"ZipFile": _zip(WRITER)})
    out = json.loads(lam.invoke(FunctionName="writer")["Payload"].read())
    assert out == ("User: arn:aws:sts::111111111111:assumed-role/writer/writer is not authorized to perform: "
                   "dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:111111111111:table/orders because no "
                   "identity-based policy allows the dynamodb:PutItem action")
    iam.attach_role_policy(RoleName="writer", PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess")
    assert json.loads(lam.invoke(FunctionName="writer")["Payload"].read()) == "written"

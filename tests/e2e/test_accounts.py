"""Who is calling, through boto3 against a real server: the account of a request is the owner of its access
key, resources stay apart by account, and a function's handler runs as a session of its execution role.
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import REGION, make_client, zip_code

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def client(endpoint, service, key, secret="test", token=None):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def zip_of(source: str) -> bytes:
    return zip_code(source)


def test_a_twelve_digit_key_names_the_account(endpoint, server):
    sts = client(endpoint, "sts", "111111111111")
    assert sts.get_caller_identity()["Account"] == "111111111111"
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::111111111111:root"
    assert make_client(endpoint, "sts").get_caller_identity()["Account"] == "000000000000"


def test_iam_user_and_session_keys_belong_to_their_account(endpoint, server):
    iam = client(endpoint, "iam", "222222222222")
    name = f"dev-{uuid.uuid4().hex[:6]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    as_user = client(endpoint, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    who = as_user.get_caller_identity()
    assert (who["Account"], who["Arn"]) == ("222222222222", f"arn:aws:iam::222222222222:user/{name}")
    # The user's key reaches the user's account's resources, not the default account's.
    ddb_admin = client(endpoint, "dynamodb", "222222222222")
    table = f"t-{uuid.uuid4().hex[:6]}"
    ddb_admin.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb_user = client(endpoint, "dynamodb", key["AccessKeyId"], key["SecretAccessKey"])
    assert table in ddb_user.list_tables()["TableNames"]
    assert table not in make_client(endpoint, "dynamodb").list_tables()["TableNames"]


def test_two_accounts_never_see_each_others_resources(endpoint, server):
    a, b = "333333333333", "444444444444"
    name = f"same-{uuid.uuid4().hex[:6]}"
    for account in (a, b):
        client(endpoint, "dynamodb", account).create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    ddb_a, ddb_b = client(endpoint, "dynamodb", a), client(endpoint, "dynamodb", b)
    ddb_a.put_item(TableName=name, Item={"pk": {"S": "only-in-a"}})
    assert ddb_b.scan(TableName=name)["Items"] == []
    assert ddb_a.describe_table(TableName=name)["Table"]["TableArn"].split(":")[4] == a
    streams_b = client(endpoint, "dynamodbstreams", b).list_streams(TableName=name)["Streams"]
    assert [s["StreamArn"].split(":")[4] for s in streams_b] == [b]
    other = f"solo-{uuid.uuid4().hex[:6]}"
    ddb_a.create_table(TableName=other, BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    with pytest.raises(ClientError) as exc:
        ddb_b.describe_table(TableName=other)
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"

    sqs_a, sqs_b = client(endpoint, "sqs", a), client(endpoint, "sqs", b)
    url = sqs_a.create_queue(QueueName=name)["QueueUrl"]
    assert a in url
    assert sqs_b.list_queues(QueueNamePrefix=name).get("QueueUrls", []) == []
    sns_a, sns_b = client(endpoint, "sns", a), client(endpoint, "sns", b)
    topic = sns_a.create_topic(Name=name)["TopicArn"]
    assert topic.split(":")[4] == a
    assert topic not in [t["TopicArn"] for t in sns_b.list_topics()["Topics"]]
    kms_a, kms_b = client(endpoint, "kms", a), client(endpoint, "kms", b)
    key_id = kms_a.create_key()["KeyMetadata"]["KeyId"]
    assert key_id not in [k["KeyId"] for k in kms_b.list_keys()["Keys"]]
    iam_a, iam_b = client(endpoint, "iam", a), client(endpoint, "iam", b)
    iam_a.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError) as exc:
        iam_b.get_role(RoleName=name)
    assert exc.value.response["Error"]["Code"] == "NoSuchEntity"
    lam_a, lam_b = client(endpoint, "lambda", a), client(endpoint, "lambda", b)
    lam_a.create_function(FunctionName=name, Runtime="python3.12", Role=f"arn:aws:iam::{a}:role/{name}",
                          Handler="handler.handler", Code={"ZipFile": zip_of("def handler(e, c):\n    return 1\n")})
    assert name not in [f["FunctionName"] for f in lam_b.list_functions()["Functions"]]
    with pytest.raises(ClientError) as exc:
        lam_b.get_function(FunctionName=name)
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


WHOAMI = """
    import os
    import boto3

    def handler(event, context):
        who = boto3.client("sts").get_caller_identity()
        return {"arn": who["Arn"], "account": who["Account"], "key": os.environ["AWS_ACCESS_KEY_ID"],
                "token": bool(os.environ.get("AWS_SESSION_TOKEN"))}
"""


def test_handler_runs_as_a_session_of_its_execution_role(endpoint, server):
    account = "555555555555"
    iam, lam = client(endpoint, "iam", account), client(endpoint, "lambda", account)
    role = f"exec-{uuid.uuid4().hex[:6]}"
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    name = f"whoami-{uuid.uuid4().hex[:6]}"
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role_arn, Handler="handler.handler",
                        Code={"ZipFile": zip_of(WHOAMI)})
    out = json.loads(lam.invoke(FunctionName=name)["Payload"].read())
    assert out["arn"] == f"arn:aws:sts::{account}:assumed-role/{role}/{name}"
    assert out["account"] == account
    assert out["key"].startswith("ASIA") and out["token"]


def test_a_made_up_role_from_another_account_keeps_the_handler_in_the_functions_account(endpoint, server):
    lam = make_client(endpoint, "lambda")
    name = f"whoami-{uuid.uuid4().hex[:6]}"
    lam.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::123456789012:role/from-the-docs",
                        Handler="handler.handler", Code={"ZipFile": zip_of(WHOAMI)})
    out = json.loads(lam.invoke(FunctionName=name)["Payload"].read())
    assert out["account"] == "000000000000"
    assert out["arn"] == f"arn:aws:sts::000000000000:assumed-role/from-the-docs/{name}"

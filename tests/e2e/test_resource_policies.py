"""Resource-based policies evaluated where AWS evaluates them (boto3 against real servers).

A request on another account's table or stream needs the owner's resource policy *and* the caller's own
identity policies; within one account (``--iam strict``) an Allow in either suffices; an explicit Deny in
either wins. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

import riverbed
from tests.e2e.accounts import OTHER, OWNER, client, document, error


def statement(principal, actions, resource="*", effect="Allow"):
    return {"Effect": effect, "Principal": {"AWS": principal}, "Action": actions, "Resource": resource}


def new_table(ddb, stream=False):
    name = f"rp-{uuid.uuid4().hex[:8]}"
    extra = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}} if stream else {}
    return ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **extra)["TableDescription"]


def test_another_account_needs_the_table_policy(endpoint, server):
    owner, other = client(endpoint, "dynamodb", OWNER), client(endpoint, "dynamodb", OTHER)
    table = new_table(owner)
    arn = table["TableArn"]
    owner.put_item(TableName=arn, Item={"pk": {"S": "a"}})
    with pytest.raises(ClientError) as exc:
        other.get_item(TableName=arn, Key={"pk": {"S": "a"}})
    assert error(exc) == ("AccessDeniedException",
                          f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: dynamodb:GetItem on "
                          f"resource: {arn} because no resource-based policy allows the dynamodb:GetItem action")
    owner.put_resource_policy(ResourceArn=arn, Policy=document(statement(OTHER, "dynamodb:GetItem", arn)))
    assert other.get_item(TableName=arn, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    with pytest.raises(ClientError) as exc:
        other.put_item(TableName=arn, Item={"pk": {"S": "b"}})
    assert error(exc)[0] == "AccessDeniedException" and "dynamodb:PutItem" in error(exc)[1]
    # The owner's own requests are untouched by the policy (enforce mode checks only other accounts).
    owner.put_item(TableName=table["TableName"], Item={"pk": {"S": "c"}})
    # An explicit Deny in the resource policy wins over its Allow.
    owner.put_resource_policy(ResourceArn=arn, Policy=document(
        statement(OTHER, "dynamodb:GetItem", arn),
        statement(f"arn:aws:iam::{OTHER}:root", "dynamodb:GetItem", arn, effect="Deny")))
    with pytest.raises(ClientError) as exc:
        other.get_item(TableName=arn, Key={"pk": {"S": "a"}})
    assert error(exc)[1].endswith("with an explicit deny in a resource-based policy")
    # Policies are managed by the owner only.
    with pytest.raises(ClientError) as exc:
        other.get_resource_policy(ResourceArn=arn)
    assert error(exc) == ("ValidationException", "This action is only supported by accounts that match the "
                                                 "resource owner\u2019s account.")


def test_a_user_of_the_other_account_also_needs_its_identity_policy(endpoint, server):
    owner = client(endpoint, "dynamodb", OWNER)
    iam = client(endpoint, "iam", OTHER)
    table = new_table(owner)
    arn = table["TableArn"]
    owner.put_resource_policy(ResourceArn=arn, Policy=document(statement(OTHER, ["dynamodb:PutItem"], arn)))
    user = f"dev-{uuid.uuid4().hex[:6]}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    as_user = client(endpoint, "dynamodb", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as exc:
        as_user.put_item(TableName=arn, Item={"pk": {"S": "u"}})
    assert error(exc)[1] == (f"User: arn:aws:iam::{OTHER}:user/{user} is not authorized to perform: dynamodb:PutItem "
                             f"on resource: {arn} because no identity-based policy allows the dynamodb:PutItem action")
    iam.put_user_policy(UserName=user, PolicyName="orders", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": arn}]}))
    as_user.put_item(TableName=arn, Item={"pk": {"S": "u"}})
    assert owner.get_item(TableName=table["TableName"], Key={"pk": {"S": "u"}})["Item"] == {"pk": {"S": "u"}}


def test_another_account_reads_a_stream_its_policy_allows(endpoint, server):
    owner = client(endpoint, "dynamodb", OWNER)
    table = new_table(owner, stream=True)
    stream = table["LatestStreamArn"]
    reader = client(endpoint, "dynamodbstreams", OTHER)
    with pytest.raises(ClientError) as exc:
        reader.describe_stream(StreamArn=stream)
    assert error(exc)[0] == "AccessDeniedException" and "no resource-based policy" in error(exc)[1]
    # The table's policy does not govern its stream: the stream has its own.
    owner.put_resource_policy(ResourceArn=table["TableArn"], Policy=document(
        statement(OTHER, "dynamodb:GetItem", table["TableArn"])))
    with pytest.raises(ClientError):
        reader.describe_stream(StreamArn=stream)
    owner.put_resource_policy(ResourceArn=stream, Policy=document(statement(
        OTHER, ["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"], stream)))
    shard = reader.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    owner.put_item(TableName=table["TableName"], Item={"pk": {"S": "s"}})
    iterator = reader.get_shard_iterator(StreamArn=stream, ShardId=shard,
                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = reader.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"] for r in records] == [{"pk": {"S": "s"}}]


@pytest.fixture(scope="module")
def strict():
    with riverbed.Riverbed(clock="system", iam="strict") as instance:
        yield instance


def test_strict_same_account_resource_policy_allows_and_denies(strict):
    endpoint = strict.endpoint_url
    root_ddb, iam = client(endpoint, "dynamodb", OWNER), client(endpoint, "iam", OWNER)
    table = new_table(root_ddb)
    arn = table["TableArn"]
    iam.create_user(UserName="dev")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    dev = client(endpoint, "dynamodb", key["AccessKeyId"], key["SecretAccessKey"])
    dev_arn = f"arn:aws:iam::{OWNER}:user/dev"
    with pytest.raises(ClientError) as exc:
        dev.put_item(TableName=table["TableName"], Item={"pk": {"S": "1"}})
    assert "because no identity-based policy allows the dynamodb:PutItem action" in error(exc)[1]
    # Within one account the table's policy alone is enough.
    root_ddb.put_resource_policy(ResourceArn=arn, Policy=document(
        statement(dev_arn, ["dynamodb:PutItem", "dynamodb:GetItem"], arn)))
    dev.put_item(TableName=table["TableName"], Item={"pk": {"S": "1"}})
    assert dev.get_item(TableName=arn, Key={"pk": {"S": "1"}})["Item"] == {"pk": {"S": "1"}}
    # An identity Allow does not survive a Deny in the table's policy, for the user and for the root alike.
    iam.put_user_policy(UserName="dev", PolicyName="all", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}))
    root_ddb.put_resource_policy(ResourceArn=arn, Policy=document(
        statement(OWNER, "dynamodb:DeleteItem", arn, effect="Deny")))
    with pytest.raises(ClientError) as exc:
        dev.delete_item(TableName=arn, Key={"pk": {"S": "1"}})
    assert error(exc) == ("AccessDeniedException",
                          f"User: {dev_arn} is not authorized to perform: dynamodb:DeleteItem on resource: {arn} "
                          "with an explicit deny in a resource-based policy")
    with pytest.raises(ClientError) as exc:
        root_ddb.delete_item(TableName=arn, Key={"pk": {"S": "1"}})
    assert error(exc)[0] == "AccessDeniedException"
    dev.get_item(TableName=arn, Key={"pk": {"S": "1"}})


def test_another_account_invokes_what_the_function_policy_allows(endpoint, server):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 'hi'\n")
    owner, other = client(endpoint, "lambda", OWNER), client(endpoint, "lambda", OTHER)
    name = f"fn-{uuid.uuid4().hex[:8]}"
    arn = owner.create_function(FunctionName=name, Runtime="python3.12", Role=f"arn:aws:iam::{OWNER}:role/any",
                                Handler="handler.handler", Code={"ZipFile": buffer.getvalue()})["FunctionArn"]
    with pytest.raises(ClientError) as exc:
        other.invoke(FunctionName=arn)
    assert error(exc) == ("AccessDeniedException",
                          f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: lambda:InvokeFunction "
                          f"on resource: {arn} because no resource-based policy allows the lambda:InvokeFunction "
                          "action")
    owner.add_permission(FunctionName=name, StatementId="other", Action="lambda:InvokeFunction",
                         Principal=OTHER)
    assert other.invoke(FunctionName=arn)["Payload"].read() == b'"hi"'


def test_another_account_uses_a_key_its_key_policy_allows(endpoint, server):
    owner, other = client(endpoint, "kms", OWNER), client(endpoint, "kms", OTHER)
    key = owner.create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(ClientError) as exc:
        other.encrypt(KeyId=key, Plaintext=b"x")
    assert error(exc)[0] == "AccessDeniedException" and "kms:Encrypt" in error(exc)[1]
    owner.put_key_policy(KeyId=key, PolicyName="default", Policy=document(
        statement(f"arn:aws:iam::{OWNER}:root", "kms:*"),
        statement(f"arn:aws:iam::{OTHER}:root", ["kms:Encrypt", "kms:Decrypt"])))
    blob = other.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    assert owner.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"

"""DynamoDB resource-based policies through boto3: Put/Get/DeleteResourcePolicy on tables and streams, the
revision-id rules, the document checks, and the policy going away with its table.

Texts as DynamoDB answers them (moto's aws_verified test_dynamodb_resource_policy.py; the ack-api-quirks
DynamoDB findings DDB-TABLE-211..214)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table

ACCOUNT = "000000000000"
NOT_FOUND = "Resource-based policy not found for the provided ResourceArn: "


def policy(action="dynamodb:GetItem", effect="Allow", principal=None, resource="*", **extra):
    statement = {"Effect": effect, "Principal": {"AWS": principal or f"arn:aws:iam::{ACCOUNT}:root"},
                 "Action": action, "Resource": resource, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def error(exc):
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


@pytest.fixture
def table(ddb, table_name):
    return create_table(ddb, table_name, stream="NEW_IMAGE")


def test_put_get_delete_round_trip(ddb, table):
    arn = table["TableArn"]
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=arn)
    assert error(exc) == ("PolicyNotFoundException", NOT_FOUND + arn)
    revision = ddb.put_resource_policy(ResourceArn=arn, Policy=policy())["RevisionId"]
    got = ddb.get_resource_policy(ResourceArn=arn)
    assert got["RevisionId"] == revision
    # Read back minified, one-element lists as strings.
    assert json.loads(got["Policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "dynamodb:GetItem",
         "Resource": "*"}]}
    assert " " not in got["Policy"]
    # The same document again is a no-op with the same revision; another one gets a later revision.
    assert ddb.put_resource_policy(ResourceArn=arn, Policy=policy())["RevisionId"] == revision
    newer = ddb.put_resource_policy(ResourceArn=arn, Policy=policy("dynamodb:PutItem"))["RevisionId"]
    assert int(newer) > int(revision)
    # DescribeTable does not show the policy (TableDescription has no member for it).
    assert "Policy" not in json.dumps(ddb.describe_table(TableName=table["TableName"])["Table"], default=str)
    assert ddb.delete_resource_policy(ResourceArn=arn)["RevisionId"] == newer
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=arn)
    assert error(exc)[0] == "PolicyNotFoundException"
    # Deleting again: an idempotent empty answer.
    assert "RevisionId" not in ddb.delete_resource_policy(ResourceArn=arn)


def test_expected_revision_rules(ddb, table):
    arn, name = table["TableArn"], table["TableName"]
    first = ddb.put_resource_policy(ResourceArn=arn, Policy=policy(), ExpectedRevisionId="NO_POLICY")["RevisionId"]
    with pytest.raises(ClientError) as exc:
        ddb.put_resource_policy(ResourceArn=arn, Policy=policy("dynamodb:Query"), ExpectedRevisionId="NO_POLICY")
    assert error(exc) == ("PolicyNotFoundException",
                          f"{NOT_FOUND}Requested policy update expecting none to be present for table {name}, but a "
                          f"policy exists with revision id {first}.")
    second = ddb.put_resource_policy(ResourceArn=arn, Policy=policy("dynamodb:Query"),
                                     ExpectedRevisionId=first)["RevisionId"]
    stale = (f"{NOT_FOUND}Requested update for policy with revision id {first}, but the policy associated to "
             f"target table {name} has revision id {second}.")
    with pytest.raises(ClientError) as exc:
        ddb.put_resource_policy(ResourceArn=arn, Policy=policy("dynamodb:Scan"), ExpectedRevisionId=first)
    assert error(exc) == ("PolicyNotFoundException", stale)
    with pytest.raises(ClientError) as exc:
        ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=first)
    assert error(exc) == ("PolicyNotFoundException", stale)
    assert ddb.get_resource_policy(ResourceArn=arn)["RevisionId"] == second
    ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=second)
    with pytest.raises(ClientError) as exc:
        ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=second)
    assert error(exc) == ("PolicyNotFoundException", NOT_FOUND + arn)


def test_the_stream_has_its_own_policy(ddb, table):
    table_arn, stream_arn = table["TableArn"], table["LatestStreamArn"]
    revision = ddb.put_resource_policy(ResourceArn=stream_arn, Policy=policy(
        ["dynamodb:DescribeStream", "dynamodb:GetRecords"], resource=stream_arn))["RevisionId"]
    assert ddb.get_resource_policy(ResourceArn=stream_arn)["RevisionId"] == revision
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=table_arn)
    assert error(exc) == ("PolicyNotFoundException", NOT_FOUND + table_arn)
    bogus = table_arn + "/stream/2000-01-01T00:00:00.000"
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=bogus)
    assert error(exc) == ("ResourceNotFoundException", "Requested resource not found: Stream: 2000-01-01T00:00:00.000 "
                                                       f"not found for Table: {table['TableName']}")


def test_resource_arn_forms_are_refused_as_dynamodb_does(ddb, table):
    arn, name = table["TableArn"], table["TableName"]
    cases = {
        name: "One or more parameter values were invalid: ARNs must start with 'arn:': " + name,
        arn.replace(ACCOUNT, "111111111111"): "This action is only supported by accounts that match the resource "
                                              "owner\u2019s account.",
        arn.replace("us-east-1", "eu-west-1"): "One or more parameter values were invalid: Invalid resource Arn: "
                                               + arn.replace("us-east-1", "eu-west-1"),
        arn + "/index/by-x": "One or more parameter values were invalid: Invalid resource arn provided, only table or "
                             f"stream is accepted. Provided resource arn: {arn}/index/by-x",
        arn + "/backup/01": "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: "
                            f"{arn}/backup/01",
    }
    for resource, message in cases.items():
        with pytest.raises(ClientError) as exc:
            ddb.get_resource_policy(ResourceArn=resource)
        assert error(exc) == ("ValidationException", message), resource
    with pytest.raises(ClientError) as exc:
        ddb.put_resource_policy(ResourceArn=arn + "_", Policy=policy())
    assert error(exc) == ("ResourceNotFoundException", f"Requested resource not found: Table: {name}_ not found")


def test_documents_are_checked(ddb, table):
    arn = table["TableArn"]
    invalid = "One or more parameter values were invalid: "
    cases = [
        ("{not json", invalid + "Invalid policy document: This policy contains invalid Json"),
        (json.dumps({"Version": "2012-10-17", "Statement": []}),
         invalid + "Invalid policy document: Could not parse the policy: Statement is empty!"),
        (json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "dynamodb:GetItem"}]}),
         invalid + "Invalid policy document: Missing required field Resource"),
        (policy(principal="*"), "Resource-based policy grants unbounded access in one or more elements. Please "
                                "revise the policy to ensure least-privilege form of access"),
        (policy() + " " * 20480, invalid + "Maximum policy size of 20480 bytes exceeded"),
    ]
    for document, message in cases:
        with pytest.raises(ClientError) as exc:
            ddb.put_resource_policy(ResourceArn=arn, Policy=document)
        assert error(exc) == ("ValidationException", message)
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=arn)
    assert error(exc)[0] == "PolicyNotFoundException"


def test_a_deny_on_changing_the_policy_needs_confirmation(ddb, table):
    arn = table["TableArn"]
    lockout = policy("dynamodb:PutResourcePolicy", effect="Deny")
    with pytest.raises(ClientError) as exc:
        ddb.put_resource_policy(ResourceArn=arn, Policy=lockout)
    assert error(exc)[0] == "ValidationException" and "ConfirmRemoveSelfResourceAccess" in error(exc)[1]
    ddb.put_resource_policy(ResourceArn=arn, Policy=lockout, ConfirmRemoveSelfResourceAccess=True)


def test_a_policy_given_at_creation_and_deleted_with_the_table(ddb, table_name):
    table = create_table(ddb, table_name, ResourcePolicy=policy())
    arn = table["TableArn"]
    assert json.loads(ddb.get_resource_policy(ResourceArn=arn)["Policy"])["Statement"][0]["Action"] == \
        "dynamodb:GetItem"
    ddb.delete_table(TableName=table_name)
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=arn)
    assert error(exc) == ("ResourceNotFoundException", f"Requested resource not found: Table: {table_name} not found")
    create_table(ddb, table_name)
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=arn)
    assert error(exc)[0] == "PolicyNotFoundException"

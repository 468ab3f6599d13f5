"""AddPermission / RemovePermission and dead-letter queue redrive (message move tasks), as a user sees them.

Permission shapes and texts: AWS's recorded ``test_sqs_permission_lifecycle`` (copied into
tests/data/aws-recorded/sqs_permissions.snapshot.json); move-task texts: AWS's answers as recorded by
LocalStack's ``test_sqs_move_task`` snapshot (written into the asserts below).
"""

from __future__ import annotations

import json
import pathlib
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.e2e.accounts import OTHER, OWNER, client

RECORDED = json.loads((pathlib.Path(__file__).parents[1] / "data" / "aws-recorded" /
                       "sqs_permissions.snapshot.json").read_text())
LIFECYCLE = next(iter(RECORDED.values()))["recorded-content"]


def new_queue(sqs, **attributes):
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}", Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def policy_of(sqs, url):
    text = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {}).get("Policy")
    return json.loads(text) if text else None


def error(exc):
    response = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


# --- permissions ---------------------------------------------------------------------------------------

def test_add_permission_writes_the_statement_aws_writes(endpoint, server):
    sqs = client(endpoint, "sqs", OWNER)
    url, arn = new_queue(sqs)
    sqs.add_permission(QueueUrl=url, Label="crossaccountpermission", AWSAccountIds=["668614515564", OWNER],
                       Actions=["ReceiveMessage"])
    recorded = LIFECYCLE["get-queue-policy-attribute"]["Attributes"]["Policy"]
    expected = json.loads(json.dumps(recorded).replace("arn:<partition>:sqs:<region>:111111111111:<resource:2>", arn)
                          .replace("<resource:1>", "SQSDefaultPolicy").replace("<partition>", "aws")
                          .replace("<resource:3>", "root"))
    assert policy_of(sqs, url) == expected
    assert expected["Version"] == "2008-10-17" and expected["Id"] == f"{arn}/SQSDefaultPolicy"
    sqs.remove_permission(QueueUrl=url, Label="crossaccountpermission")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])   # recorded


def test_permission_lifecycle_and_recorded_errors(endpoint, server):
    sqs = client(endpoint, "sqs", OWNER)
    url, _ = new_queue(sqs)
    sqs.add_permission(QueueUrl=url, Label="crossaccountpermission", AWSAccountIds=[OWNER],
                       Actions=["ReceiveMessage"])
    with pytest.raises(ClientError) as exc:
        sqs.add_permission(QueueUrl=url, Label="crossaccountpermission", AWSAccountIds=[OTHER],
                           Actions=["ReceiveMessage"])
    recorded = LIFECYCLE["get-queue-policy-attribute-second-account-same-label"]
    assert error(exc) == (recorded["ResponseMetadata"]["HTTPStatusCode"], recorded["Error"]["Code"],
                          recorded["Error"]["Message"])
    assert exc.value.response["Error"]["QueryErrorCode"] == recorded["Error"]["QueryErrorCode"]
    sqs.add_permission(QueueUrl=url, Label="crossaccountpermission2", AWSAccountIds=[OWNER],
                       Actions=["ReceiveMessage"])
    assert [s["Sid"] for s in policy_of(sqs, url)["Statement"]] == ["crossaccountpermission",
                                                                    "crossaccountpermission2"]
    sqs.remove_permission(QueueUrl=url, Label="crossaccountpermission")
    assert [s["Sid"] for s in policy_of(sqs, url)["Statement"]] == ["crossaccountpermission2"]
    sqs.remove_permission(QueueUrl=url, Label="crossaccountpermission2")
    assert policy_of(sqs, url) is None
    with pytest.raises(ClientError) as exc:
        sqs.remove_permission(QueueUrl=url, Label="crossaccountpermission2")
    recorded = LIFECYCLE["get-queue-policy-attribute-delete-non-existent-label"]
    assert error(exc) == (400, "InvalidParameterValue", recorded["Error"]["Message"])


def test_add_permission_checks_actions(endpoint, server):
    sqs = client(endpoint, "sqs", OWNER)
    url, _ = new_queue(sqs)
    with pytest.raises(ClientError) as exc:
        sqs.add_permission(QueueUrl=url, Label="l", AWSAccountIds=[OTHER], Actions=["DeleteQueue"])
    assert error(exc) == (400, "InvalidParameterValue", "Value SQS:DeleteQueue for parameter ActionName is "
                          "invalid. Reason: Only the queue owner is allowed to invoke this action.")
    with pytest.raises(ClientError) as exc:
        sqs.add_permission(QueueUrl=url, Label="l", AWSAccountIds=[OTHER], Actions=["Fly"])
    assert error(exc)[2] == ("Value SQS:Fly for parameter ActionName is invalid. Reason: Please refer to the "
                             "appropriate WSDL for a list of valid actions.")
    with pytest.raises(ClientError) as exc:
        sqs.add_permission(QueueUrl=url, Label="bad label", AWSAccountIds=[OTHER], Actions=["*"])
    assert error(exc)[1] == "InvalidParameterValue"
    sqs.add_permission(QueueUrl=url, Label="all", AWSAccountIds=[OTHER], Actions=["*", "SendMessage"])
    [statement] = policy_of(sqs, url)["Statement"]
    assert statement["Action"] == ["SQS:*", "SQS:SendMessage"]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:root"}


def test_another_account_sends_once_permitted(endpoint, server):
    owner, other = client(endpoint, "sqs", OWNER), client(endpoint, "sqs", OTHER)
    url, _ = new_queue(owner)
    with pytest.raises(ClientError):
        other.send_message(QueueUrl=url, MessageBody="before")
    owner.add_permission(QueueUrl=url, Label="other-sends", AWSAccountIds=[OTHER], Actions=["SendMessage"])
    other.send_message(QueueUrl=url, MessageBody="hi")
    with pytest.raises(ClientError):
        other.receive_message(QueueUrl=url)      # only sending was granted
    assert [m["Body"] for m in owner.receive_message(QueueUrl=url)["Messages"]] == ["hi"]
    owner.remove_permission(QueueUrl=url, Label="other-sends")
    with pytest.raises(ClientError):
        other.send_message(QueueUrl=url, MessageBody="after")


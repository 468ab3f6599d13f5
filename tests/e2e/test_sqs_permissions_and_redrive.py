"""AddPermission / RemovePermission and dead-letter queue redrive (message move tasks), as a user sees them.

Permission shapes and texts: AWS's recorded ``test_sqs_permission_lifecycle`` (copied into
tests/data/aws-recorded/sqs_permissions.snapshot.json); move-task texts: AWS's answers as recorded by
LocalStack's ``test_sqs_move_task`` snapshot (written into the asserts below).
"""

from __future__ import annotations

import base64
import json
import pathlib
import time
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


# --- dead-letter queue redrive -----------------------------------------------------------------------------

def dead_letter(sqs, url, bodies, **extra):
    """Send ``bodies`` to ``url`` and receive each twice: with maxReceiveCount 1 the second receive moves it
    to the dead-letter queue."""
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body, **extra)
    for _ in range(2):
        while sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            pass


def with_dlq(sqs):
    dlq_url, dlq_arn = new_queue(sqs)
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})
    return dlq_url, dlq_arn, redrive


def count(sqs, url):
    return int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
               ["Attributes"]["ApproximateNumberOfMessages"])


def received(sqs, url):
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                               AttributeNames=["All"]).get("Messages", [])


def tasks(sqs, arn, **extra):
    return sqs.list_message_move_tasks(SourceArn=arn, **extra)["Results"]


def test_redrive_moves_each_message_back_to_its_source(manual_riverbed):
    sqs = manual_riverbed.client("sqs")
    dlq_url, dlq_arn, redrive = with_dlq(sqs)
    a_url, a_arn = new_queue(sqs, RedrivePolicy=redrive, VisibilityTimeout="0")
    b_url, _ = new_queue(sqs, RedrivePolicy=redrive, VisibilityTimeout="0")
    dead_letter(sqs, a_url, ["a1"], MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    dead_letter(sqs, b_url, ["b1", "b2"])
    [dead] = [m for m in received(sqs, dlq_url) if m["Body"] == "a1"]
    assert dead["Attributes"]["DeadLetterQueueSourceArn"] == a_arn
    manual_riverbed.clock.advance(1)      # the DLQ's visibility timeout (30 s default) has not ended ...
    manual_riverbed.clock.advance(30)     # ... now it has
    assert count(sqs, dlq_url) == 3
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    manual_riverbed.drain()
    assert count(sqs, dlq_url) == 0
    [moved] = received(sqs, a_url)
    assert moved["Body"] == "a1" and moved["MessageAttributes"]["k"]["StringValue"] == "v"
    assert moved["MessageId"] != dead["MessageId"]          # redriven messages are new messages
    assert moved["Attributes"]["ApproximateReceiveCount"] == "1"
    assert "DeadLetterQueueSourceArn" not in moved["Attributes"]
    assert sorted(m["Body"] for m in received(sqs, b_url)) == ["b1", "b2"]
    [task] = tasks(sqs, dlq_arn)
    assert task == {"Status": "COMPLETED", "SourceArn": dlq_arn, "ApproximateNumberOfMessagesMoved": 3,
                    "ApproximateNumberOfMessagesToMove": 3, "StartedTimestamp": task["StartedTimestamp"]}
    assert abs(task["StartedTimestamp"] / 1000 - manual_riverbed.clock.now()) < 5
    with pytest.raises(ClientError) as exc:     # finished: nothing to cancel
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert error(exc) == (404, "ResourceNotFoundException", "Task does not exist.")


def test_redrive_to_an_explicit_destination(manual_riverbed):
    sqs = manual_riverbed.client("sqs")
    dlq_url, dlq_arn, redrive = with_dlq(sqs)
    src_url, _ = new_queue(sqs, RedrivePolicy=redrive, VisibilityTimeout="0")
    elsewhere_url, elsewhere_arn = new_queue(sqs)
    dead_letter(sqs, src_url, ["x", "y"])
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=elsewhere_arn)
    manual_riverbed.drain()
    assert sorted(m["Body"] for m in received(sqs, elsewhere_url)) == ["x", "y"]
    assert received(sqs, src_url) == [] and count(sqs, dlq_url) == 0
    [task] = tasks(sqs, dlq_arn)
    assert (task["Status"], task["DestinationArn"], task["ApproximateNumberOfMessagesMoved"]) == (
        "COMPLETED", elsewhere_arn, 2)


def wait_for_moved(sqs, arn, expected):
    deadline = time.monotonic() + 10
    while (moved := tasks(sqs, arn)[0]["ApproximateNumberOfMessagesMoved"]) < expected and \
            time.monotonic() < deadline:
        time.sleep(0.01)
    return moved


def test_rate_limit_cancel_and_one_task_per_source(manual_riverbed):
    sqs = manual_riverbed.client("sqs")
    dlq_url, dlq_arn, redrive = with_dlq(sqs)
    src_url, _ = new_queue(sqs, RedrivePolicy=redrive, VisibilityTimeout="0")
    dead_letter(sqs, src_url, [f"m{i}" for i in range(10)])
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=5)["TaskHandle"]
    [task] = tasks(sqs, dlq_arn)
    assert (task["Status"], task["TaskHandle"], task["MaxNumberOfMessagesPerSecond"],
            task["ApproximateNumberOfMessagesToMove"]) == ("RUNNING", handle, 5, 10)
    with pytest.raises(ClientError) as exc:
        sqs.start_message_move_task(SourceArn=dlq_arn)
    assert error(exc) == (400, "InvalidParameterValue", "There is already a task running. Only one active task is "
                                                        "allowed for a source queue arn at a given time.")
    manual_riverbed.clock.advance(1)
    assert wait_for_moved(sqs, dlq_arn, 5) == 5
    time.sleep(0.05)                      # no clock time passed: no more moves
    assert tasks(sqs, dlq_arn)[0]["ApproximateNumberOfMessagesMoved"] == 5
    assert len(received(sqs, src_url)) == 5
    assert sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"] == 5
    [task] = tasks(sqs, dlq_arn)
    assert task["Status"] == "CANCELLED" and "TaskHandle" not in task
    manual_riverbed.clock.advance(5)
    assert count(sqs, dlq_url) == 5       # cancelled: the rest stays
    second = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]     # the source is free again
    manual_riverbed.drain()
    assert [t["Status"] for t in tasks(sqs, dlq_arn, MaxResults=10)] == ["COMPLETED", "CANCELLED"]
    assert second != handle and count(sqs, dlq_url) == 0


def test_move_task_errors(manual_riverbed):
    sqs = manual_riverbed.client("sqs")
    _, dlq_arn, redrive = with_dlq(sqs)
    new_queue(sqs, RedrivePolicy=redrive)
    plain_url, plain_arn = new_queue(sqs)
    with pytest.raises(ClientError) as exc:
        sqs.start_message_move_task(SourceArn=plain_arn)
    assert error(exc) == (400, "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
    with pytest.raises(ClientError) as exc:
        sqs.start_message_move_task(SourceArn=plain_arn + "-gone")
    assert error(exc) == (404, "ResourceNotFoundException",
                          "The resource that you specified for the SourceArn parameter doesn't exist.")
    with pytest.raises(ClientError) as exc:
        sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=plain_arn + "-gone")
    assert error(exc) == (404, "ResourceNotFoundException",
                          "The resource that you specified for the DestinationArn parameter doesn't exist.")
    with pytest.raises(ClientError) as exc:
        sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=501)
    assert error(exc)[:2] == (400, "InvalidParameterValue")
    with pytest.raises(ClientError) as exc:
        sqs.cancel_message_move_task(TaskHandle="not-a-handle")
    assert error(exc) == (400, "InvalidParameterValue", "Value for parameter TaskHandle is invalid.")
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    manual_riverbed.drain()
    forged = base64.b64encode(json.dumps({"taskId": "x", "sourceArn": plain_arn + "-gone"}).encode()).decode()
    with pytest.raises(ClientError) as exc:
        sqs.cancel_message_move_task(TaskHandle=forged)
    assert error(exc) == (404, "ResourceNotFoundException",
                          "The resource that you specified for the SourceArn parameter doesn't exist.")
    assert json.loads(base64.b64decode(handle))["sourceArn"] == dlq_arn
    assert tasks(sqs, plain_arn) == []
    with pytest.raises(ClientError) as exc:
        tasks(sqs, dlq_arn, MaxResults=11)
    assert error(exc)[:2] == (400, "InvalidParameterValue")
    sqs.delete_queue(QueueUrl=plain_url)


def test_a_running_task_continues_after_a_restart(tmp_path):
    import riverbed

    start = time.time()
    with riverbed.Riverbed(data_dir=str(tmp_path), start=start) as rb:
        sqs = rb.client("sqs")
        dlq_url, dlq_arn, redrive = with_dlq(sqs)
        src_url, _ = new_queue(sqs, RedrivePolicy=redrive, VisibilityTimeout="0")
        dead_letter(sqs, src_url, ["r1", "r2", "r3"])
        sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)
        rb.clock.advance(1)
        assert wait_for_moved(sqs, dlq_arn, 1) == 1
    with riverbed.Riverbed(data_dir=str(tmp_path), start=start + 1) as rb:
        sqs = rb.client("sqs")
        assert tasks(sqs, dlq_arn)[0]["Status"] == "RUNNING"
        rb.drain()
        [task] = tasks(sqs, dlq_arn)
        assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 3)
        assert sorted(m["Body"] for m in received(sqs, src_url)) == ["r1", "r2", "r3"]
        assert count(sqs, dlq_url) == 0

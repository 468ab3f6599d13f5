"""SQS queue policies and SNS topic policies, evaluated where AWS evaluates them (boto3 against real servers).

Another account's SendMessage / Publish needs the queue's / topic's policy; SNS delivers to a queue only when
the queue's policy allows the topic (under the default ``enforce`` a same-account queue without any policy
still receives, see docs/permissions.md); a mapping's OnFailure queue in another account needs its policy to
allow the execution role.
"""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

import riverbed
from tests.conftest import REGION
from tests.e2e.accounts import OTHER, OWNER, client, error
from tests.e2e.accounts import document as policy


def new_queue(sqs, **attributes):
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}", Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def bodies(sqs, url):
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    return [json.loads(m["Body"])["Message"] for m in messages]


def test_another_account_sends_only_when_the_queue_policy_allows(endpoint, server):
    owner, other = client(endpoint, "sqs", OWNER), client(endpoint, "sqs", OTHER)
    url, arn = new_queue(owner)
    with pytest.raises(ClientError) as exc:
        other.send_message(QueueUrl=url, MessageBody="hi")
    assert exc.value.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: sqs:SendMessage on resource: {arn} "
        "because no resource-based policy allows the sqs:SendMessage action")
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "sqs:SendMessage",
         "Resource": arn})})
    other.send_message(QueueUrl=url, MessageBody="hi")
    with pytest.raises(ClientError):
        other.receive_message(QueueUrl=url)      # the policy grants sending only
    assert [m["Body"] for m in owner.receive_message(QueueUrl=url)["Messages"]] == ["hi"]


def test_another_account_publishes_only_when_the_topic_policy_allows(endpoint, server):
    owner, other = client(endpoint, "sns", OWNER), client(endpoint, "sns", OTHER)
    topic = owner.create_topic(Name=f"t-{uuid.uuid4().hex[:8]}")["TopicArn"]
    with pytest.raises(ClientError) as exc:
        other.publish(TopicArn=topic, Message="hi")
    assert error(exc) == ("AuthorizationError",
                          f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: sns:Publish on resource: "
                          f"{topic} because no resource-based policy allows the sns:Publish action")
    owner.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy(
        {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sns:Publish", "Resource": topic}))
    assert other.publish(TopicArn=topic, Message="hi")["MessageId"]


def test_sns_delivers_to_a_queue_as_its_policy_says(endpoint, server):
    sns, sqs = client(endpoint, "sns", OWNER), client(endpoint, "sqs", OWNER)
    topic = sns.create_topic(Name=f"t-{uuid.uuid4().hex[:8]}")["TopicArn"]
    open_url, open_arn = new_queue(sqs)                        # no policy: delivered under enforce
    other_topic = f"arn:aws:sns:{REGION}:{OWNER}:somewhere-else"
    closed_url, closed_arn = new_queue(sqs, Policy=policy(     # a policy for another topic only
        {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
         "Resource": "*", "Condition": {"ArnEquals": {"aws:SourceArn": other_topic}}}))
    allowed_url, allowed_arn = new_queue(sqs, Policy=policy(
        {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
         "Resource": "*", "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}))
    for arn in (open_arn, closed_arn, allowed_arn):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="vote")
    assert bodies(sqs, open_url) == ["vote"]
    assert bodies(sqs, closed_url) == []
    assert bodies(sqs, allowed_url) == ["vote"]


def test_a_topic_of_another_account_needs_the_queue_policy_even_under_enforce(endpoint, server):
    sns, sqs = client(endpoint, "sns", OTHER), client(endpoint, "sqs", OWNER)
    topic = sns.create_topic(Name=f"t-{uuid.uuid4().hex[:8]}")["TopicArn"]
    url, arn = new_queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="one")
    assert bodies(sqs, url) == []
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
         "Resource": arn, "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{OTHER}:*"}}})})
    sns.publish(TopicArn=topic, Message="two")
    assert bodies(sqs, url) == ["two"]


def test_strict_needs_a_queue_policy_for_sns(endpoint):
    with riverbed.Riverbed(clock="system", iam="strict") as rb:
        sns, sqs = client(rb.endpoint_url, "sns", OWNER), client(rb.endpoint_url, "sqs", OWNER)
        topic = sns.create_topic(Name="votes")["TopicArn"]
        url, arn = new_queue(sqs)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        sns.publish(TopicArn=topic, Message="lost")
        assert bodies(sqs, url) == []
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
            {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
             "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic}}})})
        sns.publish(TopicArn=topic, Message="kept")
        assert bodies(sqs, url) == ["kept"]


TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def test_an_on_failure_queue_of_another_account_needs_its_policy(system_riverbed):
    rb = system_riverbed
    ddb, iam = client(rb.endpoint_url, "dynamodb", OWNER), client(rb.endpoint_url, "iam", OWNER)
    lam, other_sqs = client(rb.endpoint_url, "lambda", OWNER), client(rb.endpoint_url, "sqs", OTHER)
    table = ddb.create_table(TableName="votes", BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    role = iam.create_role(RoleName="counter", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.attach_role_policy(RoleName="counter",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole")
    iam.put_role_policy(RoleName="counter", PolicyName="dlq", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}))
    rb.register_function("count", lambda event, context: None, role=role, account=OWNER)
    url, dlq = new_queue(other_sqs)
    request = dict(FunctionName="count", EventSourceArn=table["TableDescription"]["LatestStreamArn"],
                   StartingPosition="LATEST", DestinationConfig={"OnFailure": {"Destination": dlq}})
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(**request)
    assert error(exc)[0] == "InvalidParameterValueException"
    other_sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "sqs:SendMessage", "Resource": dlq})})
    assert lam.create_event_source_mapping(**request)["UUID"]

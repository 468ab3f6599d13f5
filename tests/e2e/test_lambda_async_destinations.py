"""Asynchronous invocation settings and what they do, through boto3: the EventInvokeConfig API with AWS's
shapes and texts (replayed from ``tests/data/aws-recorded/lambda_event_invoke_config.snapshot.json``), then
Event invocations on a manual clock: retries, event age, OnSuccess / OnFailure destinations (SQS, SNS,
another function, S3) and the dead-letter queue with its attributes.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import riverbed
from tests.conftest import REGION, make_client, zip_code

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ACCOUNT = "000000000000"
RECORDED = json.loads((Path(__file__).parent.parent / "data" / "aws-recorded" /
                       "lambda_event_invoke_config.snapshot.json").read_text())
SCENARIO = "tests/aws/services/lambda_/test_lambda_api.py::{}"
EXCEPTIONS = "TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_exceptions"
LIFECYCLE = "TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_lifecycle"


def zip_of() -> bytes:
    return zip_code("def handler(event, context):\n    return event\n")


@pytest.fixture(scope="module")
def lam(endpoint):
    return make_client(endpoint, "lambda")


def create(lam, name: str) -> None:
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                        Code={"ZipFile": zip_of()})


def arn(name: str, qualifier: str | None = None) -> str:
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


def recorded(scenario: str, key: str, name: str, **more: str) -> dict:
    text = json.dumps(RECORDED[SCENARIO.format(scenario)]["recorded-content"][key])
    text = (text.replace("<partition>", "aws").replace("<region>", REGION).replace("111111111111", ACCOUNT)
            .replace("<function-name:1>", name))
    for placeholder, value in more.items():
        text = text.replace(f"<{placeholder}>", value)
    return json.loads(text)


def error_of(excinfo) -> dict:
    response = excinfo.value.response
    return {"Code": response["Error"]["Code"], "Message": response["Error"]["Message"],
            "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def recorded_error(scenario: str, key: str, name: str, **more: str) -> dict:
    answer = recorded(scenario, key, name, **more)
    return {"Code": answer["Error"]["Code"], "Message": answer["Error"]["Message"],
            "Status": answer["ResponseMetadata"]["HTTPStatusCode"]}


def shape(answer: dict) -> dict:
    """The answer without metadata, LastModified checked to be a recent time and then set aside."""
    out = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    modified = out.pop("LastModified", None)
    if modified is not None:
        assert abs(modified.timestamp() - time.time()) < 3600
        out["LastModified"] = "datetime"
    for entry in out.get("FunctionEventInvokeConfigs", []):
        assert entry.pop("LastModified").timestamp() > 0
        entry["LastModified"] = "datetime"
    return out


def expected(scenario: str, key: str, name: str, **more: str) -> dict:
    answer = recorded(scenario, key, name, **more)
    answer.pop("ResponseMetadata", None)
    return answer


# --- the API, against AWS's recorded answers ------------------------------------------------------------

def test_event_invoke_config_exceptions_as_recorded(lam):
    name = f"eic-{uuid.uuid4().hex[:8]}"
    other = f"eic-other-{uuid.uuid4().hex[:8]}"
    create(lam, name)
    create(lam, other)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="eventinvokealias", FunctionVersion="1")
    fake = arn("doesnotexist")

    def refused(key: str, **kwargs) -> None:
        with pytest.raises(ClientError) as excinfo:
            lam.put_function_event_invoke_config(**kwargs)
        assert error_of(excinfo) == recorded_error(EXCEPTIONS, key, name)

    refused("put_functionname_name_notfound", FunctionName="doesnotexist", MaximumRetryAttempts=1)
    refused("put_functionname_arn_notfound", FunctionName=fake, MaximumRetryAttempts=1)
    refused("put_functionname_nootherargs", FunctionName="doesnotexist")
    refused("put_destination_lambda_doesntexist", FunctionName=name,
            DestinationConfig={"OnSuccess": {"Destination": fake}})
    refused("put_destination_recursive", FunctionName=name,
            DestinationConfig={"OnSuccess": {"Destination": arn(name)}})
    answer = lam.put_function_event_invoke_config(FunctionName=name,
                                                  DestinationConfig={"OnSuccess": {"Destination": arn(other)}})
    assert shape(answer) == expected(EXCEPTIONS, "put_destination_other_lambda", name, **{"resource:5": other})
    iam_arn = arn(name).replace(":lambda:", ":iam:")
    refused("put_destination_invalid_service_arn", FunctionName=name,
            DestinationConfig={"OnSuccess": {"Destination": iam_arn}})
    for key, config in (("put_destination_success_no_destination_arn", {"OnSuccess": {}}),
                        ("put_destination_failure_no_destination_arn", {"OnFailure": {}})):
        answer = lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig=config)
        assert shape(answer) == expected(EXCEPTIONS, key, name)
    with pytest.raises(ClientError) as excinfo:
        lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": arn(name).replace(":lambda:",
                                                                                               ":_-/!lambda:")}})
    assert error_of(excinfo)["Code"] == "ValidationException"

    for key, kwargs in (("put_destination_latest", {"FunctionName": name}),
                        ("put_destination_latest_explicit_qualifier", {"FunctionName": name, "Qualifier": "$LATEST"}),
                        ("put_destination_version", {"FunctionName": name, "Qualifier": "1"}),
                        ("put_alias_functionname_qualifier", {"FunctionName": name, "Qualifier": "eventinvokealias"}),
                        ("put_alias_qualifiedarn", {"FunctionName": arn(name, "eventinvokealias")}),
                        ("put_alias_shorthand", {"FunctionName": f"{name}:eventinvokealias"}),
                        ("put_version_shorthand", {"FunctionName": f"{name}:1"}),
                        ("put_shorthand_qualifier_match", {"FunctionName": f"{name}:$LATEST", "Qualifier": "$LATEST"})):
        answer = lam.put_function_event_invoke_config(MaximumRetryAttempts=1, **kwargs)
        assert shape(answer) == expected(EXCEPTIONS, key, name), key
    refused("put_alias_doesnotexist", FunctionName=name, Qualifier="eventinvokealiasdoesnotexist",
            MaximumRetryAttempts=1)
    refused("put_alias_qualifiedarn_qualifierconflict", FunctionName=arn(name, "eventinvokealias"),
            Qualifier="eventinvokealiasdoesnotexist", MaximumRetryAttempts=1)
    refused("put_shorthand_qualifier_mismatch_1", FunctionName=f"{name}:1", Qualifier="$LATEST",
            MaximumRetryAttempts=1)

    # Put replaces, Update merges.
    answer = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=2,
                                                  MaximumEventAgeInSeconds=60)
    assert shape(answer) == expected(EXCEPTIONS, "put_pre_overwrite", name)
    answer = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert shape(answer) == expected(EXCEPTIONS, "put_post_overwrite", name)
    assert shape(lam.get_function_event_invoke_config(FunctionName=name)) == expected(
        EXCEPTIONS, "get_post_overwrite", name)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60)
    answer = lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert shape(answer) == expected(EXCEPTIONS, "update_response", name)

    listed = lam.list_function_event_invoke_configs(FunctionName=name)
    assert shape(listed) == expected(EXCEPTIONS, "list_configs", name)
    first = lam.list_function_event_invoke_configs(FunctionName=name, MaxItems=2)
    assert len(first["FunctionEventInvokeConfigs"]) == 2 and first["NextMarker"]
    rest = lam.list_function_event_invoke_configs(FunctionName=name, Marker=first["NextMarker"])
    assert [c["FunctionArn"] for c in rest["FunctionEventInvokeConfigs"]] == [arn(name, "eventinvokealias")]

    for qualifier in ("$LATEST", "1", "eventinvokealias"):
        answer = lam.delete_function_event_invoke_config(FunctionName=name, Qualifier=qualifier)
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"] == []

    def missing(call, key: str, **kwargs) -> None:
        with pytest.raises(ClientError) as excinfo:
            call(**kwargs)
        assert error_of(excinfo) == recorded_error(EXCEPTIONS, key, name)

    missing(lam.delete_function_event_invoke_config, "delete_function_not_found", FunctionName=name)
    missing(lam.delete_function_event_invoke_config, "delete_function_doesnotexist", FunctionName="doesnotexist")
    missing(lam.list_function_event_invoke_configs, "list_function_doesnotexist", FunctionName="doesnotexist")
    missing(lam.get_function_event_invoke_config, "get_function_doesnotexist", FunctionName="doesnotexist")
    missing(lam.get_function_event_invoke_config, "get_qualifier_doesnotexist", FunctionName=name,
            Qualifier="doesnotexist")
    missing(lam.update_function_event_invoke_config, "update_eventinvokeconfig_function_doesnotexist",
            FunctionName="doesnotexist", MaximumRetryAttempts=0)
    missing(lam.get_function_event_invoke_config, "get_eventinvokeconfig_doesnotexist",
            FunctionName=arn(name, "eventinvokealias"))
    missing(lam.update_function_event_invoke_config, "update_eventinvokeconfig_config_doesnotexist_with_qualifier",
            FunctionName=arn(name, "eventinvokealias"), MaximumRetryAttempts=0)
    missing(lam.update_function_event_invoke_config,
            "update_eventinvokeconfig_config_doesnotexist_without_qualifier", FunctionName=arn(name),
            MaximumRetryAttempts=0)
    with pytest.raises(ClientError) as excinfo:
        lam.get_function_event_invoke_config(FunctionName=name, Qualifier="1221")
    assert error_of(excinfo) == recorded_error("TestLambdaFunction::test_ops_on_nonexisting_version"
                                               "[get_function_event_invoke_config]", "version_not_found_exception",
                                               name, **{"fn-name": name})


def test_event_invoke_config_from_another_region(lam):
    name = f"eic-{uuid.uuid4().hex[:8]}"
    create(lam, name)
    other = arn(name).replace(REGION, "eu-west-1")
    with pytest.raises(ClientError) as excinfo:
        lam.get_function_event_invoke_config(FunctionName=other)
    assert error_of(excinfo) == recorded_error("TestLambdaFunction::test_get_function_wrong_region"
                                               "[get_function_event_invoke_config]", "wrong_region_exception", name,
                                               **{"wrong-region": "eu-west-1"})


def test_event_invoke_config_lifecycle_as_recorded(lam):
    name = f"eic-{uuid.uuid4().hex[:8]}"
    create(lam, name)
    answer = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert shape(answer) == expected(LIFECYCLE, "put_invokeconfig_retries_0", name)
    answer = lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=60)
    assert shape(answer) == expected(LIFECYCLE, "put_invokeconfig_eventage_60", name)
    answer = lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    assert shape(answer) == expected(LIFECYCLE, "update_invokeconfig_retries", name)
    assert shape(lam.get_function_event_invoke_config(FunctionName=name, Qualifier="$LATEST")) == expected(
        LIFECYCLE, "get_invokeconfig_latest", name)
    lam.publish_version(FunctionName=name)
    with pytest.raises(ClientError) as excinfo:
        lam.get_function_event_invoke_config(FunctionName=name, Qualifier="1")
    assert error_of(excinfo) == recorded_error(LIFECYCLE, "get_invokeconfig_postpublish", name)
    answer = lam.put_function_event_invoke_config(FunctionName=name, Qualifier="1", MaximumEventAgeInSeconds=120)
    assert shape(answer) == expected(LIFECYCLE, "put_published_invokeconfig", name)
    lam.delete_function_event_invoke_config(FunctionName=name)
    assert shape(lam.list_function_event_invoke_configs(FunctionName=name)) == expected(
        LIFECYCLE, "list_paging_nolimit_postdelete", name)


def test_event_invoke_config_ranges_and_cleanup(lam):
    name = f"eic-{uuid.uuid4().hex[:8]}"
    create(lam, name)
    for kwargs in ({"MaximumRetryAttempts": 3}, {"MaximumEventAgeInSeconds": 59},
                   {"MaximumEventAgeInSeconds": 21601}):
        with pytest.raises(Exception) as excinfo:   # boto3 validates ranges itself; the server answers the same
            lam.put_function_event_invoke_config(FunctionName=name, **kwargs)
        text = str(excinfo.value).lower()
        assert "maximumretryattempts" in text or "maximumeventageinseconds" in text
    answer = lam.put_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=21600,
        DestinationConfig={"OnFailure": {"Destination": f"arn:aws:s3:::bucket-{name}"}})
    assert answer["DestinationConfig"]["OnFailure"] == {"Destination": f"arn:aws:s3:::bucket-{name}"}
    answer = lam.update_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"}})
    assert answer["DestinationConfig"] == {"OnSuccess": {"Destination": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"},
                                           "OnFailure": {"Destination": f"arn:aws:s3:::bucket-{name}"}}
    assert answer["MaximumEventAgeInSeconds"] == 21600 and "MaximumRetryAttempts" not in answer
    lam.delete_function(FunctionName=name)
    create(lam, name)   # a new function of the same name starts without settings
    with pytest.raises(ClientError) as excinfo:
        lam.get_function_event_invoke_config(FunctionName=name)
    assert error_of(excinfo)["Message"] == f"The function {arn(name, '$LATEST')} doesn't have an EventInvokeConfig"


# --- Event invocations on a manual clock ----------------------------------------------------------------

@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


def failing(event, context):
    raise ValueError(f"bad event {event.get('n')}")


def messages(sqs, url: str, expected: int = 1) -> list[dict]:
    got: list[dict] = []
    deadline = time.monotonic() + 10
    while len(got) < expected and time.monotonic() < deadline:
        got += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                   WaitTimeSeconds=0).get("Messages", [])
    return got


def queue(sqs, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_on_failure_with_no_retries(rb):
    lam, sqs = rb.client("lambda"), rb.client("sqs")
    rb.register_function("fails", failing)
    url, queue_arn = queue(sqs, "failures")
    lam.put_function_event_invoke_config(FunctionName="fails", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    answer = lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"n": 1}')
    request_id = answer["ResponseMetadata"]["RequestId"]
    rb.drain()
    [message] = messages(sqs, url)
    record = json.loads(message["Body"])
    assert record["version"] == "1.0" and record["timestamp"].endswith("Z")
    assert record["requestContext"] == {"requestId": request_id, "functionArn": arn("fails", "$LATEST"),
                                        "condition": "RetriesExhausted", "approximateInvokeCount": 1}
    assert record["requestPayload"] == {"n": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                         "functionError": "Unhandled"}
    assert record["responsePayload"]["errorMessage"] == "bad event 1"
    assert record["responsePayload"]["errorType"] == "ValueError"


def test_default_retries_then_on_failure_to_a_function(rb):
    lam = rb.client("lambda")
    attempts: list[float] = []
    received: list[dict] = []
    rb.register_function("fails", lambda event, context: attempts.append(rb.clock.now()) or failing(event, context))
    rb.register_function("sink", lambda event, context: received.append(event))
    lam.put_function_event_invoke_config(FunctionName="fails",
                                         DestinationConfig={"OnFailure": {"Destination": arn("sink")}})
    lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"n": 2}')
    rb.drain()
    assert len(attempts) == 3
    assert attempts[1] - attempts[0] >= 60 and attempts[2] - attempts[1] >= 120
    [record] = received
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3


def test_on_success_to_a_topic_and_an_s3_bucket_on_failure(rb):
    lam, sqs, sns, s3 = rb.client("lambda"), rb.client("sqs"), rb.client("sns"), rb.client("s3")
    rb.register_function("echo", lambda event, context: {"got": event})
    topic = sns.create_topic(Name="successes")["TopicArn"]
    url, queue_arn = queue(sqs, "subscriber")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    lam.put_function_event_invoke_config(FunctionName="echo", DestinationConfig={"OnSuccess": {"Destination": topic}})
    lam.invoke(FunctionName="echo", InvocationType="Event", Payload=b'{"n": 3}')
    rb.drain()
    [message] = messages(sqs, url)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"got": {"n": 3}}

    rb.register_function("fails", failing)
    s3.create_bucket(Bucket="failed-records")
    lam.put_function_event_invoke_config(FunctionName="fails", MaximumRetryAttempts=0, DestinationConfig={
        "OnFailure": {"Destination": "arn:aws:s3:::failed-records"}})
    lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"n": 4}')
    rb.drain()
    [key] = [o["Key"] for o in s3.list_objects_v2(Bucket="failed-records")["Contents"]]
    assert key.startswith("aws/lambda/async/fails/")
    body = json.loads(s3.get_object(Bucket="failed-records", Key=key)["Body"].read())
    assert body["requestPayload"] == {"n": 4} and body["requestContext"]["condition"] == "RetriesExhausted"


def test_dead_letter_queue_gets_the_event_with_attributes(rb):
    lam, sqs = rb.client("lambda"), rb.client("sqs")
    rb.register_function("fails", failing)
    url, queue_arn = queue(sqs, "dlq")
    lam.update_function_configuration(FunctionName="fails", DeadLetterConfig={"TargetArn": queue_arn})
    lam.put_function_event_invoke_config(FunctionName="fails", MaximumRetryAttempts=1)
    answer = lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"n": 5}')
    rb.drain()
    [message] = messages(sqs, url)
    assert json.loads(message["Body"]) == {"n": 5}
    attributes = {k: (v["DataType"], v["StringValue"]) for k, v in message["MessageAttributes"].items()}
    # AWS's attributes (sns recording, test_sns_topic_as_lambda_dead_letter_queue): ErrorCode 200 as a Number.
    recorded_sns = RECORDED["tests/aws/services/sns/test_sns.py::TestSNSSubscriptionLambda::"
                            "test_sns_topic_as_lambda_dead_letter_queue"]["recorded-content"]["messages"]
    aws = recorded_sns["Messages"][0]["Body"]["MessageAttributes"]
    assert set(attributes) == set(aws)
    assert attributes["ErrorCode"] == (aws["ErrorCode"]["Type"], aws["ErrorCode"]["Value"])
    assert attributes["RequestID"] == ("String", answer["ResponseMetadata"]["RequestId"])
    assert attributes["ErrorMessage"] == ("String", "bad event 5")


def test_dead_letter_topic_and_on_failure_both_receive(rb):
    lam, sqs, sns = rb.client("lambda"), rb.client("sqs"), rb.client("sns")
    rb.register_function("fails", failing)
    topic = sns.create_topic(Name="dead-letters")["TopicArn"]
    dlq_url, dlq_arn = queue(sqs, "dead-letter-subscriber")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=dlq_arn)
    url, queue_arn = queue(sqs, "on-failure")
    lam.update_function_configuration(FunctionName="fails", DeadLetterConfig={"TargetArn": topic})
    lam.put_function_event_invoke_config(FunctionName="fails", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"n": 6}')
    rb.drain()
    [record] = messages(sqs, url)
    assert json.loads(record["Body"])["requestContext"]["condition"] == "RetriesExhausted"
    [dead] = messages(sqs, dlq_url)
    envelope = json.loads(dead["Body"])
    assert json.loads(envelope["Message"]) == {"n": 6}
    assert envelope["MessageAttributes"]["ErrorCode"] == {"Type": "Number", "Value": "200"}
    assert envelope["MessageAttributes"]["ErrorMessage"] == {"Type": "String", "Value": "bad event 6"}


def test_throttled_event_expires_by_maximum_event_age(rb):
    lam, sqs = rb.client("lambda"), rb.client("sqs")
    started, release = threading.Event(), threading.Event()

    def slow(event, context):
        started.set()
        release.wait(20)
        return "done"

    rb.register_function("slow", slow, timeout=30)
    lam.put_function_concurrency(FunctionName="slow", ReservedConcurrentExecutions=1)
    url, queue_arn = queue(sqs, "expired")
    lam.put_function_event_invoke_config(FunctionName="slow", MaximumEventAgeInSeconds=60,
                                         DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    lam.invoke(FunctionName="slow", InvocationType="Event", Payload=b'{"n": "first"}')
    assert started.wait(10)
    lam.invoke(FunctionName="slow", InvocationType="Event", Payload=b'{"n": "second"}')
    got: list[dict] = []
    deadline = time.monotonic() + 15
    while not got and time.monotonic() < deadline:   # step the throttle backoff (1, 2, 4 ... s) past 60 s
        rb.clock.advance(1)
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", [])
    release.set()
    rb.drain()
    [message] = got
    record = json.loads(message["Body"])
    assert record["requestPayload"] == {"n": "second"}
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] >= 1
    assert "responseContext" not in record


def test_undeliverable_record_counts_destination_delivery_failures(rb):
    lam, cloudwatch = rb.client("lambda"), rb.client("cloudwatch")
    rb.register_function("fails", failing)
    missing_queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue"
    lam.update_function_configuration(FunctionName="fails", DeadLetterConfig={"TargetArn": missing_queue})
    lam.put_function_event_invoke_config(FunctionName="fails", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": missing_queue}})
    lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b"{}")
    rb.drain()
    now = rb.clock.now()
    for metric in ("DestinationDeliveryFailures", "DeadLetterErrors"):
        stats = cloudwatch.get_metric_statistics(
            Namespace="AWS/Lambda", MetricName=metric, Dimensions=[{"Name": "FunctionName", "Value": "fails"}],
            StartTime=now - 600, EndTime=now + 600, Period=60, Statistics=["Sum"])
        assert sum(p["Sum"] for p in stats["Datapoints"]) == 1, metric


def test_execution_role_needs_permission_to_send_the_record(rb):
    lam, sqs, iam = rb.client("lambda"), rb.client("sqs"), rb.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="async-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    rb.register_function("fails", failing, role=role)
    url, queue_arn = queue(sqs, "guarded")
    lam.put_function_event_invoke_config(FunctionName="fails", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"n": 7}')
    rb.drain()
    # the role may not sqs:SendMessage: nothing arrives, and AWS counts the failure
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", []) == []
    now = rb.clock.now()
    stats = rb.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Lambda", MetricName="DestinationDeliveryFailures", StartTime=now - 600, EndTime=now + 600,
        Dimensions=[{"Name": "FunctionName", "Value": "fails"}], Period=60, Statistics=["Sum"])
    assert sum(p["Sum"] for p in stats["Datapoints"]) == 1
    iam.put_role_policy(RoleName="async-role", PolicyName="send", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}]}))
    lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"n": 8}')
    rb.drain()
    [message] = messages(sqs, url)
    assert json.loads(message["Body"])["requestPayload"] == {"n": 8}


def test_settings_belong_to_the_qualifier_invoked(rb):
    lam, sqs = rb.client("lambda"), rb.client("sqs")
    rb.register_function("echo", lambda event, context: context.function_version)
    lam.publish_version(FunctionName="echo")
    lam.create_alias(FunctionName="echo", Name="live", FunctionVersion="1")
    url, queue_arn = queue(sqs, "alias-successes")
    lam.put_function_event_invoke_config(FunctionName="echo", Qualifier="live",
                                         DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
    lam.invoke(FunctionName="echo", InvocationType="Event", Payload=b'{"n": "latest"}')
    lam.invoke(FunctionName="echo", Qualifier="live", InvocationType="Event", Payload=b'{"n": "alias"}')
    rb.drain()
    [message] = messages(sqs, url)
    record = json.loads(message["Body"])
    assert record["requestPayload"] == {"n": "alias"}
    assert record["requestContext"]["functionArn"] == arn("echo", "live")
    assert record["responseContext"]["executedVersion"] == "1" and record["responsePayload"] == "1"
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", []) == []
    lam.delete_alias(FunctionName="echo", Name="live")   # the alias's settings go with it
    lam.create_alias(FunctionName="echo", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as excinfo:
        lam.get_function_event_invoke_config(FunctionName="echo", Qualifier="live")
    assert error_of(excinfo)["Code"] == "ResourceNotFoundException"


def test_dead_letter_target_needs_send_permission(rb):
    lam, sqs, sns, iam = rb.client("lambda"), rb.client("sqs"), rb.client("sns"), rb.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="dlq-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    rb.register_function("fails", failing, role=role)
    _, queue_arn = queue(sqs, "dlq-guarded")
    topic = sns.create_topic(Name="dlq-guarded")["TopicArn"]
    for target, text in ((queue_arn, "SendMessage on SQS"), (topic, "Publish on SNS")):
        with pytest.raises(ClientError) as excinfo:
            lam.update_function_configuration(FunctionName="fails", DeadLetterConfig={"TargetArn": target})
        assert error_of(excinfo) == {"Code": "InvalidParameterValueException", "Status": 400,
                                     "Message": f"The provided execution role does not have permissions to call {text}"}
    iam.put_role_policy(RoleName="dlq-role", PolicyName="send", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}))
    answer = lam.update_function_configuration(FunctionName="fails", DeadLetterConfig={"TargetArn": queue_arn})
    assert answer["DeadLetterConfig"] == {"TargetArn": queue_arn}

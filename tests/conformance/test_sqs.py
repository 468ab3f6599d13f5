"""SQS through boto3: queues, messages, batches, MD5s (botocore verifies them), long polling, FIFO, errors,
the query protocol on queue URLs, a manual clock (visibility, delays, redrive; riverbed only).

Error texts and shapes are the ones recorded from AWS in sqs.snapshot.json
(provenance: tests/data/aws-recorded/README.md).
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import REGION, make_client

NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


@pytest.fixture(scope="module")
def sqs(endpoint):
    return make_client(endpoint, "sqs")


@pytest.fixture
def name():
    return f"q-{uuid.uuid4().hex[:12]}"


def _error(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.response["Error"]


def _arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


# --- queues ------------------------------------------------------------------------------------------

def test_queue_lifecycle(sqs, endpoint, name):
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "20",
                                                       "ReceiveMessageWaitTimeSeconds": "0"})["QueueUrl"]
    assert url == f"{endpoint}/000000000000/{name}"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert url in sqs.list_queues(QueueNamePrefix=name)["QueueUrls"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes.pop("CreatedTimestamp").isdigit() and attributes.pop("LastModifiedTimestamp").isdigit()
    assert attributes == {
        "ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesDelayed": "0",
        "ApproximateNumberOfMessagesNotVisible": "0", "DelaySeconds": "0", "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600", "QueueArn": f"arn:aws:sqs:{REGION}:000000000000:{name}",
        "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true", "VisibilityTimeout": "20"}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "420", "MaximumMessageSize": "2048"})
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds", "MaximumMessageSize"])
    assert got["Attributes"] == {"DelaySeconds": "420", "MaximumMessageSize": "2048"}
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as exc:
        sqs.get_queue_url(QueueName=name)
    assert _error(exc) == {"Code": "AWS.SimpleQueueService.NonExistentQueue",
                           "QueryErrorCode": "QueueDoesNotExist",
                           "Message": "The specified queue does not exist.", "Type": "Sender"}
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"


def test_unknown_queue_url(sqs, endpoint):
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=f"{endpoint}/000000000000/no-such-queue", MessageBody="x")
    assert _error(exc)["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_create_queue_idempotency(sqs, name):
    url = sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "1"})["QueueUrl"]
    assert sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "1"})["QueueUrl"] == url
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "2"})
    assert _error(exc)["Code"] == "QueueAlreadyExists"
    assert _error(exc)["QueryErrorCode"] == "QueueNameExists"
    assert _error(exc)["Message"] == ("A queue already exists with the same name and a different value for "
                                      "attribute DelaySeconds")


def test_attribute_errors(sqs, name):
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "false"})
    assert _error(exc)["Code"] == "InvalidAttributeName"
    assert _error(exc)["Message"] == "Unknown Attribute FifoQueue."
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "99999"})
    assert _error(exc)["Code"] == "InvalidAttributeValue"
    assert _error(exc)["Message"] == "Invalid value for the parameter VisibilityTimeout."
    with pytest.raises(ClientError) as exc:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ContentBasedDeduplication"])
    assert _error(exc)["Code"] == "InvalidAttributeName"


def test_list_queues_pages(sqs):
    prefix = f"page-{uuid.uuid4().hex[:8]}"
    urls = [sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(5)]
    first = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert first["QueueUrls"] == urls[:2] and first["NextToken"]
    rest = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=10, NextToken=first["NextToken"])
    assert rest["QueueUrls"] == urls[2:] and "NextToken" not in rest


def test_tags(sqs, name):
    url = sqs.create_queue(QueueName=name, tags={"tag1": "value1"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"tag2": "value2", "tag3": ""})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"tag1": "value1", "tag2": "value2", "tag3": ""}
    sqs.untag_queue(QueueUrl=url, TagKeys=["tag1", "tag2", "tag3"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_purge_twice(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.purge_queue(QueueUrl=url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    with pytest.raises(ClientError) as exc:
        sqs.purge_queue(QueueUrl=url)
    assert _error(exc)["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert _error(exc)["Message"] == f"Only one PurgeQueue operation on {name} is allowed every 60 seconds."
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


# --- messages ---------------------------------------------------------------------------------------------

def test_send_receive_delete_with_attributes(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    attributes = {"General": {"DataType": "String", "StringValue": "Kenobi"},
                  "Hello": {"DataType": "String", "StringValue": "There"},
                  "Help.Me": {"DataType": "String", "StringValue": "Me"},
                  "n": {"DataType": "Number", "StringValue": "12.5"},
                  "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes=attributes,
                            MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String",
                                                                        "StringValue": "Root=1-5759e988"}})
    assert sent["MD5OfMessageBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7"
    assert "MD5OfMessageSystemAttributes" in sent
    received = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                   MessageSystemAttributeNames=["All"])["Messages"]
    [message] = received
    assert message["MessageId"] == sent["MessageId"] and message["Body"] == "msg"
    assert message["MessageAttributes"]["b"]["BinaryValue"] == b"\x00\x01\xff"
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    system = message["Attributes"]
    assert system["ApproximateReceiveCount"] == "1" and system["AWSTraceHeader"] == "Root=1-5759e988"
    assert system["SenderId"] and system["SentTimestamp"].isdigit()
    assert int(system["ApproximateFirstReceiveTimestamp"]) >= int(system["SentTimestamp"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                  "ApproximateNumberOfMessagesNotVisible"])[
        "Attributes"] == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}


def test_receive_attribute_filters(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes={
        "General": {"DataType": "String", "StringValue": "Kenobi"},
        "Hello": {"DataType": "String", "StringValue": "There"},
        "Help.Me": {"DataType": "String", "StringValue": "Me"}})

    def receive(**kwargs):
        [message] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, **kwargs)["Messages"]
        return message

    assert "MessageAttributes" not in receive()
    everything = receive(MessageAttributeNames=["All"])
    assert everything["MD5OfMessageAttributes"] == "4c360f3fdafd970e05fae2f149d997f5"
    assert receive(MessageAttributeNames=["General", "Hello"])["MD5OfMessageAttributes"] == \
        "fca026605781cb4126a1e9044df24232"
    assert set(receive(MessageAttributeNames=["He.*"])["MessageAttributes"]) == {"Hello", "Help.Me"}
    assert "MessageAttributes" not in receive(MessageAttributeNames=["Nope"])
    assert set(receive(AttributeNames=["SenderId"])["Attributes"]) == {"SenderId"}


def test_message_errors(sqs, name):
    url = sqs.create_queue(QueueName=name, Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    cases = [
        ({"MessageBody": ""}, "MissingParameter", "The request must contain the parameter MessageBody."),
        ({"MessageBody": "x" * 1025}, "InvalidParameterValue",
         "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."),
        ({"MessageBody": "x", "MessageAttributes": {"ErrorDetails": {"DataType": "String",
                                                                     "StringValue": ""}}},
         "InvalidParameterValue", ("Message (user) attribute 'ErrorDetails' must contain a non-empty value "
                                   "of type 'String'.")),
        ({"MessageBody": "x", "MessageGroupId": "group 123"}, "InvalidParameterValue",
         ("Value group 123 for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include "
         "alphanumeric and punctuation characters. 1 to 128 in length.")),
    ]
    for kwargs, code, message in cases:
        with pytest.raises(ClientError) as exc:
            sqs.send_message(QueueUrl=url, **kwargs)
        assert (_error(exc)["Code"], _error(exc)["Message"]) == (code, message)
    for kwargs, message in (({"MaxNumberOfMessages": 11}, ("Value 11 for parameter MaxNumberOfMessages is "
                                                           "invalid. Reason: Must be between 1 and 10, if "
                                                           "provided.")),
                            ({"WaitTimeSeconds": 21}, ("Value 21 for parameter WaitTimeSeconds is invalid. "
                                                       "Reason: Must be >= 0 and <= 20, if provided."))):
        with pytest.raises(ClientError) as exc:
            sqs.receive_message(QueueUrl=url, **kwargs)
        assert (_error(exc)["Code"], _error(exc)["Message"]) == ("InvalidParameterValue", message)
        assert _error(exc)["QueryErrorCode"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    assert _error(exc)["Code"] == "ReceiptHandleIsInvalid"


def test_send_message_batch(sqs, name):
    url = sqs.create_queue(QueueName=name, Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    result = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "1", "MessageBody": "a", "MessageAttributes": {"k": {"DataType": "String",
                                                                    "StringValue": "v"}}},
        {"Id": "2", "MessageBody": "x" * 1025},
        {"Id": "3", "MessageBody": "b", "DelaySeconds": 0}])
    assert [e["Id"] for e in result["Successful"]] == ["1", "3"]
    assert result["Successful"][0]["MD5OfMessageBody"] == "0cc175b9c0f1b6a831c399e269772661"
    assert result["Failed"] == [{"Id": "2", "SenderFault": True, "Code": "InvalidParameterValue",
                                 "Message": "One or more parameters cannot be validated. Reason: Message "
                                            "must be shorter than 1024 bytes."}]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in messages) == ["a", "b"]


def test_batch_request_errors(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    many = [{"Id": str(i), "MessageBody": "x"} for i in range(20)]
    cases = [
        (many, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
         "Maximum number of entries per request are 10. You have sent 20."),
        ([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}],
         "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated."),
        ([{"Id": "invalid:id", "MessageBody": "x"}], "AWS.SimpleQueueService.InvalidBatchEntryId",
         ("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at "
          "most 80 letters long.")),
        ([], "AWS.SimpleQueueService.EmptyBatchRequest",
         "There should be at least one SendMessageBatchRequestEntry in the request."),
        ([{"Id": "1", "MessageBody": "x" * 600_000}, {"Id": "2", "MessageBody": "y" * 448_577}],
         "AWS.SimpleQueueService.BatchRequestTooLong",
         "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."),
    ]
    for entries, code, message in cases:
        with pytest.raises(ClientError) as exc:
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert (_error(exc)["Code"], _error(exc)["Message"]) == (code, message)
    with pytest.raises(ClientError) as exc:
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i),
                                                         "ReceiptHandle": "x"} for i in range(20)])
    assert _error(exc)["Code"] == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


def test_delete_and_visibility_batches(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 3
    changed = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "v0", "ReceiptHandle": messages[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "bad", "ReceiptHandle": "not-a-handle", "VisibilityTimeout": 0}])
    assert [e["Id"] for e in changed["Successful"]] == ["v0"]
    assert changed["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    again = sqs.receive_message(QueueUrl=url)["Messages"]
    assert again[0]["MessageId"] == messages[0]["MessageId"]
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "d0", "ReceiptHandle": again[0]["ReceiptHandle"]},
        {"Id": "d1", "ReceiptHandle": messages[1]["ReceiptHandle"]},
        {"Id": "d2", "ReceiptHandle": messages[2]["ReceiptHandle"]}])
    assert sorted(e["Id"] for e in deleted["Successful"]) == ["d0", "d1", "d2"] and deleted["Failed"] == []


def test_long_poll_is_woken_by_a_send(sqs, endpoint, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sender = make_client(endpoint, "sqs")
    sent_at: list[float] = []

    def send_later() -> None:
        time.sleep(0.3)
        sender.send_message(QueueUrl=url, MessageBody="wake up")
        sent_at.append(time.perf_counter())

    thread = threading.Thread(target=send_later)
    started = time.perf_counter()
    thread.start()
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"]
    returned = time.perf_counter()
    thread.join()
    assert messages[0]["Body"] == "wake up"
    # Woken by the send, not at the end of the 20 s wait (generous bounds: the machine may be busy).
    assert returned - started < 10
    assert returned - sent_at[0] < 5


def test_long_poll_queue_default_wait(sqs, name):
    url = sqs.create_queue(QueueName=name, Attributes={"ReceiveMessageWaitTimeSeconds": "1"})["QueueUrl"]
    started = time.perf_counter()
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    assert 0.9 <= time.perf_counter() - started < 10  # the queue's 1 s default, not the 20 s maximum


def test_fifo_queue(sqs, name):
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert (_error(exc)["Code"], _error(exc)["QueryErrorCode"]) == ("MissingParameter",
                                                                    "MissingRequiredParameterException")
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert _error(exc)["Message"] == ("The queue should either have ContentBasedDeduplication enabled or "
                                      "MessageDeduplicationId provided explicitly")
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d",
                         DelaySeconds=2)
    assert _error(exc)["Message"] == ("Value 2 for parameter DelaySeconds is invalid. Reason: The request "
                                      "include parameter that is not valid for this queue type.")
    first = sqs.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a", MessageDeduplicationId="1")
    duplicate = sqs.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a",
                                 MessageDeduplicationId="1")
    assert duplicate["MessageId"] == first["MessageId"] and first["SequenceNumber"].isdigit()
    for body, group, dedup in (("a2", "a", "2"), ("b1", "b", "3"), ("a3", "a", "4")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=dedup)
    batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in batch] == ["a1", "a2", "b1", "a3"]
    assert batch[0]["Attributes"]["MessageGroupId"] == "a"
    assert batch[0]["Attributes"]["MessageDeduplicationId"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)        # every group is in flight
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=batch[0]["ReceiptHandle"], VisibilityTimeout=0)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url,
                                                   MaxNumberOfMessages=10)["Messages"]] == ["a1"]
    with pytest.raises(ClientError) as exc:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "x"}])
    assert _error(exc)["Message"] == "The request must contain the parameter MessageGroupId."


def test_fifo_content_based_dedup_after_delete(sqs, name):
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes=attributes)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody='{"foo": "bar"}', MessageGroupId="g")
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sqs.send_message(QueueUrl=url, MessageBody='{"foo": "bar"}', MessageGroupId="g")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


# --- the query protocol ----------------------------------------------------------------------------------

def _post(url: str, form: dict[str, str], sign: bool = False) -> tuple[int, ET.Element]:
    data = urllib.parse.urlencode(form)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if sign:
        request = AWSRequest("POST", url, data=data, headers=headers)
        SigV4Auth(Credentials("test", "test"), "sqs", REGION).add_auth(request)
        headers = dict(request.headers)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data.encode(),
                                                           headers=headers)) as response:
            return response.status, ET.fromstring(response.read())
    except urllib.error.HTTPError as err:
        return err.code, ET.fromstring(err.read())


def test_query_protocol_on_the_queue_url(sqs, endpoint, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    status, doc = _post(url, {"Action": "SendMessage", "MessageBody": "line\r\nbreak",
                              "MessageAttribute.1.Name": "a", "MessageAttribute.1.Value.DataType": "String",
                              "MessageAttribute.1.Value.StringValue": "v"})
    assert status == 200 and doc.tag == f"{NS}SendMessageResponse"
    result = doc.find(f"{NS}SendMessageResult")
    assert result is not None
    assert result.findtext(f"{NS}MD5OfMessageBody") == "251414813a67df09ece9961904718006"
    message_id = result.findtext(f"{NS}MessageId")
    status, doc = _post(url, {"Action": "ReceiveMessage", "MessageAttributeName.1": "All"})
    message = doc.find(f"{NS}ReceiveMessageResult/{NS}Message")
    assert message is not None and message.findtext(f"{NS}MessageId") == message_id
    assert message.findtext(f"{NS}Body") == "line\r\nbreak"
    assert message.findtext(f"{NS}MessageAttribute/{NS}Name") == "a"
    status, doc = _post(url + "-missing", {"Action": "SendMessage", "MessageBody": "x"})
    assert status == 400 and doc.findtext("{*}Error/{*}Code") == "AWS.SimpleQueueService.NonExistentQueue"
    status, doc = _post(endpoint + "/", {"Action": "GetQueueUrl", "QueueName": name}, sign=True)
    assert status == 200 and doc.findtext(f"{NS}GetQueueUrlResult/{NS}QueueUrl") == url


# --- manual clock ----------------------------------------------------------------------------------------

def test_visibility_timeout_and_delay_on_a_manual_clock(manual_riverbed, name):
    sqs = manual_riverbed.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    [first] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessagesNotVisible"],
            counts["ApproximateNumberOfMessagesDelayed"]) == \
        ("1", "1")
    manual_riverbed.clock.advance(30)
    [again] = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert again["MessageId"] == first["MessageId"] and again["Attributes"]["ApproximateReceiveCount"] == "2"
    manual_riverbed.clock.advance(30)
    bodies = sorted(m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"])
    assert bodies == ["later", "m"]


def test_redrive_to_dead_letter_queue(manual_riverbed, name):
    sqs = manual_riverbed.client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = _arn(sqs, dlq_url)
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": "10",
        "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"1"}}'})["QueueUrl"]
    redrive = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
    assert redrive["RedrivePolicy"] == f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":1}}'
    sqs.send_message(QueueUrl=url, MessageBody="message-1",
                     MessageAttributes={"MyAttribute": {"DataType": "String", "StringValue": "foobar"}})
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    manual_riverbed.clock.advance(10)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    [moved] = sqs.receive_message(QueueUrl=dlq_url, AttributeNames=["All"], MessageAttributeNames=["All"])[
        "Messages"]
    assert moved["Body"] == "message-1" and moved["Attributes"]["DeadLetterQueueSourceArn"] == _arn(sqs, url)
    assert moved["Attributes"]["ApproximateReceiveCount"] == "2"
    assert moved["MD5OfMessageAttributes"] == "adb59cd4678ea5a855436b949cd07ab6"
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"] == [url]


def test_long_poll_ends_when_the_manual_clock_passes(manual_riverbed, name):
    sqs = manual_riverbed.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    result: list[dict] = []
    clock = manual_riverbed.clock
    idle = clock.pending_waits()  # riverbed's own background loops
    thread = threading.Thread(target=lambda: result.append(sqs.receive_message(QueueUrl=url,
                                                                               WaitTimeSeconds=20)))
    thread.start()
    deadline = time.monotonic() + 10
    while clock.pending_waits() <= idle and time.monotonic() < deadline:  # until the receive is parked
        time.sleep(0.01)
    assert thread.is_alive() and clock.pending_waits() > idle
    manual_riverbed.clock.advance(20)
    thread.join(5)
    assert not thread.is_alive() and "Messages" not in result[0]

"""Delivering a notification to one subscription: SQS and Lambda through the interfaces the app hands over.

Owns: the JSON envelope SNS writes into SQS (and HTTP) deliveries -- its member order and its
``"Key" : value`` layout, FIFO topics without Signature members (recorded AWS: sns snapshot
``test_publish_sqs_from_sns``, ``test_message_to_fifo_sqs``) -- raw delivery (the message itself, its
attributes as SQS message attributes), the Lambda event shape
(https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html: ``Records[].Sns`` with ``SigningCertUrl`` /
``UnsubscribeUrl`` spellings and ``Subject: null`` when absent), and the subscription's dead-letter
queue when a delivery fails.

Signatures: riverbed cannot sign as AWS; ``Signature`` is a stable digest of the notification, and
``SigningCertURL`` names AWS's certificate path shape.  ``UnsubscribeURL`` points at this server.

Must not: decide which subscriptions get a message (``service`` applies filter policies) or call SQS
over HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import orjson

from riverbed.clock import iso8601_millis
from riverbed.core.interfaces import Functions, MessageQueues
from riverbed.errors import ServiceError
from riverbed.services.sns.messages import Notification
from riverbed.services.sns.topics import Subscription

log = logging.getLogger("riverbed.sns")



def _signature(note: Notification, sub_arn: str) -> str:
    text = f"{note.message_id}\n{note.topic_arn}\n{sub_arn}\n{note.message}".encode()
    return base64.b64encode(hashlib.shake_256(text).digest(256)).decode("ascii")


def _cert_url(region: str) -> str:
    return f"https://sns.{region}.amazonaws.com/SimpleNotificationService-riverbed0000000000000000000000.pem"


def _unsubscribe_url(endpoint: str, sub_arn: str) -> str:
    return f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={sub_arn}"


def _attribute_values(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {name: {"Type": value["DataType"], "Value": value.get("StringValue", value.get("BinaryValue", ""))}
            for name, value in attributes.items()}


def envelope(note: Notification, sub_arn: str, message: str, *, endpoint: str, region: str,
             fifo: bool, signature_version: str = "1") -> str:
    """The JSON document SNS delivers to SQS (and HTTP) subscribers when raw delivery is off."""
    members: list[tuple[str, Any]] = [("Type", "Notification"), ("MessageId", note.message_id)]
    if note.sequence_number is not None:
        members.append(("SequenceNumber", note.sequence_number))
    members.append(("TopicArn", note.topic_arn))
    if note.subject is not None:
        members.append(("Subject", note.subject))
    members += [("Message", message), ("Timestamp", iso8601_millis(note.timestamp))]
    if not fifo:
        members += [("SignatureVersion", signature_version), ("Signature", _signature(note, sub_arn)),
                    ("SigningCertURL", _cert_url(region))]
    members.append(("UnsubscribeURL", _unsubscribe_url(endpoint, sub_arn)))
    lines = [f"  {json.dumps(key)} : {json.dumps(value, ensure_ascii=False)}" for key, value in members]
    if note.attributes:
        entries = [f"    {json.dumps(name)} : {json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"
                   for name, value in _attribute_values(note.attributes).items()]
        lines.append('  "MessageAttributes" : {\n' + ",\n".join(entries) + "\n  }")
    return "{\n" + ",\n".join(lines) + "\n}"


def lambda_event(note: Notification, sub_arn: str, message: str, *, endpoint: str,
                 region: str) -> dict[str, Any]:
    """The event a Lambda subscriber's handler receives."""
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": sub_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": note.message_id,
            "TopicArn": note.topic_arn,
            "Subject": note.subject,
            "Message": message,
            "Timestamp": iso8601_millis(note.timestamp),
            "SignatureVersion": "1",
            "Signature": _signature(note, sub_arn),
            "SigningCertUrl": _cert_url(region),
            "UnsubscribeUrl": _unsubscribe_url(endpoint, sub_arn),
            "MessageAttributes": _attribute_values(note.attributes),
        },
    }]}


class Deliverer:
    """Sends one notification to one subscription; failures go to its dead-letter queue, if any."""

    def __init__(self, queues: MessageQueues, functions: Functions, endpoint_url: Callable[[], str]) -> None:
        self.queues = queues
        self.functions = functions
        self.endpoint_url = endpoint_url

    @property
    def endpoint(self) -> str:
        return self.endpoint_url()

    def deliver(self, note: Notification, sub: Subscription, region: str, *, fifo_topic: bool,
                signature_version: str = "1") -> bool:
        message = note.message_for(sub.protocol)
        try:
            if sub.protocol == "sqs":
                body, attributes = self.sqs_payload(note, sub, message, region, fifo_topic, signature_version)
                self._send_to_queue(sub.endpoint, body, attributes, note)
            elif sub.protocol == "lambda":
                self._invoke(sub.endpoint, lambda_event(note, sub.arn, message, endpoint=self.endpoint,
                                                        region=region))
            else:
                return False   # http(s), email, sms, application, firehose: accepted, not delivered locally
        # A failed delivery never fails the Publish; the message goes to the subscription's DLQ, if any.
        except (ServiceError, LookupError, RuntimeError, ValueError, TypeError, OSError) as exc:
            log.info("SNS delivery of %s to %s failed: %s", note.message_id, sub.arn, exc)
            self._dead_letter(note, sub, message, region, fifo_topic, signature_version)
            return False
        return True

    def sqs_payload(self, note: Notification, sub: Subscription, message: str, region: str, fifo_topic: bool,
                    signature_version: str = "1") -> tuple[str, dict[str, Any] | None]:
        if sub.raw:
            return message, dict(note.attributes) or None
        return envelope(note, sub.arn, message, endpoint=self.endpoint, region=region, fifo=fifo_topic,
                        signature_version=signature_version), None

    def _send_to_queue(self, queue_arn: str, body: str, attributes: dict[str, Any] | None,
                       note: Notification) -> None:
        sender = queue_arn.split(":")[4] if queue_arn.count(":") >= 5 else ""
        self.queues.deliver(queue_arn, body, message_attributes=attributes, group_id=note.group_id,
                            dedup_id=note.dedup_id, sender=sender, source_arn=note.topic_arn)

    def _invoke(self, function_arn: str, event: dict[str, Any]) -> None:
        self.functions.invoke_async(function_arn, orjson.dumps(event))

    def _dead_letter(self, note: Notification, sub: Subscription, message: str, region: str, fifo_topic: bool,
                     signature_version: str) -> None:
        target = sub.dead_letter_arn()
        if not target:
            return
        if sub.protocol == "sqs":
            body, attributes = self.sqs_payload(note, sub, message, region, fifo_topic, signature_version)
        else:
            body = envelope(note, sub.arn, message, endpoint=self.endpoint, region=region, fifo=fifo_topic,
                            signature_version=signature_version)
            attributes = None
        try:
            self._send_to_queue(target, body, attributes, note)
        except (ServiceError, RuntimeError) as exc:
            log.info("SNS dead-letter delivery of %s to %s failed: %s", note.message_id, target, exc)

"""Routing an invocation record (an event source mapping's on-failure record, an asynchronous invocation's
record or dead-letter message) to its destination by ARN: a queue, a topic or a bucket.

Owns: the choice between SQS, SNS and S3 that AWS makes from the destination ARN's service
(``arn:aws:s3:::bucket`` names a bucket; the caller chooses the object key).

Must not: know how any of those services stores or delivers a message (the interfaces say what they offer).
"""

from __future__ import annotations

from typing import Any

from riverbed.core.interfaces import MessageQueues, ObjectStore, Topics
from riverbed.errors import ServiceError


class ArnDestinations:
    """:class:`riverbed.core.interfaces.Destinations` over SQS, SNS and S3."""

    def __init__(self, queues: MessageQueues, topics: Topics, objects: ObjectStore | None = None) -> None:
        self.queues = queues
        self.topics = topics
        self.objects = objects

    def send(self, target_arn: str, body: str, *, object_key: str = "",
             attributes: dict[str, Any] | None = None) -> None:
        service = target_arn.split(":")[2] if target_arn.count(":") >= 5 else ""
        if service == "sqs":
            self.queues.send_message(target_arn, body, attributes)
        elif service == "sns":
            self.topics.publish(target_arn, body, attributes=attributes)
        elif service == "s3" and self.objects is not None and object_key:
            self.objects.write_object(target_arn.split(":::", 1)[1], object_key, body.encode("utf-8"))
        else:
            raise ServiceError(f"Unsupported destination {target_arn}")

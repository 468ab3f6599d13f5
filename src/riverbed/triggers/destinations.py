"""Routing an event source mapping's on-failure record to its destination by ARN: a queue or a topic.

Owns: the choice between SQS and SNS that AWS makes from the destination ARN's service.

Must not: know how either service stores or delivers a message (the interfaces say what they offer).
"""

from __future__ import annotations

from riverbed.core.interfaces import MessageQueues, Topics
from riverbed.errors import ServiceError


class ArnDestinations:
    """:class:`riverbed.core.interfaces.Destinations` over SQS and SNS."""

    def __init__(self, queues: MessageQueues, topics: Topics) -> None:
        self.queues = queues
        self.topics = topics

    def send(self, target_arn: str, body: str) -> None:
        service = target_arn.split(":")[2] if target_arn.count(":") >= 5 else ""
        if service == "sqs":
            self.queues.send_message(target_arn, body)
        elif service == "sns":
            self.topics.publish(target_arn, body)
        else:
            raise ServiceError(f"Unsupported destination {target_arn}")

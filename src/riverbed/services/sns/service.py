"""The SNS domain: topics, subscriptions and publishing, with delivery to SQS and Lambda in-process.

Owns: creating topics (idempotent; different attributes or tags are refused as AWS does), subscription
rules (protocols, endpoints, idempotent Subscribe, attribute checks), publishing (FIFO group and
deduplication ids with SNS's five-minute topic-level window, sequence numbers, filter policies per
subscription, then ``delivery``), and the in-process API (``publish``, ``topic_exists``) that event
source mappings use for on-failure destinations.

Metrics (AWS/SNS, dimension TopicName, through the ``MetricsSink`` handed over; AWS's definitions at
https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html): NumberOfMessagesPublished
and PublishSize per Publish, NumberOfNotificationsDelivered / NumberOfNotificationsFailed per delivery
to an SQS or Lambda subscription (the protocols riverbed delivers), NumberOfNotificationsFilteredOut
when a filter policy rejects a message.

Must not: render wire shapes (operations do) or write SQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from riverbed import ids
from riverbed.core.context import RequestContext
from riverbed.core.interfaces import Functions, MessageQueues, MetricsSink
from riverbed.services.sns import filter_policy
from riverbed.services.sns.delivery import Deliverer
from riverbed.services.sns.errors import InvalidParameter, invalid, subscription_not_found, topic_not_found
from riverbed.services.sns.messages import (
    Notification,
    check_attributes,
    check_message,
    check_size,
    check_subject,
)
from riverbed.services.sns.topics import (
    PROTOCOLS,
    SUBSCRIPTION_SETTABLE,
    TOPIC_SETTABLE,
    Subscription,
    Topic,
    TopicRegistry,
    check_arn,
    check_topic_name,
    topic_arn,
)

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store

DEDUP_WINDOW_SECONDS = 300.0
PENDING = "pending confirmation"


class SnsService:
    def __init__(self, store: Store, clock: Clock, *, queues: MessageQueues, functions: Functions,
                 endpoint_url: Callable[[], str], metrics: MetricsSink | None = None) -> None:
        self.store = store
        self.metrics = metrics
        self.clock = clock
        self.topics = TopicRegistry(store)
        self.deliverer = Deliverer(queues, functions, endpoint_url)
        self._filters: dict[tuple[str, str], filter_policy.Predicate] = {}

    # --- topics ---------------------------------------------------------------------------------------
    def create_topic(self, region: str, account: str, name: str, attributes: dict[str, Any] | None,
                     tags: list[dict[str, Any]] | None) -> Topic:
        given = {str(k): str(v) for k, v in (attributes or {}).items()}
        fifo = given.get("FifoTopic", "").lower() == "true"
        check_topic_name(name, fifo)
        tag_map = check_tags(tags)
        existing = self.topics.find(topic_arn(region, account, name))
        if existing is not None:
            current = dict(existing.attributes)
            if existing.fifo:
                current["FifoTopic"] = "true"
            if any(current.get(k, "false" if k == "FifoTopic" else None) != v for k, v in given.items()):
                raise invalid("Attributes", "Topic already exists with different attributes")
            if tags is not None and any(existing.tags.get(k) != v for k, v in tag_map.items()):
                raise invalid("Tags", "Topic already exists with different tags")
            return existing
        stored: dict[str, str] = {}
        for key, value in given.items():
            if key == "FifoTopic":
                continue
            stored[key] = self._topic_attribute(key, value, fifo)
        topic = Topic(name, region, account, fifo, stored, tag_map)
        self.topics.put(topic)
        return topic

    def _topic_attribute(self, name: str, value: str, fifo: bool) -> str:
        if name not in TOPIC_SETTABLE or (name == "ContentBasedDeduplication" and not fifo):
            raise invalid("AttributeName")
        if name == "ContentBasedDeduplication":
            if value.lower() not in ("true", "false"):
                raise invalid("ContentBasedDeduplication")
            return value.lower()
        return value

    def topic(self, arn: Any, region: str, parameter: str = "TopicArn") -> Topic:
        """The topic an ARN parameter names, with SNS's errors for malformed, foreign and missing topics."""
        parts = check_arn(arn, parameter)
        if parts[2] != "sns":
            raise invalid(parameter)
        if parts[3] != region:
            raise invalid(parameter)
        topic = self.topics.find(str(arn))
        if topic is None:
            raise topic_not_found()
        return topic

    def resource_policy(self, arn: str) -> str | None:
        """A topic's Policy attribute when one was set (the gateway's lookup for requests from other accounts).
        The default policy SNS shows grants by ``AWS:SourceOwner``, which riverbed does not model: it grants
        nothing here, so another account needs a policy set with SetTopicAttributes, as on AWS."""
        topic = self.topics.find(arn)
        return (topic.attributes.get("Policy") or None) if topic is not None else None

    def set_topic_attribute(self, topic: Topic, name: str, value: str | None) -> None:
        text = "" if value is None else str(value)
        topic.attributes[name] = self._topic_attribute(name, text, topic.fifo)
        self.topics.put(topic)

    def delete_topic(self, arn: str) -> None:
        self.topics.delete(arn)

    # --- subscriptions ------------------------------------------------------------------------------------
    def subscribe(self, topic: Topic, protocol: Any, endpoint: Any, attributes: dict[str, Any] | None) -> str:
        proto = str(protocol or "")
        if proto not in PROTOCOLS:
            raise invalid(f"Amazon SNS does not support this protocol string: {proto}")
        target = "" if endpoint is None else str(endpoint)
        self._check_endpoint(topic, proto, target)
        given = {str(k): str(v) for k, v in (attributes or {}).items()}
        scope = given.get("FilterPolicyScope", "MessageAttributes")
        checked = {k: self.check_subscription_attribute(topic, proto, k, v, subscribing=True, scope=scope)
                   for k, v in given.items()}
        for sub in self.topics.subscriptions(topic.arn):
            if sub.protocol == proto and sub.endpoint == target:
                current = sub.all_attributes()
                if any(current.get(k, "") != v for k, v in checked.items() if v != ""):
                    raise invalid("Attributes", "Subscription already exists with different attributes")
                return sub.arn
        sub = Subscription(f"{topic.arn}:{ids.new_uuid()}", topic.arn, proto, target, topic.account,
                           {k: v for k, v in checked.items() if v != ""})
        self.topics.put_subscription(sub)
        return sub.arn

    def _check_endpoint(self, topic: Topic, protocol: str, endpoint: str) -> None:
        if protocol == "sqs":
            parts = endpoint.split(":")
            if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
                raise invalid("SQS endpoint ARN")
            if parts[5].endswith(".fifo") and not topic.fifo:
                raise InvalidParameter("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS "
                                       "Queues can not be subscribed to standard SNS topics")
        elif protocol == "lambda":
            parts = endpoint.split(":")
            if len(parts) < 7 or parts[0] != "arn" or parts[2] != "lambda":
                raise invalid("Lambda endpoint ARN")
        elif not endpoint:
            raise invalid("Endpoint")

    def check_subscription_attribute(self, topic: Topic, protocol: str, name: str, value: str, *,
                                     subscribing: bool, scope: str = "MessageAttributes") -> str:
        """The value to store (``""`` removes), or SNS's InvalidParameter in Subscribe's or Set's wording."""
        def refuse(reason: str) -> InvalidParameter:
            if subscribing:
                return invalid("Attributes", reason)
            return InvalidParameter(f"Invalid parameter: {reason}")

        if name not in SUBSCRIPTION_SETTABLE:
            raise refuse(f"Invalid attribute name: {name}") if subscribing else invalid("AttributeName")
        if name == "RawMessageDelivery":
            if value.lower() not in ("true", "false"):
                raise refuse(f"RawMessageDelivery: Invalid value [{value}]. Must be true or false.")
            if protocol not in ("sqs", "http", "https", "firehose"):
                raise refuse(f"Delivery protocol [{protocol}] does not support raw message delivery.")
            return value.lower()
        if name == "FilterPolicy" and value:
            try:
                filter_policy.compile_policy(value, scope)
            except filter_policy.FilterPolicyError as exc:
                raise refuse(f"FilterPolicy: {exc}") from None
        if name == "FilterPolicyScope" and value not in ("MessageAttributes", "MessageBody"):
            raise refuse(f"FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or "
                         "MessageAttributes")
        if name == "RedrivePolicy" and value:
            self._check_redrive(topic, protocol, value, refuse)
        return value

    def _check_redrive(self, topic: Topic, protocol: str, value: str, refuse: Any) -> None:
        try:
            policy = json.loads(value)
        except ValueError as exc:
            raise refuse(f"RedrivePolicy: failed to parse JSON. {exc}") from None
        target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
        parts = str(target or "").split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
            raise refuse("RedrivePolicy: deadLetterTargetArn is an invalid arn")
        if topic.fifo and not parts[5].endswith(".fifo"):
            raise refuse("RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO "
                         "Topic.")

    def subscription(self, arn: Any, region: str) -> Subscription:
        parts = check_arn(arn, "SubscriptionArn")
        if len(parts) != 7:
            raise invalid("SubscriptionId")
        sub = self.topics.subscription(str(arn))
        if sub is None:
            raise subscription_not_found()
        return sub

    def set_subscription_attribute(self, sub: Subscription, name: str, value: str | None) -> None:
        topic = self.topics.find(sub.topic_arn)
        if topic is None:
            raise subscription_not_found()
        scope = sub.attributes.get("FilterPolicyScope", "MessageAttributes")
        given = "" if value is None else str(value)
        text = self.check_subscription_attribute(topic, sub.protocol, name, given, subscribing=False,
                                                 scope=scope)
        if text == "":
            sub.attributes.pop(name, None)
        else:
            sub.attributes[name] = text
        self.topics.put_subscription(sub)

    def unsubscribe(self, arn: Any) -> None:
        if not arn:
            raise invalid("SubscriptionArn", "no value for required parameter")
        parts = check_arn(arn, "SubscriptionArn")
        if len(parts) != 7:
            raise invalid("SubscriptionId")
        sub = self.topics.subscription(str(arn))
        if sub is not None:
            self.topics.delete_subscription(sub)

    # --- publishing -----------------------------------------------------------------------------------------
    def prepare(self, topic: Topic, message: Any, *, subject: Any = None, structure: Any = None,
                attributes: dict[str, Any] | None = None, group_id: Any = None,
                dedup_id: Any = None) -> Notification:
        """Check a Publish (or one PublishBatch entry) and build its notification; nothing is sent yet."""
        default, per_protocol = check_message(message, structure)
        checked = check_attributes(attributes)
        check_size(str(message), checked)
        note = Notification(ids.new_uuid(), topic.arn, default, self.clock.now(), check_subject(subject),
                            per_protocol, checked)
        if topic.fifo:
            if not group_id:
                raise invalid("The MessageGroupId parameter is required for FIFO topics")
            if not dedup_id:
                if not topic.content_based_dedup:
                    raise invalid("The topic should either have ContentBasedDeduplication enabled or "
                                  "MessageDeduplicationId provided explicitly")
                dedup_id = hashlib.sha256(str(message).encode("utf-8")).hexdigest()
            note.dedup_id = str(dedup_id)
        elif dedup_id:
            raise invalid("MessageDeduplicationId", "The request includes MessageDeduplicationId parameter "
                                                    "that is not valid for this topic type")
        note.group_id = str(group_id) if group_id else None
        return note

    def publish_notification(self, topic: Topic, note: Notification) -> Notification:
        """Deliver ``note`` to every subscription whose filter policy matches; the notification as sent."""
        if topic.fifo:
            seen = self._deduplicate(topic, note)
            if seen is not None:
                return seen
        version = topic.attributes.get("SignatureVersion", "1")
        dims = {"TopicName": topic.name}
        put = self.metrics.put if self.metrics is not None else None
        if put is not None:
            put("AWS/SNS", "NumberOfMessagesPublished", dims, 1)
            put("AWS/SNS", "PublishSize", dims, len(note.message.encode("utf-8")), "Bytes")
        for sub in list(self.topics.subscriptions(topic.arn)):
            if self._accepts(sub, note):
                delivered = self.deliverer.deliver(note, sub, topic.region, fifo_topic=topic.fifo,
                                                   signature_version=version)
                if put is not None and sub.protocol in ("sqs", "lambda"):
                    put("AWS/SNS", "NumberOfNotificationsDelivered" if delivered
                        else "NumberOfNotificationsFailed", dims, 1)
            elif put is not None:
                put("AWS/SNS", "NumberOfNotificationsFilteredOut", dims, 1)
        return note

    @staticmethod
    def _dedup_key(topic: Topic, note: Notification) -> str:
        by_group = topic.attributes.get("FifoThroughputScope") == "MessageGroup"
        return f"{(note.group_id or '') if by_group else ''}\x1f{note.dedup_id or ''}"

    def _deduplicate(self, topic: Topic, note: Notification) -> Notification | None:
        """Give a FIFO notification its sequence number, or, when its deduplication id was published inside
        the window, return that earlier notification instead.  The window lives in the store (expiring keys),
        so a duplicate is recognised whichever node it is published through."""
        now, namespace, key = self.clock.now(), f"sns-dedup:{topic.arn}", self._dedup_key(topic, note)
        with self.store.transaction() as txn:
            seen = txn.get_key(namespace, key, now)
            if seen is None:
                txn.prune_keys(namespace, now)
                sequence = ids.sequence_number(txn.next_counter(f"sns-seq:{topic.arn}"))
                # Of two nodes racing with one id, one claims it; the other gets the winner's (a gap in the
                # sequence numbers, which AWS calls "large, non-consecutive" anyway).
                seen = txn.put_key_if_absent(namespace, key, json.dumps([note.message_id, sequence]).encode(),
                                             now + DEDUP_WINDOW_SECONDS, now)
                if seen is None:
                    note.sequence_number = sequence
                    return None
        note.message_id, note.sequence_number = json.loads(seen)
        return note

    def _accepts(self, sub: Subscription, note: Notification) -> bool:
        text = sub.attributes.get("FilterPolicy")
        if not text:
            return True
        scope = sub.attributes.get("FilterPolicyScope", "MessageAttributes")
        matcher = self._filters.get((text, scope))
        if matcher is None:
            try:
                matcher = filter_policy.compile_policy(text, scope)
            except filter_policy.FilterPolicyError:
                return False
            self._filters[(text, scope)] = matcher
        if scope == "MessageBody":
            return matcher(filter_policy.body_document(note.message_for(sub.protocol)))
        return matcher(filter_policy.attributes_document(note.attributes))

    # --- in-process API -------------------------------------------------------------------------------------
    def publish(self, topic_arn: str, message: str, subject: str | None = None, *,
                attributes: dict[str, Any] | None = None) -> str:
        """Publish ``message`` (with message ``attributes`` in the API's shape) to the topic with this ARN; the
        message id.  Raises NotFound & co."""
        parts = check_arn(topic_arn, "TopicArn")
        topic = self.topic(topic_arn, parts[3])
        group = "riverbed" if topic.fifo else None
        dedup = None if not topic.fifo or topic.content_based_dedup else ids.new_uuid()
        note = self.prepare(topic, message, subject=subject, attributes=attributes, group_id=group, dedup_id=dedup)
        return self.publish_notification(topic, note).message_id

    def topic_exists(self, arn: str) -> bool:
        return self.topics.find(arn) is not None

    def reset(self) -> None:
        self.topics.reset()
        self._filters.clear()


def check_tags(tags: list[dict[str, Any]] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in tags or []:
        key = str(tag.get("Key", ""))
        if key in out:
            raise invalid("Duplicated keys are not allowed.")
        out[key] = str(tag.get("Value", ""))
    return out


__all__ = ["PENDING", "SnsService", "check_tags", "subscription_not_found"]


SnsContext = RequestContext[SnsService]

"""Topics and subscriptions: names, ARNs, attributes, and their documents in the store.

Owns: the :class:`Topic` and :class:`Subscription` values, topic-name rules, ARN checks in SNS's
words ("An ARN must have at least 6 elements, not 1"), the attributes GetTopicAttributes and
GetSubscriptionAttributes answer (recorded AWS: sns snapshot ``test_create_topic_with_attributes``,
``test_create_subscriptions_with_attributes``), and the registry over the store's documents (kinds
``sns-topic`` keyed by topic ARN and ``sns-sub`` keyed by subscription ARN = topic ARN + ``:`` + uuid,
so a topic's subscriptions are one prefix scan), with a per-node cache (``core.doccache``) that every
node's changes invalidate.

Must not: publish or deliver (``service`` and ``delivery`` do).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from riverbed import ids
from riverbed.core.doccache import DocCache
from riverbed.services.sns.errors import invalid

TOPIC_KIND = "sns-topic"
SUB_KIND = "sns-sub"
_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
_FIFO_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,251}\.fifo")

EFFECTIVE_DELIVERY_POLICY = {
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    },
}
# Topic attributes SetTopicAttributes accepts (SetTopicAttributes reference); FifoTopic is fixed at creation.
TOPIC_SETTABLE = frozenset({
    "DeliveryPolicy", "DisplayName", "Policy", "TracingConfig", "KmsMasterKeyId", "SignatureVersion",
    "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope", "DataProtectionPolicy",
    "ApplicationSuccessFeedbackRoleArn", "ApplicationSuccessFeedbackSampleRate",
    "ApplicationFailureFeedbackRoleArn",
    "HTTPSuccessFeedbackRoleArn", "HTTPSuccessFeedbackSampleRate", "HTTPFailureFeedbackRoleArn",
    "LambdaSuccessFeedbackRoleArn", "LambdaSuccessFeedbackSampleRate", "LambdaFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn", "SQSSuccessFeedbackSampleRate", "SQSFailureFeedbackRoleArn",
    "FirehoseSuccessFeedbackRoleArn", "FirehoseSuccessFeedbackSampleRate", "FirehoseFailureFeedbackRoleArn",
})
SUBSCRIPTION_SETTABLE = frozenset({
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
    "SubscriptionRoleArn", "ReplayPolicy",
})
PROTOCOLS = frozenset({"http", "https", "email", "email-json", "sms", "sqs", "application", "lambda",
                       "firehose"})


def default_policy(arn: str, account: str) -> str:
    return json.dumps({
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                       "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                       "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
        }],
    }, separators=(",", ":"))


@dataclass
class Topic:
    name: str
    region: str
    account: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return topic_arn(self.region, self.account, self.name)

    @property
    def content_based_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"

    def to_doc(self) -> dict[str, Any]:
        return {"name": self.name, "region": self.region, "account": self.account, "fifo": self.fifo,
                "attributes": self.attributes, "tags": self.tags}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Topic:
        return cls(doc["name"], doc["region"], doc["account"], doc["fifo"], dict(doc["attributes"]),
                   dict(doc.get("tags") or {}))


@dataclass
class Subscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    attributes: dict[str, str]

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery") == "true"

    def dead_letter_arn(self) -> str | None:
        text = self.attributes.get("RedrivePolicy")
        if not text:
            return None
        target = json.loads(text).get("deadLetterTargetArn")
        return str(target) if target else None

    def summary(self) -> dict[str, str]:
        return {"SubscriptionArn": self.arn, "Owner": self.owner, "Protocol": self.protocol,
                "Endpoint": self.endpoint, "TopicArn": self.topic_arn}

    def all_attributes(self) -> dict[str, str]:
        out = {
            "ConfirmationWasAuthenticated": "true", "Endpoint": self.endpoint, "Owner": self.owner,
            "PendingConfirmation": "false", "Protocol": self.protocol, "RawMessageDelivery": "false",
            "SubscriptionArn": self.arn, "SubscriptionPrincipal": f"arn:aws:iam::{self.owner}:root",
            "TopicArn": self.topic_arn,
        }
        out.update(self.attributes)
        if "FilterPolicy" in self.attributes:
            out.setdefault("FilterPolicyScope", "MessageAttributes")
        return out

    def to_doc(self) -> dict[str, Any]:
        return {"arn": self.arn, "topic_arn": self.topic_arn, "protocol": self.protocol,
                "endpoint": self.endpoint,
                "owner": self.owner, "attributes": self.attributes}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Subscription:
        return cls(doc["arn"], doc["topic_arn"], doc["protocol"], doc["endpoint"], doc["owner"],
                   dict(doc["attributes"]))


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:{ids.partition_for(region)}:sns:{region}:{account}:{name}"


def check_topic_name(name: str, fifo: bool) -> None:
    pattern = _FIFO_TOPIC_NAME if fifo else _TOPIC_NAME
    if not pattern.fullmatch(name):
        raise invalid("Topic Name")


def check_arn(value: Any, parameter: str) -> list[str]:
    """The ``:``-separated parts of an ARN parameter, or SNS's InvalidParameter."""
    text = "" if value is None else str(value)
    parts = text.split(":")
    if len(parts) < 6:
        raise invalid(parameter, f"An ARN must have at least 6 elements, not {len(parts)}")
    return parts


def topic_attributes(topic: Topic, confirmed: int) -> dict[str, str]:
    out = {
        "TopicArn": topic.arn, "Owner": topic.account, "Policy": default_policy(topic.arn, topic.account),
        "DisplayName": "", "SubscriptionsConfirmed": str(confirmed), "SubscriptionsPending": "0",
        "SubscriptionsDeleted": "0",
        "EffectiveDeliveryPolicy": json.dumps(EFFECTIVE_DELIVERY_POLICY, separators=(",", ":")),
    }
    if topic.fifo:
        out["FifoTopic"] = "true"
        out["ContentBasedDeduplication"] = "false"
    out.update(topic.attributes)
    return out


class TopicRegistry:
    """Topics and subscriptions in the store, cached per node (``core.doccache``): every change is
    announced in its transaction, so a node never publishes to a subscription list another node changed."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._topics: DocCache[Topic | None] = DocCache(store, "sns-topics", self._load_topic)
        self._subs: DocCache[list[Subscription]] = DocCache(store, "sns-subscriptions", self._load_subs)

    def _load_topic(self, arn: str) -> Topic | None:
        doc = self.store.get_doc(TOPIC_KIND, arn)
        return Topic.from_doc(doc) if doc is not None else None

    def _load_subs(self, topic: str) -> list[Subscription]:
        return [Subscription.from_doc(d) for _, d in self.store.list_docs(SUB_KIND, topic + ":")]

    # --- topics ------------------------------------------------------------------------------------
    def find(self, arn: str) -> Topic | None:
        return self._topics.get(arn)

    def put(self, topic: Topic) -> None:
        with self.store.transaction() as txn:
            txn.put_doc(TOPIC_KIND, topic.arn, topic.to_doc())
            self._topics.changed(txn, topic.arn)

    def delete(self, arn: str) -> None:
        with self.store.transaction() as txn:
            txn.delete_doc(TOPIC_KIND, arn)
            for key, _ in txn.list_docs(SUB_KIND, arn + ":"):
                txn.delete_doc(SUB_KIND, key)
            self._topics.changed(txn, arn)
            self._subs.changed(txn, arn)

    def list_topics(self, region: str, account: str) -> list[Topic]:
        prefix = topic_arn(region, account, "")
        return [Topic.from_doc(doc) for _, doc in self.store.list_docs(TOPIC_KIND, prefix)]

    # --- subscriptions ---------------------------------------------------------------------------------
    def subscriptions(self, topic: str) -> list[Subscription]:
        return self._subs.get(topic)

    def all_subscriptions(self, region: str, account: str) -> list[Subscription]:
        prefix = topic_arn(region, account, "")
        return [Subscription.from_doc(d) for _, d in self.store.list_docs(SUB_KIND, prefix)]

    def subscription(self, arn: str) -> Subscription | None:
        doc = self.store.get_doc(SUB_KIND, arn)
        return Subscription.from_doc(doc) if doc is not None else None

    def put_subscription(self, sub: Subscription) -> None:
        with self.store.transaction() as txn:
            txn.put_doc(SUB_KIND, sub.arn, sub.to_doc())
            self._subs.changed(txn, sub.topic_arn)

    def delete_subscription(self, sub: Subscription) -> None:
        with self.store.transaction() as txn:
            txn.delete_doc(SUB_KIND, sub.arn)
            self._subs.changed(txn, sub.topic_arn)

    def reset(self) -> None:
        self._topics.clear()
        self._subs.clear()

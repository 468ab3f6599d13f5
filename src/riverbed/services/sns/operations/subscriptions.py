"""Subscribe, Unsubscribe, Get/SetSubscriptionAttributes, ListSubscriptions, ListSubscriptionsByTopic.

Owns: reading these requests and answering in AWS's shape.  Subscribe answers ``pending confirmation``
for protocols that need a confirmation (http, https, email) unless ``ReturnSubscriptionArn`` is set;
SQS and Lambda subscriptions are confirmed at once (recorded AWS: sns snapshot
``test_http_subscription_response``, ``test_subscribe_sqs_queue``).

Must not: hold subscription rules (``service`` does).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.sns.operations.paging import page
from riverbed.services.sns.operations.topics import service
from riverbed.services.sns.service import PENDING, SnsContext

_CONFIRMED_AT_ONCE = frozenset({"sqs", "lambda", "sms", "application", "firehose"})


def subscribe(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc = service(ctx)
    topic = svc.topic(request.get("TopicArn"), ctx.region)
    arn = svc.subscribe(topic, request.get("Protocol"), request.get("Endpoint"), request.get("Attributes"))
    if request.get("Protocol") not in _CONFIRMED_AT_ONCE and not request.get("ReturnSubscriptionArn"):
        return {"SubscriptionArn": PENDING}
    return {"SubscriptionArn": arn}


def unsubscribe(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    service(ctx).unsubscribe(request.get("SubscriptionArn"))
    return {}


def get_subscription_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    sub = service(ctx).subscription(request.get("SubscriptionArn"), ctx.region)
    return {"Attributes": sub.all_attributes()}


def set_subscription_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc = service(ctx)
    sub = svc.subscription(request.get("SubscriptionArn"), ctx.region)
    svc.set_subscription_attribute(sub, str(request.get("AttributeName", "")), request.get("AttributeValue"))
    return {}


def list_subscriptions(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    subs, token = page(service(ctx).topics.all_subscriptions(ctx.region, ctx.account),
                       request.get("NextToken"),
                       lambda s: s.arn)
    result: dict[str, Any] = {"Subscriptions": [s.summary() for s in subs]}
    if token:
        result["NextToken"] = token
    return result


def list_subscriptions_by_topic(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc = service(ctx)
    topic = svc.topic(request.get("TopicArn"), ctx.region)
    subs, token = page(svc.topics.subscriptions(topic.arn), request.get("NextToken"), lambda s: s.arn)
    result: dict[str, Any] = {"Subscriptions": [s.summary() for s in subs]}
    if token:
        result["NextToken"] = token
    return result

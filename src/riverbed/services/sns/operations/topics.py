"""CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes, SetTopicAttributes.

Owns: reading these requests and answering in AWS's shape.  DeleteTopic is idempotent (recorded AWS:
sns snapshot ``test_delete_topic_idempotency``); a malformed ARN still answers InvalidParameter.

Must not: hold topic rules (``service`` and ``topics`` do).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.sns.operations.paging import page
from riverbed.services.sns.service import SnsContext, SnsService
from riverbed.services.sns.topics import check_arn, topic_attributes


def service(ctx: SnsContext) -> SnsService:
    return ctx.backend


def create_topic(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    attributes = dict(request.get("Attributes") or {})
    if request.get("DataProtectionPolicy"):
        attributes["DataProtectionPolicy"] = request["DataProtectionPolicy"]
    topic = service(ctx).create_topic(ctx.region, ctx.account, str(request.get("Name", "")), attributes,
                                      request.get("Tags"))
    return {"TopicArn": topic.arn}


def delete_topic(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    arn = request.get("TopicArn")
    check_arn(arn, "TopicArn")
    service(ctx).delete_topic(str(arn))
    return {}


def list_topics(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    topics, token = page(service(ctx).topics.list_topics(ctx.region, ctx.account), request.get("NextToken"),
                         lambda t: t.arn)
    result: dict[str, Any] = {"Topics": [{"TopicArn": t.arn} for t in topics]}
    if token:
        result["NextToken"] = token
    return result


def get_topic_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc = service(ctx)
    topic = svc.topic(request.get("TopicArn"), ctx.region)
    return {"Attributes": topic_attributes(topic, len(svc.topics.subscriptions(topic.arn)))}


def set_topic_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    svc = service(ctx)
    topic = svc.topic(request.get("TopicArn"), ctx.region)
    svc.set_topic_attribute(topic, str(request.get("AttributeName", "")), request.get("AttributeValue"))
    return {}

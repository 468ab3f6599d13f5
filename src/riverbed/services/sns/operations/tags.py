"""TagResource, UntagResource, ListTagsForResource (topics).

Owns: the tag list kept in the topic document, listed in key order as AWS does (recorded AWS: sns
snapshot ``test_tags``); an unknown topic answers ResourceNotFound.

Must not: validate tag contents beyond duplicate keys.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.sns.errors import ResourceNotFound
from riverbed.services.sns.operations.topics import service
from riverbed.services.sns.service import SnsContext, check_tags
from riverbed.services.sns.topics import Topic, check_arn


def _topic(ctx: SnsContext, request: dict[str, Any]) -> Topic:
    arn = request.get("ResourceArn")
    check_arn(arn, "ResourceArn")
    topic = service(ctx).topics.find(str(arn))
    if topic is None:
        raise ResourceNotFound("Resource does not exist")
    return topic


def tag_resource(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    topic = _topic(ctx, request)
    topic.tags.update(check_tags(request.get("Tags")))
    service(ctx).topics.put(topic)
    return {}


def untag_resource(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    topic = _topic(ctx, request)
    for key in request.get("TagKeys") or []:
        topic.tags.pop(str(key), None)
    service(ctx).topics.put(topic)
    return {}


def list_tags_for_resource(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    topic = _topic(ctx, request)
    return {"Tags": [{"Key": k, "Value": topic.tags[k]} for k in sorted(topic.tags)]}

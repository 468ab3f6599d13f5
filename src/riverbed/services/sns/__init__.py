"""Amazon SNS: topics, subscriptions and publishing over the query protocol, delivering in-process.

``OPERATIONS`` maps each action to its function ``(ctx, request) -> dict``; ``wiring.wire(app)``
registers them with the gateway and exposes the domain object as ``app.sns``.
"""

from __future__ import annotations

from riverbed.core.service import Operation
from riverbed.services.sns.operations.publish import publish, publish_batch
from riverbed.services.sns.operations.subscriptions import (
    get_subscription_attributes,
    list_subscriptions,
    list_subscriptions_by_topic,
    set_subscription_attributes,
    subscribe,
    unsubscribe,
)
from riverbed.services.sns.operations.tags import list_tags_for_resource, tag_resource, untag_resource
from riverbed.services.sns.operations.topics import (
    create_topic,
    delete_topic,
    get_topic_attributes,
    list_topics,
    set_topic_attributes,
)

OPERATIONS: dict[str, Operation] = {
    "CreateTopic": create_topic,
    "DeleteTopic": delete_topic,
    "ListTopics": list_topics,
    "GetTopicAttributes": get_topic_attributes,
    "SetTopicAttributes": set_topic_attributes,
    "Subscribe": subscribe,
    "Unsubscribe": unsubscribe,
    "GetSubscriptionAttributes": get_subscription_attributes,
    "SetSubscriptionAttributes": set_subscription_attributes,
    "ListSubscriptions": list_subscriptions,
    "ListSubscriptionsByTopic": list_subscriptions_by_topic,
    "Publish": publish,
    "PublishBatch": publish_batch,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}

__all__ = ["OPERATIONS"]

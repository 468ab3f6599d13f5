"""Amazon SQS: queues and messages in the store, over the JSON protocol and the legacy query protocol.

``OPERATIONS`` maps each action to its function ``(ctx, request) -> dict``; ``wiring.wire(app)``
registers them with the gateway and exposes the domain object as ``app.sqs``.
"""

from __future__ import annotations

from riverbed.core.service import Operation
from riverbed.services.sqs.operations.change_visibility import (
    change_message_visibility,
    change_message_visibility_batch,
)
from riverbed.services.sqs.operations.delete_message import delete_message, delete_message_batch
from riverbed.services.sqs.operations.move_tasks import (
    cancel_message_move_task,
    list_message_move_tasks,
    start_message_move_task,
)
from riverbed.services.sqs.operations.permissions import add_permission, remove_permission
from riverbed.services.sqs.operations.queue_attributes import (
    get_queue_attributes,
    list_dead_letter_source_queues,
    set_queue_attributes,
)
from riverbed.services.sqs.operations.queue_lifecycle import (
    create_queue,
    delete_queue,
    get_queue_url,
    list_queues,
    purge_queue,
)
from riverbed.services.sqs.operations.receive_message import receive_message
from riverbed.services.sqs.operations.send_message import send_message, send_message_batch
from riverbed.services.sqs.operations.tags import list_queue_tags, tag_queue, untag_queue

OPERATIONS: dict[str, Operation] = {
    "CreateQueue": create_queue,
    "GetQueueUrl": get_queue_url,
    "ListQueues": list_queues,
    "DeleteQueue": delete_queue,
    "PurgeQueue": purge_queue,
    "GetQueueAttributes": get_queue_attributes,
    "SetQueueAttributes": set_queue_attributes,
    "ListDeadLetterSourceQueues": list_dead_letter_source_queues,
    "SendMessage": send_message,
    "SendMessageBatch": send_message_batch,
    "ReceiveMessage": receive_message,
    "DeleteMessage": delete_message,
    "DeleteMessageBatch": delete_message_batch,
    "ChangeMessageVisibility": change_message_visibility,
    "ChangeMessageVisibilityBatch": change_message_visibility_batch,
    "TagQueue": tag_queue,
    "UntagQueue": untag_queue,
    "ListQueueTags": list_queue_tags,
    "AddPermission": add_permission,
    "RemovePermission": remove_permission,
    "StartMessageMoveTask": start_message_move_task,
    "ListMessageMoveTasks": list_message_move_tasks,
    "CancelMessageMoveTask": cancel_message_move_task,
}

__all__ = ["OPERATIONS"]

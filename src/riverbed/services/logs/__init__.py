"""CloudWatch Logs: the operation table.

Owns: which Logs actions riverbed serves; an action not listed here is answered with AWS's
unknown-operation error by the gateway.
"""

from __future__ import annotations

from riverbed.core.service import Operation
from riverbed.services.logs.operations import events, groups, streams, tags

OPERATIONS: dict[str, Operation] = {
    "CreateLogGroup": groups.create_log_group,
    "DeleteLogGroup": groups.delete_log_group,
    "DescribeLogGroups": groups.describe_log_groups,
    "PutRetentionPolicy": groups.put_retention_policy,
    "DeleteRetentionPolicy": groups.delete_retention_policy,
    "CreateLogStream": streams.create_log_stream,
    "DeleteLogStream": streams.delete_log_stream,
    "DescribeLogStreams": streams.describe_log_streams,
    "PutLogEvents": events.put_log_events,
    "GetLogEvents": events.get_log_events,
    "FilterLogEvents": events.filter_log_events,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "ListTagsForResource": tags.list_tags_for_resource,
    "TagLogGroup": tags.tag_log_group,
    "UntagLogGroup": tags.untag_log_group,
    "ListTagsLogGroup": tags.list_tags_log_group,
}

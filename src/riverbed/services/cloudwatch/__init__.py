"""CloudWatch (metrics and metric alarms): the operation table.

Owns: which CloudWatch actions riverbed serves; an action not listed here is answered with AWS's
unknown-operation error by the gateway.
"""

from __future__ import annotations

from riverbed.core.service import Operation
from riverbed.services.cloudwatch.operations import alarm_history, alarms, get_metric_data, list_metrics, tags
from riverbed.services.cloudwatch.operations.get_metric_statistics import get_metric_statistics
from riverbed.services.cloudwatch.operations.put_metric_data import put_metric_data

OPERATIONS: dict[str, Operation] = {
    "PutMetricData": put_metric_data,
    "GetMetricStatistics": get_metric_statistics,
    "GetMetricData": get_metric_data.get_metric_data,
    "ListMetrics": list_metrics.list_metrics,
    "PutMetricAlarm": alarms.put_metric_alarm,
    "DescribeAlarms": alarms.describe_alarms,
    "DescribeAlarmsForMetric": alarms.describe_alarms_for_metric,
    "DeleteAlarms": alarms.delete_alarms,
    "SetAlarmState": alarms.set_alarm_state,
    "EnableAlarmActions": alarms.enable_alarm_actions,
    "DisableAlarmActions": alarms.disable_alarm_actions,
    "DescribeAlarmHistory": alarm_history.describe_alarm_history,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "ListTagsForResource": tags.list_tags_for_resource,
}

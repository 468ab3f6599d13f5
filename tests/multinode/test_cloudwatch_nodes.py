"""CloudWatch on two riverbed nodes sharing one PostgreSQL database: each node records its own requests'
data points and flushes them into the same stored slots, so either node (and the alarms, which run on
one of them) reads the data points of both."""

from __future__ import annotations

import boto3
import pytest

from tests.conftest import REGION, create_table
from tests.multinode.nodes import started_nodes


@pytest.fixture
def nodes(postgres_schema_url, tmp_path):
    with started_nodes(postgres_schema_url, tmp_path) as started:
        yield started


def _client(node, service):
    return boto3.client(service, endpoint_url=node.app.endpoint_url, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def test_each_node_reads_the_data_points_of_both(nodes, table_name):
    a, b = nodes
    create_table(_client(a, "dynamodb"), table_name)
    for count, node in ((3, a), (5, b)):
        ddb, cw = _client(node, "dynamodb"), _client(node, "cloudwatch")
        for i in range(count):
            ddb.put_item(TableName=table_name, Item={"pk": {"S": f"{node.app.endpoint_url}-{i}"}})
        cw.put_metric_data(Namespace="app", MetricData=[{"MetricName": "jobs", "Value": float(count)}])
    for node in nodes:
        node.call(node.app.drain(10), 20)        # the drain probes flush each node's slots
    for node in nodes:
        cw = _client(node, "cloudwatch")
        now = node.app.clock.now()
        jobs = cw.get_metric_statistics(Namespace="app", MetricName="jobs", StartTime=now - 600, EndTime=now + 60,
                                        Period=720, Statistics=["Sum", "SampleCount"])["Datapoints"]
        # (summed over the periods: the two data points may straddle a period boundary of the real clock)
        assert (sum(p["Sum"] for p in jobs), sum(p["SampleCount"] for p in jobs)) == (8.0, 2.0)
        latency = cw.get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName="SuccessfulRequestLatency", StartTime=now - 600,
            EndTime=now + 60, Period=720, Statistics=["SampleCount"],
            Dimensions=[{"Name": "TableName", "Value": table_name}, {"Name": "Operation", "Value": "PutItem"}])
        assert sum(p["SampleCount"] for p in latency["Datapoints"]) == 8.0

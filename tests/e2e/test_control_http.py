"""The HTTP control endpoints (`riverbed serve --clock manual`) for tests written in any language."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import riverbed
from riverbed import Riverbed


def _call(url, body=None, method="POST"):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else b"",
                                 method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_clock_drain_reset_over_http():
    with riverbed.Riverbed() as rb:
        base = rb.endpoint_url + "/_riverbed"
        status, before = _call(base + "/clock", method="GET")
        assert status == 200 and before["manual"] is True
        status, after = _call(base + "/clock", {"advance": 3600})
        assert status == 200 and after["now"] - before["now"] == 3600
        rb.client("dynamodb").create_table(TableName="tbl", BillingMode="PAY_PER_REQUEST",
                                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        assert _call(base + "/drain", {"timeout": 5}) == (200, {"drained": True})
        assert _call(base + "/reset", {}) == (200, {"reset": True})
        assert rb.client("dynamodb").list_tables()["TableNames"] == []


def test_control_endpoints_are_off_unless_enabled():
    with riverbed.Riverbed(control=False) as rb:
        status, _ = _call(rb.endpoint_url + "/_riverbed/reset", {})
        assert status == 404
        status, body = _call(rb.endpoint_url + "/_riverbed/health", method="GET")
        assert status == 200 and body["status"] == "running"


def _scrape(rb, accept=None):
    req = urllib.request.Request(rb.endpoint_url + "/metrics", headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req) as resp:
        return resp.headers["Content-Type"], resp.read().decode()


def test_metrics_endpoint_is_prometheus_text():
    with riverbed.Riverbed() as rb:
        rb.app.metrics.put("AWS/Lambda", "Invocations", {"FunctionName": "f"}, 1)
        content_type, text = _scrape(rb)
        assert content_type == "text/plain; version=0.0.4; charset=utf-8"
        assert "# TYPE aws_lambda_Invocations_total counter" in text
        assert 'aws_lambda_Invocations_total{FunctionName="f"} 1.0' in text


def test_three_invocations_count_three(riverbed, riverbed_client):
    ddb, lam = riverbed_client("dynamodb"), riverbed_client("lambda")
    arn = ddb.create_table(TableName="tbl", BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                           StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
                           )["TableDescription"]["LatestStreamArn"]
    riverbed.register_function("fn", lambda event, context: None)
    lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                    BatchSize=1)
    for key in ("a", "b", "c"):
        ddb.put_item(TableName="tbl", Item={"pk": {"S": key}})
        riverbed.drain()
    _, text = _scrape(riverbed)
    assert 'aws_lambda_Invocations_total{FunctionName="fn"} 3.0' in text
    assert "# TYPE aws_lambda_IteratorAge gauge" in text
    assert [line for line in text.splitlines() if line.startswith('aws_lambda_IteratorAge{FunctionName="fn"}')]


def test_levels_are_gauges_of_the_latest_value_and_durations_summaries(riverbed):
    metrics = riverbed.app.metrics
    for age in (5000, 20):
        metrics.put("AWS/Lambda", "IteratorAge", {"FunctionName": "f"}, age, "Milliseconds")
    for ms in (20, 30):
        metrics.put("AWS/Lambda", "Duration", {"FunctionName": "f"}, ms, "Milliseconds")
    _, text = _scrape(riverbed)
    assert 'aws_lambda_IteratorAge{FunctionName="f"} 20.0' in text
    assert "# TYPE aws_lambda_Duration summary" in text
    assert 'aws_lambda_Duration_count{FunctionName="f"} 2.0' in text
    assert 'aws_lambda_Duration_sum{FunctionName="f"} 50.0' in text
    assert metrics.total("AWS/Lambda", "IteratorAge", {"FunctionName": "f"}) == 5020   # the points are kept


def test_label_values_are_escaped_and_instances_do_not_share_a_registry(riverbed):
    riverbed.app.metrics.put("AWS/Lambda", "Errors", {"FunctionName": 'a"b\\c\nd'}, 1)
    riverbed.app.metrics.put("AWS/Lambda", "Errors", {"FunctionName": 'a"b\\c\nd'}, 1)
    _, text = _scrape(riverbed)
    assert 'aws_lambda_Errors_total{FunctionName="a\\"b\\\\c\\nd"} 2.0' in text
    with Riverbed() as other:
        other.app.metrics.put("AWS/Lambda", "Errors", {"FunctionName": "other"}, 1)
        _, other_text = _scrape(other)
    assert "aws_lambda_Errors_total" in other_text and "a\\\"b" not in other_text
    assert 'FunctionName="other"' not in _scrape(riverbed)[1]


def test_openmetrics_on_request(riverbed):
    riverbed.app.metrics.put("AWS/Lambda", "Invocations", {"FunctionName": "f"}, 1)
    content_type, text = _scrape(riverbed, "application/openmetrics-text; version=1.0.0; charset=utf-8")
    assert content_type.startswith("application/openmetrics-text")
    assert "# TYPE aws_lambda_Invocations counter" in text and text.endswith("# EOF\n")


def test_control_inputs_are_checked():
    with riverbed.Riverbed() as rb:
        base = rb.endpoint_url + "/_riverbed"
        for bad in ({"advance": None}, {"advance": "soon"}, {"advance": 1e308}, {"advance": -1},
                    {"advance": True}, [1], "x"):
            status, body = _call(base + "/clock", bad)
            assert status == 400, bad
            assert "message" in body
        for bad in ({"timeout": None}, {"timeout": "x"}, {"timeout": 1e9}):
            assert _call(base + "/drain", bad)[0] == 400, bad


def _declare_body(endpoint: str, target: str, size: int, send: bytes = b"") -> tuple[int, bytes]:
    """Announce a body of ``size`` bytes, send only ``send`` of it, and read the answer."""
    host, port = endpoint.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/")
    conn.putheader("Content-Type", "application/x-amz-json-1.0")
    conn.putheader("X-Amz-Target", target)
    conn.putheader("Content-Length", str(size))
    conn.endheaders(send or None)
    resp = conn.getresponse()
    try:
        return resp.status, resp.read()
    finally:
        conn.close()


def test_oversized_bodies_are_refused_before_parsing():
    with riverbed.Riverbed() as rb:
        # Refused on the declared length alone: the server answers without waiting for the body.
        status, body = _declare_body(rb.endpoint_url, "DynamoDB_20120810.DescribeTable", 100 * 1024 * 1024)
        assert status == 413 and b"RequestEntityTooLarge" in body
        # SQS's limit is smaller than DynamoDB's.
        status, _ = _declare_body(rb.endpoint_url, "AmazonSQS.ListQueues", 3 * 1024 * 1024)
        assert status == 413
        # A body within the limit is served as usual, and the server keeps serving.
        payload = b'{"TableName": "nope"}'
        status, body = _declare_body(rb.endpoint_url, "DynamoDB_20120810.DescribeTable", len(payload), payload)
        assert status == 400 and b"ResourceNotFoundException" in body
        assert rb.client("dynamodb").list_tables()["TableNames"] == []

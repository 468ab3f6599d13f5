"""The HTTP control endpoints (`riverbed serve --clock manual`) for tests written in any language."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import riverbed


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


def test_metrics_endpoint_is_prometheus_text():
    with riverbed.Riverbed() as rb:
        rb.app.metrics.put("AWS/Lambda", "Invocations", {"FunctionName": "f"}, 1)
        with urllib.request.urlopen(rb.endpoint_url + "/metrics") as resp:
            text = resp.read().decode()
        assert 'aws_lambda_Invocations{FunctionName="f"} 1.0' in text


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

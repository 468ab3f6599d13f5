"""The ``riverbed`` commands as a user runs them: subprocesses against a ``riverbed serve`` subprocess.

Covers status, tail, invoke, deploy, reset, clock and drain (each with ``--json`` and as plain text,
since stdout is a pipe here), and ``serve`` itself: a busy port fails before "listening" is printed,
and SIGTERM after a clean shutdown exits 0.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap

import boto3
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cli")]

RIVERBED = [sys.executable, "-m", "riverbed.cli.main"]
ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "PYTHONUNBUFFERED": "1"}


def start_server(*flags: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([*RIVERBED, "serve", "--port", "0", "--in-memory", *flags], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"listening on (http://[\d.]+:\d+)", line)
    assert match, f"no listening line: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
    return proc, match.group(1)


@pytest.fixture(scope="module")
def server():
    proc, url = start_server("--clock", "manual", "--iam", "off")
    yield url
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)


def run(url: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RIVERBED, *args, "--endpoint-url", url], capture_output=True, text=True, env=ENV,
                          timeout=timeout)


def client(url: str, service: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def make_table(url: str, name: str) -> None:
    client(url, "dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})


def test_deploy_wires_a_table_and_status_invoke_tail_show_it(server, tmp_path):
    make_table(server, "cli-orders")
    app = tmp_path / "orders-fn"
    app.mkdir()
    (app / "app.py").write_text(textwrap.dedent("""
        def handler(event, context):
            records = event.get("Records", [])
            print("got", len(records), "records")
            return {"seen": len(records), "echo": event.get("echo")}
    """))
    deployed = run(server, "deploy", str(app), "--handler", "app.handler", "--table", "cli-orders",
                   "--starting-position", "TRIM_HORIZON", "--batch-size", "10", "--json")
    assert deployed.returncode == 0, deployed.stderr
    result = json.loads(deployed.stdout)
    assert result["FunctionName"] == "orders-fn" and result["Role"].endswith(":role/riverbed-orders-fn-role")
    assert [m["Table"] for m in result["Mappings"]] == ["cli-orders"] and result["Mappings"][0]["BatchSize"] == 10
    policies = client(server, "iam").list_attached_role_policies(RoleName="riverbed-orders-fn-role")
    assert [p["PolicyName"] for p in policies["AttachedPolicies"]] == ["AWSLambdaDynamoDBExecutionRole"]

    again = run(server, "deploy", str(app), "--handler", "app.handler", "--table", "cli-orders", "--batch-size", "5")
    assert again.returncode == 0, again.stderr
    assert "updated" in again.stdout and result["Mappings"][0]["UUID"] in again.stdout   # same mapping, updated

    ddb = client(server, "dynamodb")
    ddb.put_item(TableName="cli-orders", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    ddb.update_item(TableName="cli-orders", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :n",
                    ExpressionAttributeValues={":n": {"N": "2"}})
    drained = run(server, "drain", "--json")
    assert drained.returncode == 0 and json.loads(drained.stdout) == {"drained": True}

    status = run(server, "status", "--json")
    assert status.returncode == 0, status.stderr
    view = json.loads(status.stdout)
    assert [t["name"] for t in view["tables"]] == ["cli-orders"]
    (mapping,) = view["mappings"]
    assert mapping["function"] == "orders-fn" and mapping["state"] == "Enabled" and mapping["result"] == "OK"
    text = run(server, "status")
    assert "Event source mappings" in text.stdout and "orders-fn" in text.stdout and "\x1b[" not in text.stdout

    invoked = run(server, "invoke", "orders-fn", "--payload", '{"echo": "hi"}', "--json")
    assert invoked.returncode == 0, invoked.stderr
    answer = json.loads(invoked.stdout)
    assert answer["Payload"] == {"seen": 0, "echo": "hi"} and "got 0 records" in answer["LogTail"]

    tail = run(server, "tail", "cli-orders", "--from", "trim_horizon", "--count", "2", "--json")
    assert tail.returncode == 0, tail.stderr
    records = [json.loads(line) for line in tail.stdout.splitlines()]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    plain = run(server, "tail", "cli-orders", "--from", "trim_horizon", "--count", "2")
    assert "~ n: 1 → 2" in plain.stdout, plain.stdout


def test_invoke_reports_function_errors_and_bad_payloads(server, tmp_path):
    app = tmp_path / "boom"
    app.mkdir()
    (app / "app.py").write_text("def handler(event, context):\n    raise RuntimeError('boom')\n")
    assert run(server, "deploy", str(app), "--handler", "app.handler").returncode == 0
    failed = run(server, "invoke", "boom")
    assert failed.returncode == 1 and "Unhandled" in failed.stdout and "boom" in failed.stdout
    bad = run(server, "invoke", "boom", "--payload", "{not json")
    assert bad.returncode == 1 and "--payload is not JSON" in bad.stderr
    missing = run(server, "invoke", "nope")
    assert missing.returncode == 1 and "ResourceNotFoundException" in missing.stderr


def test_clock_advance_and_reset(server):
    before = json.loads(run(server, "clock", "--json").stdout)["now"]
    advanced = run(server, "clock", "advance", "90", "--json")
    assert advanced.returncode == 0, advanced.stderr
    assert json.loads(advanced.stdout)["now"] == pytest.approx(before + 90)
    assert "clock manual" in run(server, "clock").stdout


def test_reset_empties_the_server():
    proc, url = start_server("--control")
    try:
        make_table(url, "gone-soon")
        assert run(url, "reset").returncode == 0
        assert json.loads(run(url, "status", "--json").stdout)["tables"] == []
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0


def test_client_commands_fail_in_one_line_when_no_server_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run(f"http://127.0.0.1:{port}", "status")
    assert result.returncode == 1 and "cannot reach riverbed" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_on_a_busy_port_fails_without_claiming_to_listen():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run([*RIVERBED, "serve", "--port", str(port), "--in-memory"], capture_output=True,
                                text=True, env=ENV, timeout=60)
    assert result.returncode == 1
    assert "listening" not in result.stdout
    assert "cannot listen" in result.stderr and "Traceback" not in result.stderr


def test_sigterm_shuts_down_cleanly_with_status_zero_even_with_a_dashboard_open():
    proc, url = start_server()
    assert json.loads(run(url, "status", "--json").stdout)["tables"] == []
    host, port = url.rsplit("/", 1)[-1].split(":")
    events = http.client.HTTPConnection(host, int(port), timeout=30)
    events.request("GET", "/_riverbed/ui/events")       # an open page: its stream must not hold the shutdown
    response = events.getresponse()
    assert response.readline().startswith(b"retry:")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    assert b"event: hello" in response.read()             # the stream ended cleanly with the server
    events.close()


def test_a_reader_that_stops_early_ends_the_command_quietly(server):
    # riverbed status | head -0: the reader has gone before the first line; no traceback, SIGPIPE's status.
    make_table(server, "pipe-reader")
    proc = subprocess.Popen([*RIVERBED, "status", "--endpoint-url", server], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=ENV)
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err, err.decode()
    assert proc.returncode == 128 + signal.SIGPIPE

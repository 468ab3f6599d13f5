"""Lambda's LoggingConfig through boto3: the JSON log format's structured records in CloudWatch Logs, and
ApplicationLogLevel / SystemLogLevel filtering (a real worker process runs the handler)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import riverbed
from tests.conftest import zip_code

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
SOURCE = '''
import logging

logger = logging.getLogger()


def handler(event, context):
    logger.debug("debug detail")
    logger.info("processing %s", event["order"])
    logger.warning("careful")
    print("plain print")
    return {"ok": True}
'''


@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


def _zip() -> bytes:
    return zip_code(SOURCE, "app.py")


def _messages(rb, name):
    events = rb.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    return [e["message"].rstrip("\n") for e in events]


def _create(rb, name, logging_config):
    return rb.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler", Code={"ZipFile": _zip()},
        LoggingConfig=logging_config)


def test_json_format_writes_structured_platform_and_application_records(rb):
    created = _create(rb, "orders", {"LogFormat": "JSON"})
    assert created["LoggingConfig"] == {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO",
                                        "LogGroup": "/aws/lambda/orders"}
    out = rb.client("lambda").invoke(FunctionName="orders", Payload=json.dumps({"order": 7}))
    request_id = out["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    lines = _messages(rb, "orders")
    records = [json.loads(line) for line in lines if line.startswith("{")]
    platform = [r for r in records if "type" in r]
    assert [r["type"] for r in platform] == ["platform.start", "platform.runtimeDone", "platform.report"]
    assert platform[0]["record"] == {"requestId": request_id, "version": "$LATEST"}
    assert platform[1]["record"]["status"] == "success"
    report = platform[2]["record"]
    assert report["requestId"] == request_id and report["status"] == "success"
    assert set(report["metrics"]) >= {"durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB"}
    assert report["metrics"]["memorySizeMB"] == 128
    assert all(r["time"].endswith("Z") for r in platform)
    app = [r for r in records if "level" in r]
    # INFO (the default ApplicationLogLevel) drops DEBUG; the runtime's JSON record carries the request id.
    assert [(r["level"], r["message"]) for r in app] == [("INFO", "processing 7"), ("WARNING", "careful")]
    assert app[0]["logger"] == "root" and app[0]["requestId"] == request_id
    assert "plain print" in lines
    assert not any(line.startswith(("START ", "END ", "REPORT ")) for line in lines)
    found = rb.client("logs").filter_log_events(logGroupName="/aws/lambda/orders",
                                                filterPattern='{ $.level = "WARNING" }')["events"]
    assert [json.loads(e["message"])["message"] for e in found] == ["careful"]


def test_log_levels_filter_application_and_system_records(rb):
    _create(rb, "quiet", {"LogFormat": "JSON", "ApplicationLogLevel": "WARN", "SystemLogLevel": "WARN"})
    rb.client("lambda").invoke(FunctionName="quiet", Payload=json.dumps({"order": 1}))
    records = [json.loads(line) for line in _messages(rb, "quiet") if line.startswith("{")]
    assert [(r.get("level"), r.get("message")) for r in records] == [("WARNING", "careful")]

    lam = rb.client("lambda")
    updated = lam.update_function_configuration(FunctionName="quiet", LoggingConfig={"ApplicationLogLevel": "DEBUG"})
    assert updated["LoggingConfig"]["ApplicationLogLevel"] == "DEBUG"
    assert updated["LoggingConfig"]["SystemLogLevel"] == "WARN"


def test_levels_need_the_json_format(rb):
    with pytest.raises(ClientError) as err:
        _create(rb, "texty", {"LogFormat": "Text", "ApplicationLogLevel": "DEBUG"})
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert err.value.response["Error"]["Message"] == (
        'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change '
        'the LogFormat to "Json" and try again.')
    created = _create(rb, "texty", {"LogFormat": "Text"})
    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/texty"}
    rb.client("lambda").invoke(FunctionName="texty", Payload=json.dumps({"order": 3}))
    lines = _messages(rb, "texty")
    assert lines[0].startswith("START RequestId: ") and lines[-1].startswith("REPORT RequestId: ")

"""The dashboard's routes without a browser: static files, the JSON views, and the event stream."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.error
import urllib.request
from urllib.parse import quote, urlparse

import pytest

import riverbed


@pytest.fixture
def rb():
    with riverbed.Riverbed(iam="off", shard_rollover_seconds=60, stream_trim_interval=5) as instance:
        yield instance


def get(rb, path: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(rb.endpoint_url + path) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def view(rb, path: str) -> dict:
    status, _, body = get(rb, "/_riverbed/ui/api/" + path)
    assert status == 200, body
    return json.loads(body)


def make_table(rb, name="tbl"):
    ddb = rb.client("dynamodb")
    arn = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                           StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                           )["TableDescription"]["LatestStreamArn"]
    return ddb, arn


def test_the_page_and_its_static_files_are_served_from_the_package(rb):
    status, headers, body = get(rb, "/_riverbed/ui")
    assert status == 200 and headers["content-type"].startswith("text/html") and b"app.js" in body
    for name, kind in (("app.js", "javascript"), ("style.css", "text/css"), ("uPlot.iife.min.js", "javascript")):
        status, headers, body = get(rb, f"/_riverbed/ui/static/{name}")
        assert status == 200 and kind in headers["content-type"] and body
    assert b"http" not in get(rb, "/_riverbed/ui")[2].replace(b"http-equiv", b"")   # no CDN
    assert get(rb, "/_riverbed/ui/static/../../config.py")[0] == 404
    assert get(rb, "/_riverbed/ui/api/nothing")[0] == 404


def test_the_dashboard_only_reads(rb):
    request = urllib.request.Request(rb.endpoint_url + "/_riverbed/ui/api/overview", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request)
    assert err.value.code == 405


def test_table_pages_follow_last_evaluated_key_and_query_by_key(rb):
    ddb, _ = make_table(rb)
    for i in range(30):
        ddb.put_item(TableName="tbl", Item={"pk": {"S": f"k{i:02d}"}})
    first = view(rb, "table?name=tbl")
    assert len(first["items"]) == 25 and first["next"]
    second = view(rb, f"table?name=tbl&start={quote(first['next'])}")
    assert len(second["items"]) == 5 and second["next"] is None
    keys = {i["pk"]["S"] for i in first["items"] + second["items"]}
    assert len(keys) == 30
    found = view(rb, "table?name=tbl&key=" + quote(json.dumps({"pk": {"S": "k07"}})))
    assert [i["pk"]["S"] for i in found["items"]] == ["k07"]
    assert get(rb, "/_riverbed/ui/api/table?name=missing")[0] == 404
    assert get(rb, "/_riverbed/ui/api/table?name=tbl&start=notjson")[0] == 400


def test_stream_view_shows_the_lineage_after_a_rollover(rb):
    ddb, arn = make_table(rb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "before"}})
    rb.clock.advance(70)          # past the rollover age: the open shard closes and a child opens
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "after"}})
    stream = view(rb, f"stream?arn={quote(arn, safe='')}")
    parent, child = stream["shards"]
    assert not parent["open"] and parent["end"] and child["open"] and child["parent"] == parent["id"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in stream["records"]] == ["after", "before"]
    assert stream["records"][0]["shard"] == child["id"]


def test_queue_view_peeks_without_receiving(rb):
    sqs = rb.client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody='{"hello": 1}')
    for _ in range(3):
        (message,) = view(rb, "queue?name=q")["messages"]
    assert message["json"] == {"hello": 1} and message["receive_count"] == 0
    got = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert got[0]["Attributes"]["ApproximateReceiveCount"] == "1"


def test_overview_is_scoped_to_the_account_and_region_asked_for(rb):
    make_table(rb)
    rb.client("dynamodb", region="eu-west-1").create_table(
        TableName="elsewhere", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    assert [t["name"] for t in view(rb, "overview")["tables"]] == ["tbl"]
    assert [t["name"] for t in view(rb, "overview?region=eu-west-1")["tables"]] == ["elsewhere"]
    assert view(rb, "overview?region=eu-west-1")["streams"] == []


def test_event_stream_sends_a_change_when_a_record_commits(rb):
    ddb, _ = make_table(rb)
    parts = urlparse(rb.endpoint_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/_riverbed/ui/events")
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("content-type") == "text/event-stream"
    lines: list[bytes] = []
    hello = threading.Event()
    changed = threading.Event()

    def read() -> None:
        for raw in response:
            lines.append(raw)
            if raw.startswith(b"event: hello"):
                hello.set()
            if raw.startswith(b"event: change"):
                changed.set()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert hello.wait(10)
    assert not changed.wait(0.3)            # nothing happened: nothing is sent
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "x"}})
    assert changed.wait(10), lines
    conn.close()


def _poison_handler(event, context):
    for record in event["Records"]:
        if record["dynamodb"]["Keys"]["pk"]["S"] == "poison":
            raise ValueError("poison record")


def test_mapping_view_shows_the_recent_batches_and_their_outcomes(rb):
    ddb, arn = make_table(rb)
    sqs = rb.client("sqs")
    url = sqs.create_queue(QueueName="failed")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rb.register_function("picky", _poison_handler)
    lam = rb.client("lambda")
    uuid = lam.create_event_source_mapping(   # disabled while writing: the four records form one batch
        FunctionName="picky", EventSourceArn=arn, StartingPosition="TRIM_HORIZON", BatchSize=10, Enabled=False,
        MaximumBatchingWindowInSeconds=0, BisectBatchOnFunctionError=True, MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}})["UUID"]
    assert view(rb, f"mapping?uuid={uuid}")["batches"] == []
    ddb.batch_write_item(RequestItems={"tbl": [{"PutRequest": {"Item": {"pk": {"S": k}}}}
                                                for k in ("a", "poison", "c", "d")]})
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    rb.drain()
    batches = view(rb, f"mapping?uuid={uuid}")["batches"]
    oldest_first = [(b["outcome"], b["records"], b["attempt"]) for b in reversed(batches)]
    # [a poison c d] fails and is halved; [a poison] fails and is halved; [a] succeeds; [poison] fails, is
    # retried once and then sent to the queue; [c d] succeeds.
    assert oldest_first == [("bisected", 4, 1), ("bisected", 2, 1), ("ok", 1, 1), ("retried", 1, 1),
                            ("sent to destination", 1, 2), ("ok", 2, 1)]
    sent = batches[1]
    assert sent["destination"] == queue_arn and sent["condition"] == "RetryAttemptsExhausted"
    assert sent["error"].startswith("Unhandled") and "poison record" in sent["error"]
    assert sent["first"] == sent["last"] and sent["shard"].startswith("shardId-")
    assert batches[0]["time"] >= batches[-1]["time"]
    # The queue page holds the batch the destination link points at.
    (message,) = view(rb, "queue?name=failed")["messages"]
    assert message["failure"]["first"] == sent["first"]
    # The history is bounded per mapping.
    for i in range(60):
        ddb.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}})
        rb.drain()
    assert len(view(rb, f"mapping?uuid={uuid}")["batches"]) == 50

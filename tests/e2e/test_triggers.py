"""Event source mappings end to end, in-process (manual clock, drain) with handlers in this process.

Each test drives AWS's rules through boto3 (tables, streams, mappings, queues) and
``riverbed.Riverbed``: retries counted exactly, bisect, partial batch failures, filters,
starting positions, windows, disable/enable without loss, fan-out and chained mappings.
"""

from __future__ import annotations

import json
import threading

import pytest

import riverbed


@pytest.fixture
def rb():
    with riverbed.Riverbed() as instance:
        yield instance


class Recorder:
    """A handler that records each batch and answers with a scripted response."""

    def __init__(self, respond=None):
        self.batches: list[list[dict]] = []
        self.respond = respond
        self.lock = threading.Lock()

    def __call__(self, event, context):
        with self.lock:
            self.batches.append(event["Records"])
            n = len(self.batches)
        if self.respond is not None:
            return self.respond(event, n)
        return None

    @property
    def keys(self):
        return [r["dynamodb"]["Keys"]["pk"]["S"] for b in self.batches for r in b]


def make_table(rb, name="src", view="NEW_AND_OLD_IMAGES"):
    ddb = rb.client("dynamodb")
    desc = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            StreamSpecification={"StreamEnabled": True, "StreamViewType": view})["TableDescription"]
    return ddb, desc["LatestStreamArn"]


def mapping(rb, fn, arn, **kw):
    params = {"FunctionName": fn, "EventSourceArn": arn, "StartingPosition": "TRIM_HORIZON"}
    params.update(kw)
    return rb.client("lambda").create_event_source_mapping(**params)


def put(ddb, table, *keys, **attrs):
    for k in keys:
        item = {"pk": {"S": k}}
        item.update({a: {"S": v} for a, v in attrs.items()})
        ddb.put_item(TableName=table, Item=item)


def test_records_reach_handler_in_order_with_aws_shape(rb):
    ddb, arn = make_table(rb)
    rec = Recorder()
    rb.register_function("fn", rec)
    created = mapping(rb, "fn", arn, BatchSize=10)
    assert created["State"] == "Creating" and created["LastProcessingResult"] == "No records processed"
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    put(ddb, "src", *[f"k{i}" for i in range(25)])
    rb.drain()
    assert rec.keys == [f"k{i}" for i in range(25)]
    assert max(len(b) for b in rec.batches) <= 10
    first = rec.batches[0][0]
    assert first["eventSourceARN"] == arn and first["eventName"] == "INSERT" and first["eventVersion"] == "1.1"
    assert first["eventSource"] == "aws:dynamodb" and first["awsRegion"] == "us-east-1"
    assert set(first["dynamodb"]) == {"ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber",
                                      "SizeBytes", "StreamViewType"}
    got = rb.client("lambda").get_event_source_mapping(UUID=created["UUID"])
    assert got["State"] == "Enabled" and got["LastProcessingResult"] == "OK"


def test_starting_position_latest_skips_older_records(rb):
    ddb, arn = make_table(rb)
    put(ddb, "src", "before")
    rec = Recorder()
    rb.register_function("fn", rec)
    mapping(rb, "fn", arn, StartingPosition="LATEST")
    put(ddb, "src", "after")
    rb.drain()
    assert rec.keys == ["after"]


def test_batching_window_waits_for_clock(rb):
    ddb, arn = make_table(rb)
    rec = Recorder()
    rb.register_function("fn", rec)
    mapping(rb, "fn", arn, BatchSize=100, MaximumBatchingWindowInSeconds=300)
    put(ddb, "src", "a", "b", "c")
    # drain() jumps over the pipeline's own wait: one batch of three after the 300 s window.
    start = rb.clock.now()
    rb.drain()
    assert [len(b) for b in rec.batches] == [3]
    assert rb.clock.now() - start >= 300


def test_retries_counted_exactly_then_sqs_destination(rb):
    ddb, arn = make_table(rb)
    sqs = rb.client("sqs")
    queue_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def boom(event, n):
        raise RuntimeError("poison")

    rec = Recorder(boom)
    rb.register_function("fn", rec)
    mapping(rb, "fn", arn, BatchSize=1, MaximumRetryAttempts=2,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    put(ddb, "src", "bad")
    rb.drain()
    assert len(rec.batches) == 3          # first attempt + 2 retries
    msgs = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(msgs) == 1
    body = json.loads(msgs[0]["Body"])
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["requestContext"]["approximateInvokeCount"] == 3
    assert body["requestContext"]["functionArn"].endswith(":function:fn")
    assert body["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    info = body["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == arn
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == rec.batches[0][0]["dynamodb"]["SequenceNumber"]
    assert info["approximateArrivalOfFirstRecord"].endswith("Z")
    assert body["version"] == "1.0"


def test_bisect_isolates_poison_record(rb):
    ddb, arn = make_table(rb)
    delivered: list[str] = []

    def handler(event, n):
        keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]
        if "poison" in keys:
            raise ValueError("poison in batch")
        delivered.extend(keys)

    rec = Recorder(handler)
    rb.register_function("fn", rec)
    keys = ["g0", "g1", "g2", "poison", "g4", "g5", "g6", "g7"]
    put(ddb, "src", *keys)   # written before the mapping exists, so the first batch holds all eight
    mapping(rb, "fn", arn, BatchSize=8, MaximumRetryAttempts=0, BisectBatchOnFunctionError=True)
    rb.drain()
    assert sorted(delivered) == sorted(k for k in keys if k != "poison")
    assert [len(b) for b in rec.batches][:3] == [8, 4, 2]


def test_report_batch_item_failures_retries_from_lowest(rb):
    ddb, arn = make_table(rb)

    def partial(event, n):
        if n == 1:
            third = event["Records"][2]["dynamodb"]["SequenceNumber"]
            return {"batchItemFailures": [{"itemIdentifier": third}]}
        return {"batchItemFailures": []}

    rec = Recorder(partial)
    rb.register_function("fn", rec)
    put(ddb, "src", *[f"k{i}" for i in range(5)])
    mapping(rb, "fn", arn, BatchSize=5, FunctionResponseTypes=["ReportBatchItemFailures"])
    rb.drain()
    first, second = ([r["dynamodb"]["Keys"]["pk"]["S"] for r in b] for b in rec.batches)
    assert first == [f"k{i}" for i in range(5)]
    assert second == ["k2", "k3", "k4"]


def test_invalid_item_identifier_fails_whole_batch(rb):
    ddb, arn = make_table(rb)
    sqs = rb.client("sqs")
    url = sqs.create_queue(QueueName="dest")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rec = Recorder(lambda event, n: {"batchItemFailures": [{"itemIdentifier": ""}]})
    rb.register_function("fn", rec)
    mapping(rb, "fn", arn, BatchSize=1, MaximumRetryAttempts=3, FunctionResponseTypes=["ReportBatchItemFailures"],
            DestinationConfig={"OnFailure": {"Destination": qarn}})
    put(ddb, "src", "a")
    rb.drain()
    assert len(rec.batches) == 4
    body = json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"])
    assert body["requestContext"]["approximateInvokeCount"] == 4
    assert body["responseContext"]["functionError"] is None


def test_filter_criteria(rb):
    ddb, arn = make_table(rb)
    rec = Recorder()
    rb.register_function("fn", rec)
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["DONE"]}}}}
    mapping(rb, "fn", arn, FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]})
    put(ddb, "src", "a", status="DONE")
    put(ddb, "src", "b", status="PENDING")
    put(ddb, "src", "a", status="DONE", extra="modify")
    rb.drain()
    assert rec.keys == ["a"]


def test_invalid_filter_pattern(rb):
    _ddb, arn = make_table(rb)
    rb.register_function("fn", Recorder())
    with pytest.raises(rb.client("lambda").exceptions.InvalidParameterValueException) as exc:
        mapping(rb, "fn", arn, FilterCriteria={"Filters": [{"Pattern": "single-string"}]})
    assert exc.value.response["Error"]["Message"] == "Invalid filter pattern definition."


def test_disable_enable_without_loss(rb):
    ddb, arn = make_table(rb)
    rec = Recorder()
    rb.register_function("fn", rec)
    lam = rb.client("lambda")
    uuid = mapping(rb, "fn", arn)["UUID"]
    put(ddb, "src", "a")
    rb.drain()
    out = lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    assert out["State"] == "Disabling"
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    put(ddb, "src", "b", "c")
    rb.drain()
    assert rec.keys == ["a"]
    assert lam.update_event_source_mapping(UUID=uuid, Enabled=True)["State"] == "Enabling"
    rb.drain()
    assert rec.keys == ["a", "b", "c"]


def test_two_mappings_each_get_every_record(rb):
    ddb, arn = make_table(rb)
    one, two = Recorder(), Recorder()
    rb.register_function("one", one)
    rb.register_function("two", two)
    mapping(rb, "one", arn)
    mapping(rb, "two", arn)
    put(ddb, "src", "x", "y")
    rb.drain()
    assert one.keys == two.keys == ["x", "y"]


def test_chained_mappings(rb):
    ddb, arn = make_table(rb, "first")
    _, arn2 = make_table(rb, "second")
    copier_client = rb.client("dynamodb")

    def copy(event, n):
        for r in event["Records"]:
            copier_client.put_item(TableName="second", Item=r["dynamodb"]["NewImage"])

    final = Recorder()
    rb.register_function("copier", Recorder(copy))
    rb.register_function("final", final)
    mapping(rb, "copier", arn)
    mapping(rb, "final", arn2)
    put(ddb, "first", "p", "q")
    rb.drain()
    assert final.keys == ["p", "q"]


def test_duplicate_mapping_and_missing_stream(rb):
    _ddb, arn = make_table(rb)
    rb.register_function("fn", Recorder())
    lam = rb.client("lambda")
    uuid = mapping(rb, "fn", arn)["UUID"]
    with pytest.raises(lam.exceptions.ResourceConflictException) as exc:
        mapping(rb, "fn", arn)
    assert exc.value.response["Error"]["Message"] == (
        f'The event source arn (" {arn} ") and function (" fn ") provided mapping already exists. '
        f"Please update or delete the existing mapping with UUID {uuid}")
    missing = arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        mapping(rb, "fn", missing)
    assert exc.value.response["Error"]["Message"] == f"Stream not found: {missing}"
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000")
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID=uuid)


def test_list_mappings_paging(rb):
    _ddb, arn = make_table(rb)
    lam = rb.client("lambda")
    for i in range(3):
        rb.register_function(f"fn{i}", Recorder())
        mapping(rb, f"fn{i}", arn)
    page = lam.list_event_source_mappings(EventSourceArn=arn, MaxItems=2)
    assert len(page["EventSourceMappings"]) == 2 and page["NextMarker"]
    rest = lam.list_event_source_mappings(EventSourceArn=arn, Marker=page["NextMarker"])
    assert len(rest["EventSourceMappings"]) == 1 and "NextMarker" not in rest
    assert len(lam.list_event_source_mappings(FunctionName="fn1")["EventSourceMappings"]) == 1


def test_record_age_discards_old_records(rb):
    ddb, arn = make_table(rb)
    sqs = rb.client("sqs")
    url = sqs.create_queue(QueueName="aged")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rec = Recorder()
    rb.register_function("fn", rec)
    put(ddb, "src", "old")
    rb.clock.advance(120)
    mapping(rb, "fn", arn, MaximumRecordAgeInSeconds=60, DestinationConfig={"OnFailure": {"Destination": qarn}})
    put(ddb, "src", "fresh")
    rb.drain()
    assert rec.keys == ["fresh"]
    body = json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"])
    assert body["requestContext"]["condition"] == "RecordAgeExceeded"


def test_iterator_age_and_invocation_metrics(rb):
    ddb, arn = make_table(rb)
    rb.register_function("fn", Recorder())
    put(ddb, "src", "a")
    rb.clock.advance(5)
    mapping(rb, "fn", arn)
    rb.drain()
    metrics = rb.app.metrics
    assert metrics.total("AWS/Lambda", "Invocations", {"FunctionName": "fn"}) == 1
    assert metrics.maximum("AWS/Lambda", "IteratorAge", {"FunctionName": "fn"}) >= 5000


def test_drain_timeout_names_pending_work(rb):
    ddb, arn = make_table(rb)
    release = threading.Event()

    def blocking(event, n):
        release.wait(10)

    rb.register_function("slow", Recorder(blocking), Timeout=30)
    mapping(rb, "slow", arn)
    put(ddb, "src", "a")
    with pytest.raises(TimeoutError) as exc:
        rb.drain(timeout=0.5)
    assert "shard" in str(exc.value)
    release.set()
    rb.drain()


def test_tumbling_window_state_and_final_invoke(rb):
    ddb, arn = make_table(rb)
    events_seen: list[dict] = []

    def handler(event, context):
        events_seen.append(event)
        total = event["state"].get("total", 0) + len(event["Records"])
        return {"state": {"total": total}}

    rb.register_function("agg", handler)
    put(ddb, "src", "a", "b", "c")
    mapping(rb, "agg", arn, TumblingWindowInSeconds=60, BatchSize=2)
    rb.drain()
    assert [len(e["Records"]) for e in events_seen] == [2, 1, 0]
    assert [e["state"] for e in events_seen] == [{}, {"total": 2}, {"total": 3}]
    assert [e["isFinalInvokeForWindow"] for e in events_seen] == [False, False, True]
    final = events_seen[-1]
    assert final["shardId"].startswith("shardId-") and final["eventSourceARN"] == arn
    assert final["window"]["start"].endswith("Z") and final["isWindowTerminatedEarly"] is False


def test_tumbling_window_response_without_state_is_a_failure(rb):
    ddb, arn = make_table(rb)
    calls: list[int] = []

    def handler(event, context):
        calls.append(len(event["Records"]))
        return None if len(calls) == 1 else {"state": {}}

    rb.register_function("agg", handler)
    put(ddb, "src", "a")
    mapping(rb, "agg", arn, TumblingWindowInSeconds=30)
    rb.drain()
    assert calls == [1, 1, 0]     # retried after the stateless answer, then the final invocation


def test_parallelization_factor_keeps_order_per_key(rb):
    ddb, arn = make_table(rb)
    rec = Recorder()
    rb.register_function("fn", rec)
    for round_ in range(5):
        for k in range(8):
            ddb.put_item(TableName="src", Item={"pk": {"S": f"k{k}"}, "v": {"N": str(round_)}})
    mapping(rb, "fn", arn, ParallelizationFactor=4, BatchSize=10)
    rb.drain()
    per_key: dict[str, list[int]] = {}
    for batch in rec.batches:
        for r in batch:
            per_key.setdefault(r["dynamodb"]["Keys"]["pk"]["S"], []).append(int(r["dynamodb"]["NewImage"]["v"]["N"]))
    assert per_key == {f"k{k}": [0, 1, 2, 3, 4] for k in range(8)}
    assert len(rec.batches) >= 4


def test_sns_topic_destination_fans_out_to_sqs(rb):
    ddb, arn = make_table(rb)
    sqs, sns = rb.client("sqs"), rb.client("sns")
    url = sqs.create_queue(QueueName="via-sns")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="failures")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})

    def boom(event, n):
        raise RuntimeError("no")

    rb.register_function("fn", Recorder(boom))
    mapping(rb, "fn", arn, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": topic}})
    put(ddb, "src", "x")
    rb.drain()
    body = json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"])
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["requestContext"]["approximateInvokeCount"] == 1


def test_missing_destination_counts_delivery_failure(rb):
    ddb, arn = make_table(rb)

    def boom(event, n):
        raise RuntimeError("no")

    rb.register_function("fn", Recorder(boom))
    lam = rb.client("lambda")
    uuid = mapping(rb, "fn", arn, MaximumRetryAttempts=0, DestinationConfig={
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:does-not-exist"}})["UUID"]
    put(ddb, "src", "x")
    rb.drain()
    assert rb.app.metrics.total("AWS/Lambda", "DestinationDeliveryFailures", {"FunctionName": "fn"}) == 1
    assert lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"].startswith("PROBLEM")


def test_ttl_remove_reaches_a_filtered_trigger(rb):
    ddb, arn = make_table(rb, view="OLD_IMAGE")
    ddb.update_time_to_live(TableName="src", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    rec = Recorder()
    rb.register_function("archiver", rec)
    pattern = {"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}}
    mapping(rb, "archiver", arn, FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]})
    now = int(rb.clock.now())
    ddb.put_item(TableName="src", Item={"pk": {"S": "expiring"}, "exp": {"N": str(now + 10)}})
    ddb.put_item(TableName="src", Item={"pk": {"S": "deleted-by-user"}})
    ddb.delete_item(TableName="src", Key={"pk": {"S": "deleted-by-user"}})
    rb.clock.advance(10 + rb.app.settings.ttl_interval)
    rb.drain()
    assert rec.keys == ["expiring"]
    record = rec.batches[0][0]
    assert record["eventName"] == "REMOVE"
    assert record["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert record["dynamodb"]["OldImage"]["pk"] == {"S": "expiring"}


def test_several_shard_lineages_keep_per_key_order():
    with riverbed.Riverbed(stream_shards=4) as rb4:
        ddb, arn = make_table(rb4)
        shards = rb4.client("dynamodbstreams").describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        assert len(shards) == 4
        rec = Recorder()
        rb4.register_function("fn", rec)
        mapping(rb4, "fn", arn, BatchSize=5)
        for round_ in range(3):
            for k in range(12):
                ddb.put_item(TableName="src", Item={"pk": {"S": f"k{k}"}, "v": {"N": str(round_)}})
        rb4.drain()
        per_key: dict[str, list[int]] = {}
        for batch in rec.batches:
            for r in batch:
                per_key.setdefault(r["dynamodb"]["Keys"]["pk"]["S"], []).append(
                    int(r["dynamodb"]["NewImage"]["v"]["N"]))
        assert per_key == {f"k{k}": [0, 1, 2] for k in range(12)}


def test_rollover_children_wait_for_parents(rb):
    ddb, arn = make_table(rb)
    rec = Recorder()
    rb.register_function("fn", rec)
    mapping(rb, "fn", arn, Enabled=False)
    put(ddb, "src", "a", "b")
    rb.clock.advance(4 * 3600 + 1)         # the shard rolls over; new writes go to its child
    put(ddb, "src", "c", "d")
    lam = rb.client("lambda")
    uuid = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"][0]["UUID"]
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    rb.drain()
    assert rec.keys == ["a", "b", "c", "d"]

"""The dashboard's JSON views: one function per page, each reading through the services' own APIs.

Owns: what each page shows and in which shape (overview, table, stream, mapping, function, queue,
topic).  AWS-shaped facts come from the same operation functions the wire serves, called on the
services' backends (``app.dynamodb``, ``app.triggers``, ``app.lambda_``, ``app.sqs``, ``app.sns``,
``app.cloudwatch``, ``app.logs``) with an in-process :class:`RequestContext` for the chosen account
and region; what AWS has no read operation for comes from the services' Python APIs: the stream log
(``app.streams``: lineage, raw records), the metrics data points (``app.metrics``) and the queue's
message log (peeked without being received).

Must not: change anything.  Every call here is a read; a queue peek never marks a message received.
"""

from __future__ import annotations

import asyncio
import base64
import re
from typing import TYPE_CHECKING, Any

import orjson

from riverbed import ids
from riverbed.core.context import RequestContext
from riverbed.errors import ServiceError

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.app import App

PAGE_SIZE = 25
RECENT_RECORDS = 50
CHART_METRICS = ("IteratorAge", "Invocations", "Errors", "Throttles")
_REPORT = re.compile(r"REPORT RequestId: (?P<id>\S+)\tDuration: (?P<duration>[\d.]+) ms"
                     r"(?:.*?Init Duration: (?P<init>[\d.]+) ms)?(?:.*?Status: (?P<status>\w+))?")


class NotFound(Exception):
    """The page's subject does not exist (answered as 404)."""


class Reader:
    """Calls read operations in-process, as the caller ``account`` in ``region``."""

    def __init__(self, app: App, account: str, region: str) -> None:
        self.app = app
        self.account = account
        self.region = region

    async def call(self, service: str, operation: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
        bound = self.app.gateway.bound[(service, operation)]
        ctx = RequestContext(backend=bound.backend, store=self.app.store, clock=self.app.clock, service=service,
                             operation=operation, account=self.account, region=self.region,
                             request_id=ids.request_id(), host=self.app.endpoint_url.split("://", 1)[-1],
                             internal=True)
        out: Any = bound.func(ctx, dict(request or {}))
        if asyncio.iscoroutine(out):
            out = await out
        return dict(out or {})

    async def maybe(self, service: str, operation: str, request: dict[str, Any] | None = None
                    ) -> dict[str, Any] | None:
        """The answer, or None when the service answers with an error (a resource gone meanwhile)."""
        try:
            return await self.call(service, operation, request)
        except ServiceError:
            return None


def to_json(value: Any) -> bytes:
    """orjson with the few non-JSON values operations return (bytes as base64, others as text)."""

    def default(obj: Any) -> Any:
        if isinstance(obj, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(obj)).decode()
        if isinstance(obj, (set, frozenset)):
            return sorted(obj, key=str)
        return str(obj)

    return orjson.dumps(value, default=default, option=orjson.OPT_NON_STR_KEYS)


# --- overview -------------------------------------------------------------------------------------------
async def overview(app: App, r: Reader) -> dict[str, Any]:
    tables = []
    for name in (await r.call("dynamodb", "ListTables", {})).get("TableNames", []):
        desc = await r.maybe("dynamodb", "DescribeTable", {"TableName": name})
        if desc is not None:
            t = desc["Table"]
            tables.append({"name": name, "status": t.get("TableStatus"), "items": t.get("ItemCount", 0),
                           "bytes": t.get("TableSizeBytes", 0), "stream": t.get("LatestStreamArn"),
                           "view": (t.get("StreamSpecification") or {}).get("StreamViewType"),
                           "indexes": len(t.get("GlobalSecondaryIndexes") or []) +
                           len(t.get("LocalSecondaryIndexes") or [])})
    streams = [_stream_summary(s) for s in app.streams.all() if s.account == r.account and s.region == r.region]
    functions = [{"name": f["FunctionName"], "runtime": f.get("Runtime"), "state": f.get("State"),
                  "memory": f.get("MemorySize"), "timeout": f.get("Timeout")}
                 for f in (await r.call("lambda", "ListFunctions", {})).get("Functions", [])]
    mappings = [_mapping_summary(app, m)
                for m in (await r.call("lambda", "ListEventSourceMappings", {})).get("EventSourceMappings", [])]
    queues = []
    for url in (await r.call("sqs", "ListQueues", {})).get("QueueUrls", []):
        attrs = await r.maybe("sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]})
        if attrs is not None:
            a = attrs.get("Attributes", {})
            queues.append({"name": url.rsplit("/", 1)[-1], "url": url, "arn": a.get("QueueArn"),
                           "visible": int(a.get("ApproximateNumberOfMessages", 0)),
                           "in_flight": int(a.get("ApproximateNumberOfMessagesNotVisible", 0)),
                           "delayed": int(a.get("ApproximateNumberOfMessagesDelayed", 0))})
    topics = []
    for topic in (await r.call("sns", "ListTopics", {})).get("Topics", []):
        subs = await r.maybe("sns", "ListSubscriptionsByTopic", {"TopicArn": topic["TopicArn"]})
        topics.append({"arn": topic["TopicArn"], "name": topic["TopicArn"].rsplit(":", 1)[-1],
                       "subscriptions": len((subs or {}).get("Subscriptions", []))})
    alarms = [{"name": a["AlarmName"], "state": a.get("StateValue"), "reason": a.get("StateReason"),
               "metric": a.get("MetricName"), "namespace": a.get("Namespace")}
              for a in (await r.call("cloudwatch", "DescribeAlarms", {})).get("MetricAlarms", [])]
    return {"account": r.account, "region": r.region, "now": app.clock.now(), "tables": tables,
            "streams": streams, "functions": functions, "mappings": mappings, "queues": queues,
            "topics": topics, "alarms": alarms}


def _stream_summary(stream: Any) -> dict[str, Any]:
    return {"arn": stream.arn, "table": stream.table_name, "status": stream.status, "view": stream.view_type,
            "shards": len(stream.shards), "open": sum(1 for s in stream.shards if s.end is None)}


def _iterator_age(app: App, uuid: str, now: float) -> dict[str, Any]:
    """The latest IteratorAge (ms) and whether it grew over the last minute of data points."""
    points = [(t, v) for t, v, _ in app.metrics.points("AWS/Lambda", "IteratorAge", {"EventSourceMappingUUID": uuid})
              if t >= now - 60]
    if not points:
        return {"latest": None, "growing": False}
    half = len(points) // 2
    early = max((v for _, v in points[:half]), default=points[0][1])
    late = max(v for _, v in points[half:])
    return {"latest": points[-1][1], "growing": len(points) >= 4 and late > early * 1.5 and late > 1000}


def _mapping_summary(app: App, m: dict[str, Any]) -> dict[str, Any]:
    age = _iterator_age(app, m["UUID"], app.clock.now())
    result = m.get("LastProcessingResult") or ""
    return {"uuid": m["UUID"], "function": m.get("FunctionArn", "").split(":function:")[-1],
            "source": m.get("EventSourceArn"), "state": m.get("State"), "result": result,
            "iterator_age": age["latest"], "growing": age["growing"],
            "healthy": not result.startswith("PROBLEM") and not age["growing"],
            "destination": ((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")}


# --- table ----------------------------------------------------------------------------------------------
async def table(app: App, r: Reader, name: str, start: str | None) -> dict[str, Any]:
    desc = await r.maybe("dynamodb", "DescribeTable", {"TableName": name})
    if desc is None:
        raise NotFound(f"table {name}")
    ttl = await r.maybe("dynamodb", "DescribeTimeToLive", {"TableName": name})
    scan: dict[str, Any] = {"TableName": name, "Limit": PAGE_SIZE}
    if start:
        scan["ExclusiveStartKey"] = orjson.loads(start)
    page = await r.call("dynamodb", "Scan", scan)
    last = page.get("LastEvaluatedKey")
    return {"table": desc["Table"], "ttl": (ttl or {}).get("TimeToLiveDescription"),
            "items": page.get("Items", []), "next": orjson.dumps(last).decode() if last else None}


async def query_table(app: App, r: Reader, name: str, key: dict[str, Any]) -> dict[str, Any]:
    """Items whose partition key equals the given value (and sort key, when given)."""
    desc = await r.maybe("dynamodb", "DescribeTable", {"TableName": name})
    if desc is None:
        raise NotFound(f"table {name}")
    names, values, conds = {}, {}, []
    for i, (attr, value) in enumerate(key.items()):
        names[f"#k{i}"] = attr
        values[f":v{i}"] = value
        conds.append(f"#k{i} = :v{i}")
    page = await r.call("dynamodb", "Query", {"TableName": name, "KeyConditionExpression": " AND ".join(conds),
                                              "ExpressionAttributeNames": names,
                                              "ExpressionAttributeValues": values, "Limit": PAGE_SIZE})
    return {"items": page.get("Items", [])}


# --- stream ---------------------------------------------------------------------------------------------
def stream(app: App, r: Reader, arn: str) -> dict[str, Any]:
    s = app.streams.get(arn)
    if s is None or s.account != r.account:
        raise NotFound(f"stream {arn}")
    shards = []
    for shard in s.shards:
        first = app.store.first_record(shard.no)
        last = app.store.last_record_seq(shard.no)
        shards.append({"id": shard.shard_id, "parent": shard.parent, "lineage": shard.lineage,
                       "open": shard.end is None, "start": ids.sequence_number(shard.start),
                       "end": ids.sequence_number(shard.end) if shard.end is not None else None,
                       "first": ids.sequence_number(first[0]) if first else None,
                       "last": ids.sequence_number(last) if last is not None else None,
                       "created": shard.created})
    return {"stream": {**s.describe(), "Shards": len(s.shards)}, "shards": shards, "records": latest_records(app, s)}


def latest_records(app: App, s: Any, limit: int = RECENT_RECORDS) -> list[dict[str, Any]]:
    """The newest ``limit`` records of the stream across its shards, newest first, with their shard."""
    out: list[tuple[int, str, dict[str, Any]]] = []
    for shard in s.shards:
        last = app.store.last_record_seq(shard.no)
        if last is None:
            continue
        lowest = app.streams.first_position(shard)
        window = 4 * limit      # sequence numbers are shared by every stream: look back until enough are found
        while True:
            start = max(lowest, last - window)
            rows, _ = app.streams.read(shard, start, window + 1)
            if len(rows) >= limit or start <= lowest:
                break
            window *= 4
        out.extend((seq, shard.shard_id, orjson.loads(data)) for seq, _, data in rows[-limit:])
    out.sort(key=lambda row: row[0], reverse=True)
    del out[limit:]
    return [{"shard": shard_id, **record} for _, shard_id, record in out]


# --- mapping --------------------------------------------------------------------------------------------
async def mapping(app: App, r: Reader, uuid: str) -> dict[str, Any]:
    m = await r.maybe("lambda", "GetEventSourceMapping", {"UUID": uuid})
    if m is None:
        raise NotFound(f"mapping {uuid}")
    m.pop("ResponseMetadata", None)
    dims = {"EventSourceMappingUUID": uuid}
    charts = {name: series(app, "AWS/Lambda", name, dims, "max" if name == "IteratorAge" else "sum")
              for name in CHART_METRICS}
    # Recent batches and their outcome: the trigger engine's in-memory history on this node (newest first).
    return {"mapping": m, "summary": _mapping_summary(app, m), "charts": charts,
            "batches": app.triggers.recent_batches(uuid)}


def series(app: App, namespace: str, name: str, dims: dict[str, str], stat: str, seconds: int = 300
           ) -> dict[str, Any]:
    """Per-second buckets of a metric's data points over the last ``seconds`` (``t`` in epoch seconds).

    Counts (``sum``) read 0 in the seconds without a data point, from the first point up to now, so the
    line falls back to zero; a gauge (``max``, IteratorAge) has values only where it was measured.
    """
    now = app.clock.now()
    buckets: dict[int, float] = {}
    for t, v, _ in app.metrics.points(namespace, name, dims):
        if t < now - seconds:
            continue
        second = int(t)
        if stat == "max":
            buckets[second] = max(buckets.get(second, v), v)
        else:
            buckets[second] = buckets.get(second, 0.0) + v
    if stat == "sum" and buckets:
        keys = list(range(min(buckets), max(int(now), max(buckets)) + 1))
    else:
        keys = sorted(buckets)
    return {"t": [float(k) for k in keys], "v": [buckets.get(k, 0.0) for k in keys], "now": now}


# --- function -------------------------------------------------------------------------------------------
async def function(app: App, r: Reader, name: str) -> dict[str, Any]:
    got = await r.maybe("lambda", "GetFunction", {"FunctionName": name})
    if got is None:
        raise NotFound(f"function {name}")
    config = got.get("Configuration", {})
    group = (config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{config.get('FunctionName', name)}"
    events = await r.maybe("logs", "FilterLogEvents", {"logGroupName": group, "limit": 500})
    lines = (events or {}).get("events", [])[-500:]
    invocations = []
    current, failed = "", set()
    for event in lines:
        message = event.get("message", "")
        if message.startswith("START RequestId: "):
            current = message.split()[2]
        elif "[ERROR]" in message or message.startswith("Traceback"):
            failed.add(current)   # the handler raised: AWS logs the error between START and END
        m = _REPORT.match(message)
        if m:
            status = m["status"] or ("error" if m["id"] in failed else "ok")
            invocations.append({"request_id": m["id"], "duration_ms": float(m["duration"]),
                                "cold": m["init"] is not None, "init_ms": float(m["init"]) if m["init"] else None,
                                "status": status, "timestamp": event.get("timestamp")})
    mappings = [_mapping_summary(app, m) for m in
                (await r.call("lambda", "ListEventSourceMappings", {"FunctionName": name}))
                .get("EventSourceMappings", [])]
    dims = {"FunctionName": config.get("FunctionName", name)}
    charts = {metric: series(app, "AWS/Lambda", metric, dims, "sum") for metric in ("Invocations", "Errors")}
    return {"configuration": config, "log_group": group, "invocations": invocations[::-1][:50],
            "logs": [{"timestamp": e.get("timestamp"), "stream": e.get("logStreamName"), "message": e.get("message")}
                     for e in lines[-200:]], "mappings": mappings, "charts": charts}


# --- queue and topic ------------------------------------------------------------------------------------
async def queue(app: App, r: Reader, name: str, limit: int = 50) -> dict[str, Any]:
    url = await r.maybe("sqs", "GetQueueUrl", {"QueueName": name})
    if url is None:
        raise NotFound(f"queue {name}")
    attrs = (await r.call("sqs", "GetQueueAttributes", {"QueueUrl": url["QueueUrl"],
                                                         "AttributeNames": ["All"]})).get("Attributes", {})
    arn = attrs["QueueArn"]
    # Peek: the message log read without log_mark_received, so nothing becomes invisible or counts a receive.
    rows = app.store.log_find_visible(arn, app.clock.now(), limit)
    messages = []
    for row in rows:
        data = orjson.loads(row.data)
        body = data.get("body", "")
        parsed = None
        try:
            parsed = orjson.loads(body)
        except (orjson.JSONDecodeError, TypeError):
            pass
        messages.append({"id": row.msg_id, "sent": row.sent_at, "receive_count": row.receive_count, "body": body,
                         "json": parsed, "failure": _failure_record(parsed)})
    return {"name": name, "url": url["QueueUrl"], "attributes": attrs, "messages": messages}


def _failure_record(parsed: Any) -> dict[str, Any] | None:
    """The readable gist of a stream mapping's on-failure record (``requestContext`` + ``DDBStreamBatchInfo``)."""
    if not isinstance(parsed, dict) or "DDBStreamBatchInfo" not in parsed:
        return None
    info = parsed["DDBStreamBatchInfo"]
    ctx = parsed.get("requestContext") or {}
    return {"condition": ctx.get("condition"), "function": ctx.get("functionArn"),
            "attempts": ctx.get("approximateInvokeCount"), "shard": info.get("shardId"),
            "first": info.get("startSequenceNumber"), "last": info.get("endSequenceNumber"),
            "size": info.get("batchSize"), "stream": info.get("streamArn")}


async def topic(app: App, r: Reader, arn: str) -> dict[str, Any]:
    attrs = await r.maybe("sns", "GetTopicAttributes", {"TopicArn": arn})
    if attrs is None:
        raise NotFound(f"topic {arn}")
    subs = await r.call("sns", "ListSubscriptionsByTopic", {"TopicArn": arn})
    return {"arn": arn, "attributes": attrs.get("Attributes", {}), "subscriptions": subs.get("Subscriptions", [])}

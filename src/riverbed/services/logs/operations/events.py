"""Events: PutLogEvents, GetLogEvents (forward and backward tokens) and FilterLogEvents.

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
GetLogEvents tokens are ``f/<position>`` and ``b/<position>`` in the stream's time-ordered events (AWS
answers the token it was given when there is nothing further).  Without a token, ``startFromHead``
false (the default) answers the newest ``limit`` events.  PutLogEvents rejects events older than 14
days or the group's retention, and newer than 2 hours, as ``rejectedLogEventsInfo`` does on AWS.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.logs.errors import invalid
from riverbed.services.logs.operations.naming import group_name
from riverbed.services.logs.patterns import compile_pattern
from riverbed.services.logs.service import Event, LogsContext

DAY_MS = 86400 * 1000


def put_log_events(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    group, name = req["logGroupName"], req["logStreamName"]
    group_doc = svc.get_group(ctx.account, ctx.region, group)
    stream = svc.require_stream(ctx.account, ctx.region, group, name)
    events = req["logEvents"]
    stamps = [int(e["timestamp"]) for e in events]
    if stamps != sorted(stamps):
        raise invalid("Log events in a single PutLogEvents request must be in chronological order.")
    if stamps and stamps[-1] - stamps[0] > DAY_MS:
        raise invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
    now = svc.now_ms()
    too_old = now - 14 * DAY_MS
    too_new = now + 2 * 3600 * 1000
    days = group_doc.get("retentionInDays") if group_doc else None
    expired = now - days * DAY_MS if days else None
    rejected: dict[str, int] = {}
    accepted = []
    for i, event in enumerate(events):
        ts = int(event["timestamp"])
        if ts < too_old:
            rejected["tooOldLogEventEndIndex"] = i + 1
        elif expired is not None and ts < expired:
            rejected["expiredLogEventEndIndex"] = i + 1
        elif ts > too_new:
            rejected.setdefault("tooNewLogEventStartIndex", i)
        else:
            accepted.append((ts, event["message"]))
    svc.append(ctx.account, ctx.region, group, stream, accepted)
    result: dict[str, Any] = {"nextSequenceToken": stream.get("uploadSequenceToken", "1")}
    if rejected:
        result["rejectedLogEventsInfo"] = rejected
    return result


def _window(events: list[Event], req: dict[str, Any]) -> list[Event]:
    start, end = req.get("startTime"), req.get("endTime")
    return [e for e in events if (start is None or e.timestamp >= start) and (end is None or e.timestamp < end)]


def get_log_events(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    group = group_name(req)
    svc.require_stream(ctx.account, ctx.region, group, req["logStreamName"])
    events = _window(svc.events(ctx.account, ctx.region, group, req["logStreamName"]), req)
    limit = int(req.get("limit") or 10000)
    token = req.get("nextToken")
    if token:
        direction, _, pos_text = token.partition("/")
        try:
            pos = int(pos_text)
        except ValueError:
            raise invalid("The specified nextToken is invalid.") from None
        if direction not in ("f", "b") or not 0 <= pos <= len(events):
            raise invalid("The specified nextToken is invalid.")
        lo, hi = (pos, min(len(events), pos + limit)) if direction == "f" else (max(0, pos - limit), pos)
    elif req.get("startFromHead"):
        lo, hi = 0, min(len(events), limit)
    else:
        lo, hi = max(0, len(events) - limit), len(events)
    chosen = events[lo:hi]
    forward = f"f/{hi:056d}" if chosen or not token else token
    backward = f"b/{lo:056d}" if chosen or not token else token
    return {"events": [{"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time}
                       for e in chosen],
            "nextForwardToken": forward, "nextBackwardToken": backward}


def filter_log_events(ctx: LogsContext, req: dict[str, Any]) -> dict[str, Any]:
    svc = ctx.backend
    group = group_name(req)
    svc.require_group(ctx.account, ctx.region, group)
    if req.get("logStreamNames") and req.get("logStreamNamePrefix"):
        raise invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
    match = compile_pattern(req.get("filterPattern"))
    names = req.get("logStreamNames")
    prefix = req.get("logStreamNamePrefix")
    found: list[tuple[int, int, str, Event]] = []
    for stream in svc.list_streams(ctx.account, ctx.region, group):
        name = stream["logStreamName"]
        if (names and name not in names) or (prefix and not name.startswith(prefix)):
            continue
        for event in _window(svc.events(ctx.account, ctx.region, group, name), req):
            if match(event.message):
                found.append((event.timestamp, event.seq, name, event))
    found.sort(key=lambda f: (f[0], f[1]))
    start = 0
    if req.get("nextToken"):
        try:
            start = int(req["nextToken"])
        except ValueError:
            raise invalid("The specified nextToken is invalid.") from None
    limit = int(req.get("limit") or 10000)
    chosen = found[start:start + limit]
    result: dict[str, Any] = {
        "events": [{"logStreamName": name, "timestamp": e.timestamp, "message": e.message,
                    "ingestionTime": e.ingestion_time, "eventId": e.event_id} for _, _, name, e in chosen],
        "searchedLogStreams": [],
    }
    if start + limit < len(found):
        result["nextToken"] = str(start + limit)
    return result

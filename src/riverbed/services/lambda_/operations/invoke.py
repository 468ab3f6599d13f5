"""Invoke: RequestResponse (200 with the function's answer), Event (202, run in the background) or DryRun (204).

Order of checks, as AWS answers them: payload size (413 ``RequestEntityTooLargeException``, Lambda's
own code for this, with its text), the function (404 quoting ``<arn>:$LATEST`` when unqualified), then
the payload must be JSON (``InvalidRequestContentException``).  A function error is still a 200, with
``X-Amz-Function-Error: Unhandled``; ``LogType=Tail`` adds the last 4 KB of the log, base64-encoded.
Throttles are ``TooManyRequestsException`` (429) from the runtime.

https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (6 MB sync, 1 MB async)
"""

from __future__ import annotations

import base64
from typing import Any

from riverbed.core.jsondoc import parse_json_body
from riverbed.errors import error
from riverbed.services.lambda_ import names
from riverbed.services.lambda_.lookup import ref_for, require_qualified
from riverbed.services.lambda_.service import LambdaContext

SYNC_PAYLOAD_LIMIT = 6291456
ASYNC_PAYLOAD_LIMIT = 1048576
TAIL_BYTES = 4096


async def invoke(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    payload = request.get("Payload") or b""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    kind = request.get("InvocationType") or "RequestResponse"
    _check_size(kind, len(payload))
    ref = ref_for(ctx, request)
    if ref.qualifier is None:
        ref = names.resolve_qualifier(ref, names.LATEST)
    doc = require_qualified(ctx, ref, route=ctx.backend.routing)
    if payload.strip():
        parse_json_body(payload)
    service = ctx.backend
    if kind == "DryRun":
        return {"StatusCode": 204}
    if kind == "Event":
        service.async_invocations.submit(ref, payload, ctx.request_id)
        return {"StatusCode": 202}
    result = await service.run(doc, payload, request_id=ctx.request_id)
    out: dict[str, Any] = {"StatusCode": 200, "Payload": result.payload, "ExecutedVersion": result.executed_version}
    if result.function_error:
        out["FunctionError"] = result.function_error
    if request.get("LogType") == "Tail":
        tail = result.log_text.encode("utf-8")[-TAIL_BYTES:]
        out["LogResult"] = base64.b64encode(tail).decode("ascii")
    return out


def _check_size(kind: str, size: int) -> None:
    if kind == "Event" and size > ASYNC_PAYLOAD_LIMIT:
        raise error("RequestEntityTooLargeException",
                    f"{size} byte payload is too large for the Event invocation type "
                    f"(limit {ASYNC_PAYLOAD_LIMIT} bytes)",
                    413)
    if size > SYNC_PAYLOAD_LIMIT:
        raise error("RequestEntityTooLargeException",
                    f"Request must be smaller than {SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation", 413)

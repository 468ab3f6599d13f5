"""What a trigger sends: the invocation event, the partial-batch response reading, the on-failure record.

Owns: the ``{"Records": [...]}`` event for a batch (spec/lambda-esm.md §5),
interpreting a ReportBatchItemFailures response (§8.3), and the
invocation record sent to an OnFailure destination (§11), in AWS's shapes, and the object an S3
destination receives (key and body).

Must not: invoke functions or talk to destinations.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from riverbed import ids
from riverbed.clock import iso8601_millis, iso8601_seconds

MAX_PAYLOAD = 6 * 1024 * 1024


def event_payload_json(records: list[bytes]) -> bytes:
    """A batch's event, ``orjson.dumps({"Records": [...]})`` byte for byte, from records already in their
    JSON form (``orjson.dumps`` of each)."""
    return b'{"Records":[' + b",".join(records) + b"]}"


class PartialResponse:
    """The outcome of a ReportBatchItemFailures response: ``failed_from`` is the lowest failed sequence counter."""

    def __init__(self, ok: bool, failed_from: int | None = None) -> None:
        self.ok = ok
        self.failed_from = failed_from


def read_partial_response(payload: bytes, batch_seqs: list[int]) -> PartialResponse:
    """Apply AWS's rules: empty/null/missing list = success; bad identifiers = whole-batch failure.

    https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
    """
    try:
        body = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError:
        return PartialResponse(True)
    if not isinstance(body, dict):
        return PartialResponse(True)
    failures = body.get("batchItemFailures")
    if failures is None or failures == []:
        return PartialResponse(True)
    if not isinstance(failures, list):
        return PartialResponse(False, batch_seqs[0])
    lowest: int | None = None
    valid = set(batch_seqs)
    for failure in failures:
        ident = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(ident, str) or not ident:
            return PartialResponse(False, batch_seqs[0])
        try:
            seq = ids.sequence_counter(ident)
        except ValueError:
            return PartialResponse(False, batch_seqs[0])
        if seq not in valid:
            return PartialResponse(False, batch_seqs[0])
        lowest = seq if lowest is None else min(lowest, seq)
    return PartialResponse(False, lowest)


def failure_record(*, function_arn: str, condition: str, invoke_count: int, status_code: int,
                   function_error: str | None, had_response: bool, shard_id: str, stream_arn: str,
                   records: list[dict[str, Any]], now: float, request_id: str) -> dict[str, Any]:
    first = records[0]["dynamodb"]
    last = records[-1]["dynamodb"]
    response: dict[str, Any] = {"statusCode": status_code, "executedVersion": "$LATEST"}
    if had_response:
        # AWS writes functionError: null when the function returned but the batch still failed
        # (an invalid partial-batch response); it is omitted when nothing was invoked.
        response["functionError"] = function_error
    return {
        "requestContext": {"requestId": request_id, "functionArn": function_arn, "condition": condition,
                           "approximateInvokeCount": invoke_count},
        "responseContext": response,
        "version": "1.0",
        "timestamp": iso8601_millis(now),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": iso8601_seconds(first["ApproximateCreationDateTime"]),
            "approximateArrivalOfLastRecord": iso8601_seconds(last["ApproximateCreationDateTime"]),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }


def s3_failure_object(record: dict[str, Any], payload: bytes, esm_uuid: str, now: float,
                      suffix: str) -> tuple[str, bytes]:
    """``(key, body)`` of the object an S3 OnFailure destination receives for a discarded batch.

    The key is ``aws/lambda/<ESM UUID>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`` and the
    body is the invocation record plus ``payload``, the whole event the function was invoked with, which
    only S3 destinations carry (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html).
    ``payload`` is written as the event's JSON text (AWS's sample shows it as a string; not verified
    against a live bucket).
    """
    when = datetime.fromtimestamp(now, tz=UTC)
    shard = record.get("DDBStreamBatchInfo", {}).get("shardId", "")
    key = (f"aws/lambda/{esm_uuid}/{shard}/{when:%Y/%m/%d}/{when:%Y-%m-%dT%H.%M.%S}-{suffix}")
    return key, orjson.dumps({**record, "payload": payload.decode("utf-8")})

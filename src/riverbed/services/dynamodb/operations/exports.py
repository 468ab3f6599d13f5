"""ExportTableToPointInTime, DescribeExport, ListExports.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExportTableToPointInTime.html
The request is checked and recorded IN_PROGRESS; the exporter loop (``exports.Exporter.export_once``)
writes the files and completes it.  Checks in AWS's order: the table, point-in-time recovery, the
export time (inside the recovery window), then the ClientToken (the same token with other parameters
is an ExportConflictException; with the same ones it answers the export it started).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from riverbed.errors import ValidationException, error
from riverbed.services.dynamodb.exports import EXPORT, export_id
from riverbed.services.dynamodb.service import DdbContext

_REQUEST_FIELDS = ("S3Bucket", "S3BucketOwner", "S3Prefix", "S3SseAlgorithm", "S3SseKmsKeyId")
_SUMMARY = ("ExportArn", "ExportStatus", "ExportType")
MIN_PERIOD = 15 * 60.0
MAX_PERIOD = 24 * 3600.0


def _pitr_since(doc: dict[str, Any]) -> float | None:
    """When point-in-time recovery was enabled, or None when it is off (``_pitr`` as continuous_backups keeps it)."""
    state = doc.get("_pitr")
    if isinstance(state, dict):
        return float(state.get("since", doc.get("CreationDateTime", 0.0))) if state.get("enabled") else None
    return float(doc.get("CreationDateTime", 0.0)) if state else None


def export_table_to_point_in_time(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = req["TableArn"]
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("table/"):
        raise ValidationException(f"Invalid TableArn: {arn}")
    table = ctx.backend.catalog.get(parts[4], parts[3], parts[5][len("table/"):])
    if table is None:
        raise error("TableNotFoundException", f"Table not found: {arn}")
    export_type = req.get("ExportType")
    spec = req.get("IncrementalExportSpecification")
    _check_type(export_type, spec)
    since = _pitr_since(table.doc)
    now = ctx.clock.now()
    extra: dict[str, Any] = {}
    if export_type == "INCREMENTAL_EXPORT":
        extra["IncrementalExportSpecification"] = _period(spec or {}, since, now)
    else:
        if since is None:
            raise error("PointInTimeRecoveryUnavailableException",
                        f"Point in time recovery is not enabled for table '{table.name}'")
        when = req.get("ExportTime")
        export_time = float(when) if when is not None else now
        if export_time > now or export_time < since:
            # AWS's text for a time in the future or before recovery was enabled (observed on AWS,
            # ack-api-quirks DDB-EXPORT-001).
            raise error("InvalidExportTimeException", "Export Time is invalid")
        extra["ExportTime"] = export_time
    export_type = export_type or "FULL_EXPORT"
    token = req.get("ClientToken")
    wanted = {"TableArn": table.arn, "ExportFormat": req.get("ExportFormat") or "DYNAMODB_JSON",
              "ExportType": export_type, **{k: req[k] for k in _REQUEST_FIELDS if req.get(k)}}
    if spec:   # the period as requested: a replay with another period is a conflict
        wanted["_Requested"] = {k: v if k == "ExportViewType" else float(v) for k, v in spec.items() if v is not None}
    if token:
        for _, doc in ctx.store.list_docs(EXPORT):
            if doc.get("ClientToken") == token and doc["TableArn"].split(":")[4] == ctx.account:
                if any(doc.get(k) != v for k, v in wanted.items()):
                    # AWS's text (observed on AWS, ack-api-quirks DDB-EXPORT-009).
                    raise error("ExportConflictException", "Export conflict: Duplicate request detected with "
                                "conflicting parameters")
                return {"ExportDescription": _public(doc)}
    doc = {**wanted, "ExportArn": f"{table.arn}/export/{export_id(now)}", "ExportStatus": "IN_PROGRESS",
           "StartTime": now, "TableId": table.doc.get("TableId"), **extra,
           "S3SseAlgorithm": req.get("S3SseAlgorithm") or "AES256"}
    if token:
        doc["ClientToken"] = token
    with ctx.store.transaction() as txn:
        txn.put_doc(EXPORT, doc["ExportArn"], doc)
    return {"ExportDescription": _public(doc)}


def _check_type(export_type: str | None, spec: dict[str, Any] | None) -> None:
    """ExportType and IncrementalExportSpecification go together; AWS's texts (observed on AWS, recorded in
    ack-api-quirks DDB-EXPORT-003), ExportFromTime required although the model marks it optional."""
    if spec is not None and export_type is None:
        raise ValidationException("Invalid Request: Export Type expected to be Incremental Export when incremental "
                                  "export specification is provided")
    if spec is not None and export_type == "FULL_EXPORT":
        raise ValidationException("Invalid Request: When Export Type is Full Export , Incremental Export "
                                  "Specification should not be provided")
    if export_type == "INCREMENTAL_EXPORT" and spec is None:
        raise ValidationException("Invalid Request: Incremental Export Specification expected when export type is "
                                  "set as Incremental Export")
    if export_type == "INCREMENTAL_EXPORT" and spec is not None and spec.get("ExportFromTime") is None:
        raise ValidationException("Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification")


def _second(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(spec: dict[str, Any], since: float | None, now: float) -> dict[str, Any]:
    """The export period of an incremental export, checked in AWS's order (all InvalidExportTimeException):
    the start inside the point-in-time-recovery window (a table without PITR fails here too), the end not in
    the future, then the length, 15 minutes to 24 hours
    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.HowItWorks.html; texts
    observed on AWS, recorded in ack-api-quirks DDB-EXPORT-004/019).  An omitted ExportToTime is the latest
    time with data, now."""
    start = float(spec["ExportFromTime"])
    end = float(spec["ExportToTime"]) if spec.get("ExportToTime") is not None else now
    if since is None or start < since:
        raise error("InvalidExportTimeException", "Incremental export period from time cannot be less than the "
                    f"table creation time : {_second(start)}")
    if end > now:
        raise error("InvalidExportTimeException", "Incremental export period to time cannot be greater than the "
                    f"current time : {_second(end)}")
    if end - start < MIN_PERIOD:   # an inverted period too
        raise error("InvalidExportTimeException", "Difference between export period from time and export period "
                    "to time is less than 15 minutes")
    if end - start > MAX_PERIOD:
        # The 24-hour limit is documented (Service Quotas: "Maximum Incremental Export period window", 24);
        # this text follows the 15-minute one and was not observed on AWS.
        raise error("InvalidExportTimeException", "Difference between export period from time and export period "
                    "to time is greater than 24 hours")
    return {"ExportFromTime": start, "ExportToTime": end,
            "ExportViewType": spec.get("ExportViewType") or "NEW_AND_OLD_IMAGES"}


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def describe_export(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.store.get_doc(EXPORT, req["ExportArn"])
    if doc is None or doc["TableArn"].split(":")[4] != ctx.account:
        raise error("ExportNotFoundException", f"Export not found: {req['ExportArn']}")
    return {"ExportDescription": _public(doc)}


def list_exports(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    limit = req.get("MaxResults") or 25
    docs = [d for _, d in ctx.store.list_docs(EXPORT) if d["TableArn"].split(":")[3:5] == [ctx.region, ctx.account]
            and (not req.get("TableArn") or d["TableArn"] == req["TableArn"])]
    docs.sort(key=lambda d: (d["StartTime"], d["ExportArn"]))
    token = req.get("NextToken")
    if token:
        try:
            after = base64.urlsafe_b64decode(token.encode()).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ValidationException("Invalid NextToken") from None
        arns = [d["ExportArn"] for d in docs]
        if after not in arns:
            raise ValidationException("Invalid NextToken")
        docs = docs[arns.index(after) + 1:]
    page = docs[:limit]
    out: dict[str, Any] = {"ExportSummaries": [{k: d[k] for k in _SUMMARY} for d in page]}
    if len(docs) > limit:
        out["NextToken"] = base64.urlsafe_b64encode(page[-1]["ExportArn"].encode()).decode()
    return out

"""ImportTable, DescribeImport, ListImports.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ImportTable.html
ImportTable checks the request, creates the table (CreateTable's own checks and texts, and
``ResourceInUseException: Table already exists``) and records the import IN_PROGRESS; the importer
loop (``imports.Importer.import_once``) loads the items.  As measured against DynamoDB
(scylladb/scylladb test/alternator/test_import.py): a ClientToken already used by a running import
returns that import unless the table name differs (ImportConflictException, "Duplicate request
detected with conflicting parameters"); CSV options with another format are refused; ListImports
lists running imports too, with PageSize 1-25.

Must not: read S3 (the importer does, through ``core.interfaces.ObjectStore``).
"""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

from riverbed.errors import ValidationException, error
from riverbed.services.dynamodb.exports import export_id
from riverbed.services.dynamodb.imports import IMPORT
from riverbed.services.dynamodb.operations.create_table import create_table
from riverbed.services.dynamodb.service import DdbContext

_SUMMARY = ("ImportArn", "ImportStatus", "TableArn", "S3BucketSource", "InputFormat", "StartTime", "EndTime")
_TABLE_FIELDS = ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
                 "OnDemandThroughput", "SSESpecification", "GlobalSecondaryIndexes")


def import_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    fmt = req["InputFormat"]
    options = req.get("InputFormatOptions")
    if options and fmt != "CSV":
        raise ValidationException("InputFormatOptions is only supported for the CSV input format")
    csv_options = (options or {}).get("Csv") or {}
    delimiter = csv_options.get("Delimiter")
    if delimiter is not None and len(delimiter) != 1:
        raise ValidationException("InputFormatOptions.Csv.Delimiter must be a single character")
    token = req.get("ClientToken")
    if token is not None and (not token or "$" in token):
        raise ValidationException(f"1 validation error detected: Value '{token}' at 'clientToken' failed to "
                                  "satisfy constraint: Member must satisfy regular expression pattern: ^[^\\$]+$")
    params = req["TableCreationParameters"]
    if token:
        for _, doc in ctx.store.list_docs(IMPORT):
            if (doc.get("ClientToken") == token and doc["ImportStatus"] == "IN_PROGRESS"
                    and doc["TableArn"].split(":")[3:5] == [ctx.region, ctx.account]):
                if doc["TableCreationParameters"]["TableName"] != params["TableName"]:
                    raise error("ImportConflictException", "Duplicate request detected with conflicting parameters")
                return {"ImportTableDescription": doc}
    created = create_table(ctx, {k: params[k] for k in _TABLE_FIELDS if params.get(k) is not None})
    table = created["TableDescription"]
    now = ctx.clock.now()
    doc = {
        "ImportArn": f"{table['TableArn']}/import/{export_id(now)}", "ImportStatus": "IN_PROGRESS",
        "TableArn": table["TableArn"], "TableId": table["TableId"], "S3BucketSource": req["S3BucketSource"],
        "InputFormat": fmt, "InputCompressionType": req.get("InputCompressionType") or "NONE",
        "TableCreationParameters": copy.deepcopy(params), "StartTime": now,
        "ProcessedItemCount": 0, "ImportedItemCount": 0, "ErrorCount": 0,
    }
    if options:
        doc["InputFormatOptions"] = options
    if token:
        doc["ClientToken"] = token
    with ctx.store.transaction() as txn:
        txn.put_doc(IMPORT, doc["ImportArn"], doc)
    return {"ImportTableDescription": doc}


def _own(ctx: DdbContext, doc: dict[str, Any]) -> bool:
    return bool(doc["TableArn"].split(":")[3:5] == [ctx.region, ctx.account])


def describe_import(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = req["ImportArn"]
    table_arn, sep, _ = arn.rpartition("/import/")
    if not sep or len(table_arn.rpartition("/")[2]) < 3:
        raise ValidationException("Invalid Import ARN")
    doc = ctx.store.get_doc(IMPORT, arn)
    if doc is None or not _own(ctx, doc):
        raise error("ImportNotFoundException", f"Import not found: {arn}")
    return {"ImportTableDescription": doc}


def list_imports(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    size = req.get("PageSize")
    if size is not None and not 1 <= size <= 25:
        raise ValidationException(f"1 validation error detected: Value '{size}' at 'pageSize' failed to satisfy "
                                  "constraint: Member must have value less than or equal to 25")
    limit = size or 25
    docs = [d for _, d in ctx.store.list_docs(IMPORT) if _own(ctx, d)
            and (not req.get("TableArn") or d["TableArn"] == req["TableArn"])]
    docs.sort(key=lambda d: (d["StartTime"], d["ImportArn"]))
    token = req.get("NextToken")
    if token:
        arns = [d["ImportArn"] for d in docs]
        try:
            after = base64.urlsafe_b64decode(token.encode()).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            after = None
        if after not in arns:
            raise ValidationException("Invalid NextToken")
        docs = docs[arns.index(after) + 1:]
    page = docs[:limit]
    out: dict[str, Any] = {"ImportSummaryList": [{k: d[k] for k in _SUMMARY if k in d} for d in page]}
    if len(docs) > limit:
        out["NextToken"] = base64.urlsafe_b64encode(page[-1]["ImportArn"].encode()).decode()
    return out

"""GetFunction and GetFunctionConfiguration: read one function or version.

A Qualifier (``$LATEST`` or a version number, in the name or as a parameter) makes FunctionArn
qualified; a missing version is ``Function not found: <arn>:<qualifier>``.  ``Code.Location`` is a
URL riverbed itself serves the zip from (``/_riverbed/code/<sha256 hex>``), in the place of AWS's
presigned S3 URL.

https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.lambda_ import functions
from riverbed.services.lambda_.code import code_url
from riverbed.services.lambda_.lookup import ref_for, require_qualified
from riverbed.services.lambda_.service import LambdaContext


def get_function(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    doc = require_qualified(ctx, ref)
    out: dict[str, Any] = {
        "Configuration": functions.configuration(doc, qualified=True if ref.qualifier else None),
        "Code": {"RepositoryType": "S3", "Location": code_url(ctx.host, doc)},
    }
    latest = doc if doc["version"] == "$LATEST" else functions.get_function(ctx.store, ref)
    if latest and latest.get("tags"):
        out["Tags"] = dict(latest["tags"])
    if latest and latest.get("reserved_concurrency") is not None:
        out["Concurrency"] = {"ReservedConcurrentExecutions": latest["reserved_concurrency"]}
    return out


def get_function_configuration(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    doc = require_qualified(ctx, ref)
    return functions.configuration(doc, qualified=True if ref.qualifier else None)

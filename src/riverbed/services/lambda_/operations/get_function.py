"""GetFunction and GetFunctionConfiguration: read one function or version.

A Qualifier (``$LATEST``, a version number or an alias, in the name or as a parameter) makes FunctionArn
qualified; a missing version or alias is ``Function not found: <arn>:<qualifier>``.  An alias answers the
configuration of the version it points to under the alias ARN (lambda_api snapshot,
TestLambdaAlias::test_alias_lifecycle, get_function_alias_1_1).  ``Code.Location`` is a
URL riverbed itself serves the zip from (``/_riverbed/code/<sha256 hex>``), in the place of AWS's
presigned S3 URL.

https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.lambda_ import functions
from riverbed.services.lambda_.code import code_url
from riverbed.services.lambda_.lookup import ref_for, require_qualified
from riverbed.services.lambda_.names import FunctionRef
from riverbed.services.lambda_.service import LambdaContext


def get_function(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    doc = require_qualified(ctx, ref)
    out: dict[str, Any] = {
        "Configuration": _configuration(ref, doc),
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
    return _configuration(ref, doc)


def _configuration(ref: FunctionRef, doc: dict[str, Any]) -> dict[str, Any]:
    out = functions.configuration(doc, qualified=True if ref.qualifier else None)
    if doc.get("alias"):
        out["FunctionArn"] = ref.arn(doc["alias"])
    return out

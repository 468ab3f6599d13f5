"""UpdateFunctionCode: new zip -> new CodeSha256 and RevisionId -> warm workers retired.

The answer shows ``LastUpdateStatus: InProgress`` under a RevisionId of its own, and the stored
function moves on to ``Successful`` with another, as AWS does (lambda_api snapshot,
test_function_revisions_basic).  ``DryRun`` checks everything and stores nothing; ``Publish`` also
publishes a version.  A function registered in-process becomes an ordinary zip function.

https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import InvalidParameterValueException
from riverbed.services.lambda_ import code as codes
from riverbed.services.lambda_ import functions, parameters, versions
from riverbed.services.lambda_.lookup import check_revision, ref_for, require_function
from riverbed.services.lambda_.service import LambdaContext

IMAGE_URI_ON_ZIP = "Please don't provide ImageUri when updating a function with packageType Zip."


async def update_function_code(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    doc = require_function(ctx, ref)
    check_revision(doc, request.get("RevisionId"))
    if request.get("ImageUri"):
        raise InvalidParameterValueException(IMAGE_URI_ON_ZIP)
    parameters.check_code_source(request)
    package = codes.source_zip(ctx.backend.objects, request)
    if package is None:
        raise InvalidParameterValueException("Please provide a source for function code.")
    code = codes.check_zip(package)

    updated = dict(doc, code_sha256=code.sha256_b64, code_hex=code.sha256_hex, code_size=code.size,
                   inprocess=False, last_modified=ctx.clock.now(), revision_id=functions.new_revision())
    if request.get("Architectures"):
        updated["architectures"] = list(request["Architectures"])
    if request.get("DryRun"):
        return functions.configuration(dict(updated, revision_id=doc["revision_id"]), form="update")

    service = ctx.backend
    old_hex = doc.get("code_hex") or ""
    with ctx.store.transaction() as txn:
        service.code.put(txn, code)
        if request.get("Publish"):
            versions.publish(txn, updated, updated["last_modified"])
        functions.put(txn, updated)
        if old_hex and old_hex != code.sha256_hex:
            service.code.drop_unreferenced(txn, old_hex, functions.code_referenced(txn, old_hex))
    service.forget_inprocess(ref.name)
    await service.retire(ref.name)
    return functions.configuration(dict(updated, revision_id=functions.new_revision()), form="update")

"""DeleteFunction: remove a function with all its versions (or one version) and retire its workers.

``$LATEST`` as a qualifier is refused before anything else, whether or not the function exists
(lambda_api snapshot, test_ops_with_arn_qualifier_mismatch).  A version an alias points to (as its
version or its additional routing version) is not deleted: ResourceConflictException "Unable to delete
version because the following aliases reference it: [live]" (AWS's answer as quoted in
cloud-custodian/cloud-custodian#6739 and karl-cardenas-coding/go-lambda-cleanup#45).  Deleting the
function removes its aliases with it.  Answers 204.

https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunction.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import InvalidParameterValueException, ResourceConflictException
from riverbed.services.lambda_ import aliases, event_invoke, functions, names
from riverbed.services.lambda_.lookup import ref_for, require_function
from riverbed.services.lambda_.service import LambdaContext

LATEST_NOT_DELETABLE = "$LATEST version cannot be deleted without deleting the function."


async def delete_function(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    if ref.qualifier == names.LATEST:
        raise InvalidParameterValueException(LATEST_NOT_DELETABLE)
    doc = require_function(ctx, ref)
    service = ctx.backend
    with ctx.store.transaction() as txn:
        if ref.qualifier is not None:
            version = functions.get_version(txn, ref, ref.qualifier)
            if version is None:
                raise names.not_found(ref, ref.qualifier)
            referencing = aliases.referencing(txn, ref, ref.qualifier)
            if referencing:
                raise ResourceConflictException("Unable to delete version because the following aliases "
                                                f"reference it: [{', '.join(referencing)}]")
            removed = [(functions.VERSION_KIND, functions.version_key(ref.account, ref.region, ref.name,
                                                                        ref.qualifier), version)]
            event_invoke.delete(txn, ref, ref.qualifier)
        else:
            removed = [(functions.FUNCTION_KIND, ref.key, doc)]
            removed += [(functions.VERSION_KIND, functions.version_key(ref.account, ref.region, ref.name,
                                                                         v["version"]), v)
                        for v in functions.list_versions(txn, ref)]
            for alias in aliases.list_aliases(txn, ref):
                aliases.delete(txn, ref, alias["name"])
            for config in event_invoke.list_configs(txn, ref):
                event_invoke.delete(txn, ref, config["qualifier"])
        for kind, key, _ in removed:
            txn.delete_doc(kind, key)
        for code_hex in {d.get("code_hex") or "" for _, _, d in removed}:
            if code_hex:
                service.code.drop_unreferenced(txn, code_hex, functions.code_referenced(txn, code_hex))
    if ref.qualifier is None:
        service.forget_inprocess(ref.name)
    await service.retire(ref.name)
    return {}

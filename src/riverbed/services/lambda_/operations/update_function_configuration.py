"""UpdateFunctionConfiguration: change settings -> new RevisionId -> warm workers retired.

Answers ``LastUpdateStatus: InProgress`` like UpdateFunctionCode (lambda_api snapshot,
test_function_lifecycle); only members present in the request change.

https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.lambda_ import env_keys, functions, parameters
from riverbed.services.lambda_.config_fields import apply_configuration
from riverbed.services.lambda_.lookup import check_revision, ref_for, require_function
from riverbed.services.lambda_.service import LambdaContext


async def update_function_configuration(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    doc = require_function(ctx, ref)
    check_revision(doc, request.get("RevisionId"))
    updated = dict(doc)
    apply_configuration(updated, request)
    if request.get("Role"):
        parameters.check_role(ctx.backend.roles, ref.account, request["Role"])
    if request.get("Role") or request.get("DeadLetterConfig"):
        parameters.check_dead_letter(ctx.backend.roles, ref.account, updated)
    env_keys.seal(ctx.backend.keys, updated)       # KMSKeyArn: the variables encrypted with that key
    updated.update(last_modified=ctx.clock.now(), revision_id=functions.new_revision())
    with ctx.store.transaction() as txn:
        functions.put(txn, updated)
    await ctx.backend.retire(ref.name)
    return functions.configuration(dict(updated, revision_id=functions.new_revision()), form="update")

"""AddPermission, RemovePermission, GetPolicy: the function's resource-based policy.

Statements are stored on the function, version or alias document (an alias has a policy of its own,
whose statements name the alias ARN as Resource, and AddPermission with ``Qualifier=<alias>`` grants
invoking through that alias); each change moves the RevisionId,
which GetPolicy reports (lambda_api snapshot, test_lambda_permission_revisions).  Error texts differ
per operation for the same situation, as AWS's do: GetPolicy on a missing function or an empty
policy says "The resource you requested does not exist.", RemovePermission says "No policy found
for: <arn>" or "No policy is associated with the given resource.".

https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
"""

from __future__ import annotations

import json
from typing import Any

from riverbed import ids
from riverbed.errors import (
    InvalidParameterValueException,
    LambdaResourceNotFoundException,
    ResourceConflictException,
)
from riverbed.services.lambda_ import aliases, functions, names, policy
from riverbed.services.lambda_.lookup import check_revision, ref_for, require_function
from riverbed.services.lambda_.service import LambdaContext

NO_RESOURCE = "The resource you requested does not exist."
NO_POLICY = "No policy is associated with the given resource."
LATEST_POLICY = "We currently do not support adding policies for $LATEST."


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _target(ctx: LambdaContext, ref: names.FunctionRef) -> dict[str, Any]:
    """The document holding the policy the (qualified) reference names; a missing version or alias quotes
    its qualifier."""
    require_function(ctx, ref)
    doc = functions.get_policy_holder(ctx.store, ref)
    if doc is None:
        raise names.not_found(ref, ref.qualifier)
    return doc


def _save(txn: Any, ref: names.FunctionRef, doc: dict[str, Any]) -> None:
    if aliases.is_alias_name(ref.qualifier):
        aliases.put(txn, ref, doc)
    else:
        functions.put(txn, doc)


def add_permission(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    if ref.qualifier == names.LATEST:
        raise InvalidParameterValueException(LATEST_POLICY)
    doc = _target(ctx, ref)
    check_revision(doc, request.get("RevisionId"))
    partition = ids.partition_for(ref.region)
    new = policy.statement(request, ref.arn(ref.qualifier), partition)
    statements = list(doc.get("policy") or [])
    if any(s["Sid"] == new["Sid"] for s in statements):
        raise ResourceConflictException(
            f"The statement id ({new['Sid']}) provided already exists. Please provide a new statement id, or "
            "remove the existing statement.")
    statements.append(new)
    with ctx.store.transaction() as txn:
        _save(txn, ref, dict(doc, policy=statements, revision_id=functions.new_revision()))
    return {"Statement": _compact(new)}


def remove_permission(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    if functions.get_function(ctx.store, ref) is None:
        raise LambdaResourceNotFoundException(f"No policy found for: {ref.arn(ref.qualifier)}")
    doc = _target(ctx, ref)
    check_revision(doc, request.get("RevisionId"))
    statements = list(doc.get("policy") or [])
    if not statements:
        raise LambdaResourceNotFoundException(NO_POLICY)
    sid = request["StatementId"]
    kept = [s for s in statements if s["Sid"] != sid]
    if len(kept) == len(statements):
        raise LambdaResourceNotFoundException(f"Statement {sid} is not found in resource policy.")
    with ctx.store.transaction() as txn:
        _save(txn, ref, dict(doc, policy=kept, revision_id=functions.new_revision()))
    return {}


def get_policy(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    doc = functions.get_policy_holder(ctx.store, ref)
    if doc is None or not doc.get("policy"):
        raise LambdaResourceNotFoundException(NO_RESOURCE)
    return {"Policy": _compact(policy.document(doc["policy"])), "RevisionId": doc["revision_id"]}

"""CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases: named pointers to function versions.

Order of checks and texts as AWS answers them (lambda_api snapshot, TestLambdaAlias and
TestLambdaRevisions::test_function_revisions_version_and_alias): the model first (an all-digit Name,
weights outside [0, 1] or a ``$LATEST`` weight key are ValidationExceptions); a missing function quotes
the FunctionVersion asked for (``Function not found: <arn>:1``); then the RoutingConfig rules (one extra
version at most, not with ``$LATEST``, not the alias's own version); then every version named must exist
(``Function not found: <arn>:10``); a second alias of one name is ``Alias already exists: <alias arn>``
(409).  GetAlias answers ``Cannot find alias arn: <alias arn>`` and UpdateAlias ``Alias not found: <alias
arn>`` for a missing alias; DeleteAlias of a missing alias answers 204 all the same.  Every change gives the
alias a new RevisionId (also an UpdateAlias that changes nothing); a stale RevisionId on UpdateAlias is
PreconditionFailedException.  Aliases do not move the function's or the version's RevisionId.
``RoutingConfig={"AdditionalVersionWeights": {}}`` on UpdateAlias removes the routing; leaving it out
keeps it.

https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html
https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html
"""

from __future__ import annotations

from typing import Any

from riverbed import ids
from riverbed.errors import LambdaResourceNotFoundException, ResourceConflictException
from riverbed.services.lambda_ import aliases, event_invoke, functions, names
from riverbed.services.lambda_.lookup import check_revision, ref_for, require_function
from riverbed.services.lambda_.operations.list_functions import page
from riverbed.services.lambda_.service import LambdaContext


def create_alias(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    version = request["FunctionVersion"]
    require_function(ctx, ref, message_qualifier=version)
    weights = _weights(request)
    _check_versions(ctx, ref, version, weights)
    name = request["Name"]
    doc = aliases.new_alias(ref, name, version, request.get("Description") or "", weights)
    with ctx.store.transaction() as txn:
        if aliases.get_alias(txn, ref, name) is not None:
            raise ResourceConflictException(f"Alias already exists: {ref.arn(name)}")
        aliases.put(txn, ref, doc)
    return aliases.configuration(ref, doc)


def get_alias(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    require_function(ctx, ref)
    doc = aliases.get_alias(ctx.store, ref, request["Name"])
    if doc is None:
        raise aliases.not_found(ref, request["Name"])
    return aliases.configuration(ref, doc)


def update_alias(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    require_function(ctx, ref)
    name = request["Name"]
    with ctx.store.transaction() as txn:
        doc = aliases.get_alias(txn, ref, name)
        if doc is None:
            raise LambdaResourceNotFoundException(f"Alias not found: {ref.arn(name)}")
        check_revision(doc, request.get("RevisionId"))
        version = request.get("FunctionVersion") or doc["function_version"]
        weights = _weights(request) if "RoutingConfig" in request else dict(doc.get("weights") or {})
        _check_versions(ctx, ref, version, weights)
        updated = dict(doc, function_version=version, weights=weights, revision_id=ids.new_uuid())
        if request.get("Description") is not None:
            updated["description"] = request["Description"]
        aliases.put(txn, ref, updated)
    return aliases.configuration(ref, updated)


def delete_alias(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    require_function(ctx, ref)
    with ctx.store.transaction() as txn:
        aliases.delete(txn, ref, request["Name"])
        event_invoke.delete(txn, ref, request["Name"])   # the alias's asynchronous invocation settings go with it
    return {}


def list_aliases(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    require_function(ctx, ref)
    wanted = request.get("FunctionVersion")
    entries = [(doc["name"], aliases.configuration(ref, doc)) for doc in aliases.list_aliases(ctx.store, ref)
               if wanted is None or doc["function_version"] == wanted]
    entries.sort(key=lambda entry: entry[0])
    items, marker = page(entries, request)
    out: dict[str, Any] = {"Aliases": items}
    if marker:
        out["NextMarker"] = marker
    return out


def _weights(request: dict[str, Any]) -> dict[str, float]:
    routing = request.get("RoutingConfig") or {}
    return {str(k): float(v) for k, v in (routing.get("AdditionalVersionWeights") or {}).items()}


def _check_versions(ctx: LambdaContext, ref: names.FunctionRef, version: str, weights: dict[str, float]) -> None:
    aliases.check_routing(version, weights)
    for number in (version, *weights):
        if number != names.LATEST and functions.get_version(ctx.store, ref, number) is None:
            raise names.not_found(ref, number)

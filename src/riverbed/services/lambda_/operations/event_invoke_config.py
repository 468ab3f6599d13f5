"""PutFunctionEventInvokeConfig, GetFunctionEventInvokeConfig, UpdateFunctionEventInvokeConfig,
DeleteFunctionEventInvokeConfig, ListFunctionEventInvokeConfigs: asynchronous invocation settings.

Order of checks and texts as AWS answers them (lambda_api snapshot, TestLambdaEventInvokeConfig): the model
first (MaximumRetryAttempts 0-2, MaximumEventAgeInSeconds 60-21600, the destination pattern); a qualifier
in FunctionName differing from Qualifier; Put/Update with none of the three settings (``You must specify at
least one of error handling or destination setting.``, before the function is looked up); a missing function,
version or alias on Put/Update/List (``The function doesn't exist.``); the destinations (``event_invoke``).
Get, Delete, and Update of a qualifier without settings answer ``The function <arn>:<qualifier> doesn't have an
EventInvokeConfig`` -- Get and Delete say so for a missing function too.  Put replaces every setting (a member
left out is removed); Update changes only the members given (OnSuccess and OnFailure each on its own).

https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionEventInvokeConfig.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.lambda_ import event_invoke, functions, names
from riverbed.services.lambda_.lookup import ref_for
from riverbed.services.lambda_.operations.list_functions import page
from riverbed.services.lambda_.service import LambdaContext


def _checked(ctx: LambdaContext, request: dict[str, Any]) -> tuple[names.FunctionRef, str, dict[str, Any]]:
    """What Put and Update check alike: ``(ref, qualifier, settings)`` of a request that names something to
    set, on a function/version/alias that exists, with valid destinations."""
    ref = ref_for(ctx, request)
    event_invoke.require_something(request)
    qualifier = _require_target(ctx, ref)
    _check_destinations(ctx, request, ref)
    return ref, qualifier, event_invoke.settings_of(request)


def put_function_event_invoke_config(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref, qualifier, settings = _checked(ctx, request)
    doc = {"qualifier": qualifier, "maximum_retry_attempts": settings["maximum_retry_attempts"],
           "maximum_event_age": settings["maximum_event_age"], "on_success": settings["on_success"] or "",
           "on_failure": settings["on_failure"] or "", "last_modified": round(ctx.clock.now(), 3)}
    with ctx.store.transaction() as txn:
        event_invoke.put(txn, ref, doc)
    return event_invoke.configuration(ref, doc)


def update_function_event_invoke_config(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref, qualifier, settings = _checked(ctx, request)
    with ctx.store.transaction() as txn:
        doc = event_invoke.get_config(txn, ref, qualifier)
        if doc is None:
            raise event_invoke.not_configured(ref, qualifier)
        updated = dict(doc, last_modified=round(ctx.clock.now(), 3))
        for field in ("maximum_retry_attempts", "maximum_event_age"):
            if settings[field] is not None:
                updated[field] = settings[field]
        destinations = request.get("DestinationConfig") or {}
        for member, field in (("OnSuccess", "on_success"), ("OnFailure", "on_failure")):
            if member in destinations:
                updated[field] = settings[field] or ""
        event_invoke.put(txn, ref, updated)
    return event_invoke.configuration(ref, updated)


def get_function_event_invoke_config(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    qualifier = event_invoke.qualifier_of(ref)
    doc = event_invoke.get_config(ctx.store, ref, qualifier)
    if doc is None or functions.get_function(ctx.store, ref) is None:
        raise event_invoke.not_configured(ref, qualifier)
    return event_invoke.configuration(ref, doc)


def delete_function_event_invoke_config(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    qualifier = event_invoke.qualifier_of(ref)
    with ctx.store.transaction() as txn:
        if event_invoke.get_config(txn, ref, qualifier) is None:
            raise event_invoke.not_configured(ref, qualifier)
        event_invoke.delete(txn, ref, qualifier)
    return {}


def list_function_event_invoke_configs(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    if functions.get_function(ctx.store, ref) is None:
        raise event_invoke.function_missing()
    entries = sorted((doc["qualifier"], event_invoke.configuration(ref, doc))
                     for doc in event_invoke.list_configs(ctx.store, ref))
    items, marker = page(entries, request)
    out: dict[str, Any] = {"FunctionEventInvokeConfigs": items}
    if marker:
        out["NextMarker"] = marker
    return out


def _require_target(ctx: LambdaContext, ref: names.FunctionRef) -> str:
    """The qualifier the settings belong to; ``The function doesn't exist.`` when it designates nothing."""
    if functions.get_qualified(ctx.store, ref, ref.qualifier) is None:
        raise event_invoke.function_missing()
    return event_invoke.qualifier_of(ref)


def _check_destinations(ctx: LambdaContext, request: dict[str, Any], ref: names.FunctionRef) -> None:
    def exists(arn: str) -> bool:
        return ctx.backend.resolve(ctx.account, ctx.region, arn) is not None

    event_invoke.check_destinations(request, ref, exists)

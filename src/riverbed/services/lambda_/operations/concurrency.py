"""PutFunctionConcurrency, GetFunctionConcurrency, DeleteFunctionConcurrency: reserved concurrency.

A reservation caps the function's concurrent invocations (0 throttles every one) and is taken out of
the account's pool, which must keep at least 100 unreserved executions (or the whole pool when the
account limit is lower) -- AWS's rule and text (lambda_api snapshot, test_function_concurrency_limits).
Only unqualified names are accepted; a missing function is quoted with ``:$LATEST`` by Put only.

https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import InvalidParameterValueException
from riverbed.services.lambda_ import functions, names
from riverbed.services.lambda_.lookup import ref_for, require_function, require_unqualified
from riverbed.services.lambda_.service import LambdaContext

MIN_UNRESERVED = 100


def unreserved_minimum(account_limit: int) -> int:
    return min(MIN_UNRESERVED, account_limit)


def reserved_elsewhere(ctx: LambdaContext, name: str) -> int:
    return sum(int(doc.get("reserved_concurrency") or 0)
               for doc in functions.list_functions(ctx.store, ctx.account, ctx.region) if doc["name"] != name)


def put_function_concurrency(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    require_unqualified(ref)
    doc = require_function(ctx, ref, message_qualifier=names.LATEST)
    value = int(request["ReservedConcurrentExecutions"])
    limit = ctx.backend.settings.lambda_account_concurrency
    minimum = unreserved_minimum(limit)
    if limit - reserved_elsewhere(ctx, ref.name) - value < minimum:
        raise InvalidParameterValueException(
            "Specified ReservedConcurrentExecutions for function decreases account's "
            f"UnreservedConcurrentExecution below its minimum value of [{minimum}].")
    with ctx.store.transaction() as txn:
        current = functions.get_function(txn, ref) or doc
        functions.put(txn, dict(current, reserved_concurrency=value))
    return {"ReservedConcurrentExecutions": value}


def get_function_concurrency(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    require_unqualified(ref)
    doc = require_function(ctx, ref)
    if doc.get("reserved_concurrency") is None:
        return {}
    return {"ReservedConcurrentExecutions": doc["reserved_concurrency"]}


def delete_function_concurrency(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request)
    require_unqualified(ref)
    require_function(ctx, ref)
    with ctx.store.transaction() as txn:
        current = functions.get_function(txn, ref)
        if current is not None:
            functions.put(txn, dict(current, reserved_concurrency=None))
    return {}

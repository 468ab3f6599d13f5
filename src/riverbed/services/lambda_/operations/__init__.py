"""Lambda operations: one module per API action (or per small related group), each ``(ctx, request) -> dict``.

Requests are validated against the botocore model here rather than by the gateway, for one reason:
Lambda answers an unknown ``Runtime`` with its own InvalidParameterValueException and its own enum
list (lambda_api snapshot, test_create_lambda_exceptions), not with the model's ValidationException.
So a Runtime outside the model's enum is set aside while the model checks the rest, and the operation
then judges it (``parameters.check_runtime``).  Everything else is the shared validator's answer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from riverbed.protocol.context import RequestContext
from riverbed.services.lambda_.operations.account_settings import get_account_settings
from riverbed.services.lambda_.operations.concurrency import (
    delete_function_concurrency,
    get_function_concurrency,
    put_function_concurrency,
)
from riverbed.services.lambda_.operations.create_function import create_function
from riverbed.services.lambda_.operations.delete_function import delete_function
from riverbed.services.lambda_.operations.get_function import get_function, get_function_configuration
from riverbed.services.lambda_.operations.invoke import invoke
from riverbed.services.lambda_.operations.list_functions import list_functions, list_versions_by_function
from riverbed.services.lambda_.operations.permissions import add_permission, get_policy, remove_permission
from riverbed.services.lambda_.operations.tags import list_tags, tag_resource, untag_resource
from riverbed.services.lambda_.operations.update_function_code import update_function_code
from riverbed.services.lambda_.operations.update_function_configuration import update_function_configuration
from riverbed.services.lambda_.operations.versions import publish_version

OPERATIONS: dict[str, Callable[..., Any]] = {
    "CreateFunction": create_function,
    "GetFunction": get_function,
    "GetFunctionConfiguration": get_function_configuration,
    "ListFunctions": list_functions,
    "UpdateFunctionCode": update_function_code,
    "UpdateFunctionConfiguration": update_function_configuration,
    "DeleteFunction": delete_function,
    "Invoke": invoke,
    "PublishVersion": publish_version,
    "ListVersionsByFunction": list_versions_by_function,
    "PutFunctionConcurrency": put_function_concurrency,
    "GetFunctionConcurrency": get_function_concurrency,
    "DeleteFunctionConcurrency": delete_function_concurrency,
    "AddPermission": add_permission,
    "RemovePermission": remove_permission,
    "GetPolicy": get_policy,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTags": list_tags,
    "GetAccountSettings": get_account_settings,
}


def validate(ctx: RequestContext, operation: str, request: dict[str, Any]) -> None:
    from riverbed.protocol.validate import validate_input

    model = ctx.app.gateway.model("lambda")
    runtime = request.get("Runtime")
    if isinstance(runtime, str) and runtime not in model.shape("Runtime").get("enum", ()):
        request.pop("Runtime")
        try:
            validate_input(model, operation, request)
        finally:
            request["Runtime"] = runtime
        return
    validate_input(model, operation, request)


def validated(operation: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` preceded by model validation; stays a coroutine function when ``func`` is one."""
    if inspect.iscoroutinefunction(func):
        async def run_async(ctx: RequestContext, request: dict[str, Any]) -> Any:
            validate(ctx, operation, request)
            return await func(ctx, request)
        return run_async

    def run(ctx: RequestContext, request: dict[str, Any]) -> Any:
        validate(ctx, operation, request)
        return func(ctx, request)
    return run


def operation_table() -> dict[str, Callable[..., Any]]:
    """A fresh table for one app (other packages add their Lambda operations to it)."""
    return {name: validated(name, func) for name, func in OPERATIONS.items()}

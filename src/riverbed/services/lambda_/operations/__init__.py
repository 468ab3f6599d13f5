"""Lambda operations: one module per API action (or per small related group), each ``(ctx, request) -> dict``.

Requests are validated against the botocore model by :func:`validate` (the gateway's validator for the
Lambda spec) rather than by the generic one, for one reason:
Lambda answers an unknown ``Runtime`` with its own InvalidParameterValueException and its own enum
list (lambda_api snapshot, test_create_lambda_exceptions), not with the model's ValidationException.
So a Runtime outside the model's enum is set aside while the model checks the rest, and the operation
then judges it (``parameters.check_runtime``).  Everything else is the shared validator's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from riverbed.services.lambda_.operations.account_settings import get_account_settings
from riverbed.services.lambda_.operations.aliases import (
    create_alias,
    delete_alias,
    get_alias,
    list_aliases,
    update_alias,
)
from riverbed.services.lambda_.operations.concurrency import (
    delete_function_concurrency,
    get_function_concurrency,
    put_function_concurrency,
)
from riverbed.services.lambda_.operations.create_function import create_function
from riverbed.services.lambda_.operations.delete_function import delete_function
from riverbed.services.lambda_.operations.event_invoke_config import (
    delete_function_event_invoke_config,
    get_function_event_invoke_config,
    list_function_event_invoke_configs,
    put_function_event_invoke_config,
    update_function_event_invoke_config,
)
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
    "CreateAlias": create_alias,
    "GetAlias": get_alias,
    "UpdateAlias": update_alias,
    "DeleteAlias": delete_alias,
    "ListAliases": list_aliases,
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
    "PutFunctionEventInvokeConfig": put_function_event_invoke_config,
    "GetFunctionEventInvokeConfig": get_function_event_invoke_config,
    "UpdateFunctionEventInvokeConfig": update_function_event_invoke_config,
    "DeleteFunctionEventInvokeConfig": delete_function_event_invoke_config,
    "ListFunctionEventInvokeConfigs": list_function_event_invoke_configs,
}

"""Checks on function configuration that go beyond the botocore model, in AWS's words.

Owns: the ``Runtime`` rules (AWS's own enum message -- an InvalidParameterValueException, not the
model's ValidationException --, retired runtimes, and riverbed's one departure: only Python runtimes
run, all on this machine's interpreter), environment variables (4 KB limit, reserved keys), layers
(riverbed has none), code sources other than ``ZipFile``, and the execution role's trust of Lambda
(asked of the :class:`~riverbed.core.interfaces.RoleGuard` the service was handed; "The role defined
for the function cannot be assumed by Lambda.", spec/iam.md).

Texts: lambda_api snapshot (test_create_lambda_exceptions, TestLambdaSizeLimits, runtime
deprecation cases); https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html

Must not: touch the store.
"""

from __future__ import annotations

import json
from typing import Any

from riverbed.core.interfaces import RoleGuard
from riverbed.errors import InvalidParameterValueException

ROLE_NOT_ASSUMABLE = "The role defined for the function cannot be assumed by Lambda."

# The enum Lambda itself enforces, in the order its message lists it (lambda_api snapshot).
AWS_RUNTIMES = ("nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, "
                "java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, "
                "java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2")
_AWS_RUNTIME_SET = frozenset(AWS_RUNTIMES.split(", "))
PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
INPROCESS_RUNTIME = "python3.12"

ENV_LIMIT_BYTES = 4096
# Variables the Lambda platform sets itself; AWS refuses them in Environment.Variables.
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
RESERVED_VARIABLES = ("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
                      "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
                      "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
                      "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                      "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR")

RUNTIME_AND_HANDLER_REQUIRED = ("Runtime and Handler are mandatory parameters for functions created with "
                                "deployment packages.")


def check_runtime(runtime: str) -> None:
    if runtime not in _AWS_RUNTIME_SET:
        if runtime.lower() != runtime or not _looks_like_retired(runtime):
            raise InvalidParameterValueException(
                f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value "
                f"set: [{AWS_RUNTIMES}] or be a valid ARN")
        raise InvalidParameterValueException(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
            "functions. We recommend you use a supported runtime while creating or updating functions.")
    if runtime not in PYTHON_RUNTIMES:
        raise InvalidParameterValueException(
            f"riverbed runs Python functions only: Runtime {runtime} is not supported. Use one of "
            f"{', '.join(PYTHON_RUNTIMES)} (all run on this machine's Python).")


def _looks_like_retired(runtime: str) -> bool:
    """Runtimes the botocore model still lists but Lambda no longer accepts for create/update."""
    from riverbed.core.models import load_service_model

    try:
        enum = load_service_model("lambda").shape("Runtime").get("enum", ())
    except Exception:
        return False
    return runtime in enum


def check_environment(environment: Any) -> dict[str, str] | None:
    """``Environment.Variables`` as a dict (None when Environment was not given)."""
    if environment is None:
        return None
    variables = dict((environment or {}).get("Variables") or {})
    reserved = [k for k in variables if k in RESERVED_VARIABLES]
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables you "
            "have provided contains reserved keys that are currently not supported for modification. Reserved "
            f"keys used in this request: {', '.join(reserved)}")
    measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode("utf-8")) > ENV_LIMIT_BYTES:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables you "
            f"have provided exceeded the 4KB limit. String measured: {measured}")
    return {str(k): str(v) for k, v in variables.items()}


def check_layers(layers: Any) -> None:
    """riverbed has no layers, so every layer version is one that does not exist."""
    for arn in layers or ():
        raise InvalidParameterValueException(f"Layer version {arn} does not exist.")


def check_code_source(code: dict[str, Any]) -> None:
    """Zip packages only (uploaded, or read from S3 by ``code.source_zip``): container images are refused."""
    if code.get("ImageUri"):
        raise InvalidParameterValueException(
            "riverbed runs zip-packaged Python functions only; container images (ImageUri) are not supported.")


def check_role(roles: RoleGuard | None, account: str, role_arn: Any) -> None:
    """InvalidParameterValueException when the execution role does not trust lambda.amazonaws.com."""
    if roles is not None and role_arn and not roles.lambda_can_assume(account, str(role_arn)):
        raise InvalidParameterValueException(ROLE_NOT_ASSUMABLE)


# The role must be able to send discarded events to the dead-letter target, in AWS's words (reported by users:
# https://github.com/elastic/beats/issues/13963, https://github.com/serverless/serverless/issues/4770).
_DEAD_LETTER_ACTIONS = {"sqs": ("sqs:SendMessage", "SendMessage on SQS"), "sns": ("sns:Publish", "Publish on SNS")}


def check_dead_letter(roles: RoleGuard | None, account: str, doc: dict[str, Any]) -> None:
    """InvalidParameterValueException when the execution role may not send to the DeadLetterConfig target."""
    target = doc.get("dead_letter_target")
    role = doc.get("role")
    if roles is None or not target or not role:
        return
    action = _DEAD_LETTER_ACTIONS.get(str(target).split(":")[2] if str(target).count(":") >= 5 else "")
    if action is not None and roles.missing_actions(account, str(role), [action[0]], str(target)):
        raise InvalidParameterValueException(f"The provided execution role does not have permissions to call "
                                             f"{action[1]}")

"""Applying configuration parameters (CreateFunction / UpdateFunctionConfiguration) to a function document.

Owns: which request members map to which document fields, and the checks each runs on the way
(``parameters.py`` holds the texts).  Members riverbed accepts but has no behaviour for (VpcConfig,
SnapStart, TracingConfig beyond its mode ...) are kept or ignored as noted below.

Must not: write to the store.
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import InvalidParameterValueException
from riverbed.services.lambda_ import parameters

_SIMPLE = (("Role", "role"), ("Handler", "handler"), ("Description", "description"), ("Timeout", "timeout"),
           ("MemorySize", "memory_size"), ("KMSKeyArn", "kms_key_arn"))


def apply_configuration(doc: dict[str, Any], request: dict[str, Any]) -> None:
    """Copy every configuration member present in ``request`` into ``doc`` (checked first, so a failure
    leaves ``doc`` as it was)."""
    changes: dict[str, Any] = {}
    if request.get("Runtime") is not None:
        parameters.check_runtime(request["Runtime"])
        changes["runtime"] = request["Runtime"]
    if "Environment" in request and request["Environment"] is not None:
        changes["environment"] = parameters.check_environment(request["Environment"])
    parameters.check_layers(request.get("Layers"))
    for member, field in _SIMPLE:
        if request.get(member) is not None:
            changes[field] = request[member]
    if request.get("DeadLetterConfig") is not None:
        changes["dead_letter_target"] = request["DeadLetterConfig"].get("TargetArn") or None
    if request.get("TracingConfig") is not None:
        changes["tracing_mode"] = request["TracingConfig"].get("Mode") or "PassThrough"
    if request.get("EphemeralStorage") is not None:
        changes["ephemeral_storage"] = int(request["EphemeralStorage"].get("Size", 512))
    if request.get("LoggingConfig") is not None:
        changes.update(logging_changes(doc, request["LoggingConfig"]))
    doc.update(changes)


def logging_changes(doc: dict[str, Any], logging_config: dict[str, Any]) -> dict[str, Any]:
    """LoggingConfig: log group, format (Text | JSON) and, with JSON only, the application and system log
    levels (AWS refuses levels with Text in these words, as CloudFormation users have recorded:
    https://github.com/aws/aws-cdk/pull/28045).  Switching back to Text drops the levels."""
    changes: dict[str, Any] = {}
    if logging_config.get("LogGroup"):
        changes["log_group"] = logging_config["LogGroup"]
    if logging_config.get("LogFormat"):
        changes["log_format"] = logging_config["LogFormat"]
    log_format = changes.get("log_format", doc.get("log_format", "Text"))
    levels = {field: logging_config[member] for member, field in (("ApplicationLogLevel", "application_log_level"),
                                                                  ("SystemLogLevel", "system_log_level"))
              if logging_config.get(member)}
    if log_format != "JSON":
        if levels:
            raise InvalidParameterValueException(
                'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or '
                'change the LogFormat to "Json" and try again.')
        changes.update(application_log_level=None, system_log_level=None)
    changes.update(levels)
    return changes

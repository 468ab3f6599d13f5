"""The event-source-mapping API (Lambda REST-JSON): Create/Get/List/Update/Delete for DynamoDB streams.

https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
Each reads top to bottom: validate -> do -> answer.  Create/Update/Delete
answer with the transitional state (Creating / Updating / Enabling /
Disabling / Deleting), as AWS does; the final state is visible straight away
through Get (spec/lambda-esm.md §4, transition delay 0).

Create and Update check that the function's execution role may read the stream (the four actions AWS
names in its message; spec/iam.md), through the ``RoleGuard`` the engine was handed.
"""

from __future__ import annotations

import copy
from typing import Any

from riverbed.errors import InvalidParameterValueException, ResourceInUseException, ValidationException
from riverbed.triggers import mappings as m
from riverbed.triggers.supervisor import TriggersContext

STREAM_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                  "dynamodb:ListStreams")


def _check_stream_access(ctx: TriggersContext, function_name: str, source: str) -> None:
    """InvalidParameterValueException, in AWS's words, when the function's role cannot read the stream."""
    roles = ctx.backend.roles
    doc = ctx.backend.functions.resolve(ctx.account, ctx.region, function_name)
    role = (doc or {}).get("role")
    if roles is None or not role:
        return
    if roles.missing_actions(ctx.account, role, STREAM_ACTIONS, source):
        raise InvalidParameterValueException(
            f"Cannot access stream {source}. Please ensure the role can perform the GetRecords, GetShardIterator, "
            "DescribeStream, and ListStreams Actions on your stream in IAM.")
    # A table encrypted with a customer managed key: its records are read with kms:Decrypt on that key.
    key = ctx.backend.table_keys.stream_table_key(source) if ctx.backend.table_keys is not None else None
    if key is not None and roles.missing_actions(ctx.account, role, ["kms:Decrypt"], key):
        raise InvalidParameterValueException(
            "The provided execution role does not have permissions to call Decrypt on KMS")


def _function_arn(ctx: TriggersContext, name: str) -> str:
    doc = ctx.backend.functions.resolve(ctx.account, ctx.region, name)
    if doc is None:
        raise InvalidParameterValueException("Function does not exist")
    arn = doc["FunctionArn"]
    # A qualifier given by the caller (name:qualifier or a qualified ARN) is kept in FunctionArn.
    parts = name.split(":")
    qualified = len(parts) == 8 if name.startswith("arn:") else len(parts) in (2, 4)
    return f"{arn}:{parts[-1]}" if qualified else arn


def create_event_source_mapping(ctx: TriggersContext, req: dict[str, Any]) -> dict[str, Any]:
    triggers = ctx.backend
    source = req.get("EventSourceArn")
    if not source:
        raise InvalidParameterValueException("Unrecognized event source.")
    if ":dynamodb:" not in source or "/stream/" not in source:
        raise InvalidParameterValueException("Unrecognized event source, must be a DynamoDB stream ARN "
                                             "(riverbed serves DynamoDB stream triggers).")
    position = req.get("StartingPosition")
    if position is None:
        raise InvalidParameterValueException("1 validation error detected: Value null at 'startingPosition' failed "
                                             "to satisfy constraint: Member must not be null.")
    if position not in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"):
        raise ValidationException(f"1 validation error detected: Value '{position}' at 'startingPosition' failed "
                                  "to satisfy constraint: Member must satisfy enum value set: "
                                  "[LATEST, AT_TIMESTAMP, TRIM_HORIZON]")
    if position == "AT_TIMESTAMP" or req.get("StartingPositionTimestamp") is not None:
        raise InvalidParameterValueException(f"Unsupported starting position for arn type: {source}")
    m.validate_tunables(req, triggers.compile_filter)
    function_arn = _function_arn(ctx, req["FunctionName"])
    stream = ctx.backend.streams.get(source)
    if stream is None:
        raise InvalidParameterValueException(f"Stream not found: {source}")
    _check_stream_access(ctx, req["FunctionName"], source)
    for doc in triggers.docs().values():
        if doc["EventSourceArn"] == source and doc["FunctionArn"] == function_arn:
            raise m.duplicate_error(source, req["FunctionName"], doc["UUID"])
    _check_destination(ctx, req, req["FunctionName"])
    doc = m.new_mapping(ctx, req, function_arn, source)
    triggers.start_positions(doc)
    triggers.saved(doc)
    return m.describe(doc, "Creating")


def _check_destination(ctx: TriggersContext, req: dict[str, Any], function_name: str) -> None:
    target = ((req.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if not target:
        return
    # A missing destination is reported when delivery fails (LastProcessingResult,
    # DestinationDeliveryFailures), as on AWS; here only the role's permission to send to it is checked.
    service = target.split(":")[2] if target.count(":") >= 5 else ""
    action = {"sqs": ("sqs:SendMessage", "SendMessage", "SQS"), "sns": ("sns:Publish", "Publish", "SNS")}.get(service)
    roles = ctx.backend.roles
    role = ((ctx.backend.functions.resolve(ctx.account, ctx.region, function_name) or {}).get("role"))
    if action is None or roles is None or not role:
        return
    if roles.missing_actions(ctx.account, role, [action[0]], target):
        raise InvalidParameterValueException(
            f"The provided execution role does not have permissions to call {action[1]} on {action[2]}")


def get_event_source_mapping(ctx: TriggersContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.docs().get(req["UUID"])
    if doc is None or doc["_account"] != ctx.account:
        raise m.not_found()
    return m.describe(doc)


def list_event_source_mappings(ctx: TriggersContext, req: dict[str, Any]) -> dict[str, Any]:
    docs = [d for d in ctx.backend.docs().values() if d["_account"] == ctx.account and d["_region"] == ctx.region]
    if req.get("EventSourceArn"):
        docs = [d for d in docs if d["EventSourceArn"] == req["EventSourceArn"]]
    if req.get("FunctionName"):
        try:
            arn = _function_arn(ctx, req["FunctionName"])
        except InvalidParameterValueException:
            arn = None
        docs = [d for d in docs if d["FunctionArn"] == arn or d["_function_name"] == req["FunctionName"]]
    docs.sort(key=lambda d: (d["_created"], d["UUID"]))
    start = 0
    if req.get("Marker"):
        uuids = [d["UUID"] for d in docs]
        if req["Marker"] not in uuids:
            raise InvalidParameterValueException("Invalid marker")
        start = uuids.index(req["Marker"]) + 1
    size = min(req.get("MaxItems") or 100, 100)
    page = docs[start:start + size]
    out: dict[str, Any] = {"EventSourceMappings": [m.describe(d) for d in page]}
    if start + size < len(docs):
        out["NextMarker"] = page[-1]["UUID"]
    return out


def update_event_source_mapping(ctx: TriggersContext, req: dict[str, Any]) -> dict[str, Any]:
    triggers = ctx.backend
    current = triggers.docs().get(req["UUID"])
    if current is None or current["_account"] != ctx.account:
        raise m.not_found()
    if current["State"] in ("Creating", "Updating", "Deleting"):
        raise ResourceInUseException(f"Cannot update the event source mapping because it is in use. "
                                     f"Current state: {current['State']}")
    m.validate_tunables(req, triggers.compile_filter)
    doc = copy.deepcopy(current)
    if req.get("FunctionName"):
        doc["FunctionArn"] = _function_arn(ctx, req["FunctionName"])
        doc["_function_name"] = req["FunctionName"]
    _check_stream_access(ctx, doc["FunctionArn"], doc["EventSourceArn"])
    _check_destination(ctx, req, doc["FunctionArn"])
    for key in m.TUNABLE:
        if key in req and req[key] is not None:
            doc[key] = req[key]
    if doc.get("FilterCriteria") == {}:
        doc.pop("FilterCriteria")
    transitional = "Updating"
    if "Enabled" in req and req["Enabled"] is not None:
        enabled = bool(req["Enabled"])
        if enabled and current["State"] == "Disabled":
            transitional = "Enabling"
        elif not enabled and current["State"] == "Enabled":
            transitional = "Disabling"
        doc["State"] = "Enabled" if enabled else "Disabled"
    doc["LastModified"] = round(ctx.clock.now(), 3)
    doc["StateTransitionReason"] = "User action"
    triggers.saved(doc)
    return m.describe(doc, transitional)


def delete_event_source_mapping(ctx: TriggersContext, req: dict[str, Any]) -> dict[str, Any]:
    triggers = ctx.backend
    doc = triggers.docs().get(req["UUID"])
    if doc is None or doc["_account"] != ctx.account:
        raise m.not_found()
    if doc["State"] in ("Creating", "Updating"):
        raise ResourceInUseException(f"Cannot delete the event source mapping because it is in use. "
                                     f"Current state: {doc['State']}")
    triggers.deleted(doc["UUID"])
    return m.describe(doc, "Deleting")


OPERATIONS = {
    "CreateEventSourceMapping": create_event_source_mapping,
    "GetEventSourceMapping": get_event_source_mapping,
    "ListEventSourceMappings": list_event_source_mappings,
    "UpdateEventSourceMapping": update_event_source_mapping,
    "DeleteEventSourceMapping": delete_event_source_mapping,
}

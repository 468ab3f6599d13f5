"""Event source mappings: their configuration documents, validation and state machine.

Owns: the mapping document (kind ``esm``, key = UUID), AWS's parameter rules
for DynamoDB stream sources (spec/lambda-esm.md §2-4) with the recorded
error texts, the ``EventSourceMappingConfiguration`` response shape, and the
per-shard checkpoints (kind ``esm-checkpoint``, key ``<uuid>/<shardId>``).

Must not: poll, invoke or deliver (``poller.py``, ``supervisor.py``).
"""

from __future__ import annotations

import copy
from typing import Any

from riverbed import ids
from riverbed.errors import (
    InvalidParameterValueException,
    LambdaResourceNotFoundException,
    ResourceConflictException,
    ServiceError,
)
from riverbed.storage.base import Store

ESM = "esm"
CHECKPOINT = "esm-checkpoint"
MAPPINGS_CHANNEL = "mappings"   # store notifications: a mapping document changed (payload: its UUID)

REJECTED_FOR_DYNAMODB = ("Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
                         "ScalingConfig", "AmazonManagedKafkaEventSourceConfig",
                         "SelfManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig",
                         "ProvisionedPollerConfig")

DEFAULTS = {
    "BatchSize": 100,
    "MaximumBatchingWindowInSeconds": 0,
    "ParallelizationFactor": 1,
    "MaximumRecordAgeInSeconds": -1,
    "BisectBatchOnFunctionError": False,
    "MaximumRetryAttempts": -1,
    "TumblingWindowInSeconds": 0,
    "FunctionResponseTypes": [],
}

TUNABLE = ("BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor", "MaximumRecordAgeInSeconds",
           "BisectBatchOnFunctionError", "MaximumRetryAttempts", "TumblingWindowInSeconds",
           "FunctionResponseTypes", "FilterCriteria", "DestinationConfig", "MetricsConfig", "KMSKeyArn")


def not_found() -> ServiceError:
    return LambdaResourceNotFoundException("The resource you requested does not exist.")


def _range(name: str, value: Any, low: int, high: int) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < low or value > high:
        raise InvalidParameterValueException(f"{name} must be between {low} and {high} inclusive" if name !=
                                             "MaximumRecordAgeInSeconds" else
                                             "MaximumRecordAgeInSeconds must be -1 or between 60 and 604800")


def validate_tunables(req: dict[str, Any], compile_filter: Any) -> None:
    """Range and shape rules botocore does not enforce client-side (it checks minimums only)."""
    _range("BatchSize", req.get("BatchSize"), 1, 10000)
    _range("MaximumBatchingWindowInSeconds", req.get("MaximumBatchingWindowInSeconds"), 0, 300)
    _range("ParallelizationFactor", req.get("ParallelizationFactor"), 1, 10)
    _range("MaximumRetryAttempts", req.get("MaximumRetryAttempts"), -1, 10000)
    _range("TumblingWindowInSeconds", req.get("TumblingWindowInSeconds"), 0, 900)
    age = req.get("MaximumRecordAgeInSeconds")
    if age is not None and age != -1 and not 60 <= age <= 604800:
        raise InvalidParameterValueException("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800")
    for name in REJECTED_FOR_DYNAMODB:
        if req.get(name):
            raise InvalidParameterValueException(f"Unsupported parameter for DynamoDB event source: {name}")
    dest = req.get("DestinationConfig")
    if dest:
        if dest.get("OnSuccess", {}).get("Destination"):
            raise InvalidParameterValueException("Unsupported DestinationConfig parameter for given event source "
                                                 "mapping type.")
        target = dest.get("OnFailure", {}).get("Destination")
        if target and not (target.startswith("arn:aws:sqs:") or target.startswith("arn:aws:sns:")
                           or target.startswith("arn:aws:s3:::")):
            raise InvalidParameterValueException("The provided destination config DestinationConfig(onSuccess=null, "
                                                 f"onFailure=OnFailure(destination={target})) is invalid.")
        if target and target.endswith(".fifo"):
            raise InvalidParameterValueException("FIFO destinations are not supported for DynamoDB event sources.")
    if req.get("FilterCriteria") is not None:
        compile_filter(req["FilterCriteria"])


def new_mapping(ctx: Any, req: dict[str, Any], function_arn: str, stream_arn: str) -> dict[str, Any]:
    esm_uuid = ids.new_uuid()
    doc: dict[str, Any] = {
        "UUID": esm_uuid,
        "StartingPosition": req["StartingPosition"],
        "EventSourceArn": stream_arn,
        "FunctionArn": function_arn,
        "LastModified": round(ctx.clock.now(), 3),
        "LastProcessingResult": "No records processed",
        "State": "Enabled" if req.get("Enabled", True) else "Disabled",
        "StateTransitionReason": "User action",
        "DestinationConfig": req.get("DestinationConfig") or {"OnFailure": {}},
        "EventSourceMappingArn": ids.esm_arn(ctx.region, ctx.account, esm_uuid),
    }
    for key, default in DEFAULTS.items():
        doc[key] = req.get(key, copy.deepcopy(default))
    for key in ("FilterCriteria", "MetricsConfig", "KMSKeyArn"):
        if req.get(key) is not None:
            doc[key] = req[key]
    doc["_function_name"] = req["FunctionName"]
    doc["_account"], doc["_region"] = ctx.account, ctx.region
    doc["_tags"] = req.get("Tags") or {}
    doc["_created"] = ctx.clock.now()
    return doc


def describe(doc: dict[str, Any], state: str | None = None) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    if state is not None:
        out["State"] = state
    if out.get("FilterCriteria") == {}:
        out.pop("FilterCriteria")
    return out


def duplicate_error(stream_arn: str, function_name: str, existing_uuid: str) -> ServiceError:
    return ResourceConflictException(
        f'The event source arn (" {stream_arn} ") and function (" {function_name} ") provided mapping already '
        f"exists. Please update or delete the existing mapping with UUID {existing_uuid}")


class MappingStore:
    """Mapping documents and checkpoints, with an in-memory view the pollers read without I/O."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, esm_uuid: str) -> dict[str, Any] | None:
        return self.store.get_doc(ESM, esm_uuid)

    def all(self) -> list[dict[str, Any]]:
        return [doc for _, doc in self.store.list_docs(ESM)]

    def save(self, doc: dict[str, Any]) -> None:
        with self.store.transaction() as txn:
            txn.put_doc(ESM, doc["UUID"], doc)
            txn.notify(MAPPINGS_CHANNEL, doc["UUID"])

    def delete(self, esm_uuid: str) -> None:
        with self.store.transaction() as txn:
            txn.delete_doc(ESM, esm_uuid)
            txn.notify(MAPPINGS_CHANNEL, esm_uuid)
            for key, _ in txn.list_docs(CHECKPOINT, f"{esm_uuid}/"):
                txn.delete_doc(CHECKPOINT, key)

    # --- checkpoints: the next sequence counter to deliver, per shard ---------------------------
    def checkpoint(self, esm_uuid: str, shard_id: str) -> dict[str, Any] | None:
        return self.store.get_doc(CHECKPOINT, f"{esm_uuid}/{shard_id}")

    def set_checkpoint(self, esm_uuid: str, shard_id: str, position: int, *, done: bool = False) -> None:
        with self.store.transaction() as txn:
            txn.put_doc(CHECKPOINT, f"{esm_uuid}/{shard_id}", {"next": position, "done": done})

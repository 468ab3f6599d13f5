"""DescribeContinuousBackups and UpdateContinuousBackups: point-in-time recovery settings of a table.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
Riverbed keeps no backups; it stores the PITR setting in the table document (``_pitr``) and describes it
as AWS does: when enabled, EarliestRestorableDateTime is when it was enabled (or the start of the recovery
period, whichever is later) and LatestRestorableDateTime is now.
"""

from __future__ import annotations

import copy
from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.service import DdbContext

DEFAULT_PERIOD_DAYS = 35


def describe_continuous_backups(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table = ctx.backend.table(ctx, req["TableName"], describe=True)
    return {"ContinuousBackupsDescription": _description(table.doc, ctx.clock.now())}


def update_continuous_backups(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    table = dyn.table(ctx, req["TableName"], describe=True)
    spec = req["PointInTimeRecoverySpecification"]
    enabled = bool(spec["PointInTimeRecoveryEnabled"])
    period = spec.get("RecoveryPeriodInDays")
    if not enabled and period is not None:
        raise ValidationException("Invalid Request: Cannot specify RecoveryPeriodInDays when disabling "
                                  "point-in-time recovery.")
    now = ctx.clock.now()
    doc = copy.deepcopy(table.doc)
    current = _state(doc)
    if enabled:
        since = current["since"] if current.get("enabled") else round(now, 3)
        doc["_pitr"] = {"enabled": True, "since": since, "days": period or current.get("days") or DEFAULT_PERIOD_DAYS}
    else:
        doc["_pitr"] = {"enabled": False}
    with ctx.store.transaction() as txn:
        new_table = dyn.catalog.save(txn, doc)
    return {"ContinuousBackupsDescription": _description(new_table.doc, now)}


def _state(doc: dict[str, Any]) -> dict[str, Any]:
    state = doc.get("_pitr")
    if isinstance(state, dict):
        return state
    # Older documents stored a bare flag.
    return {"enabled": bool(state), "since": doc.get("CreationDateTime", 0.0), "days": DEFAULT_PERIOD_DAYS}


def _description(doc: dict[str, Any], now: float) -> dict[str, Any]:
    state = _state(doc)
    pitr: dict[str, Any] = {"PointInTimeRecoveryStatus": "ENABLED" if state.get("enabled") else "DISABLED"}
    if state.get("enabled"):
        days = state.get("days") or DEFAULT_PERIOD_DAYS
        pitr["RecoveryPeriodInDays"] = days
        pitr["EarliestRestorableDateTime"] = max(state.get("since", now), round(now - days * 86400, 3))
        pitr["LatestRestorableDateTime"] = round(now, 3)
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}

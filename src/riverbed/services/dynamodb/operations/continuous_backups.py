"""DescribeContinuousBackups and UpdateContinuousBackups: point-in-time recovery settings of a table.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
The PITR state and the change history it keeps live in ``pitr.py``; when enabled, EarliestRestorableDateTime
is when it was enabled (or the start of the recovery period, whichever is later) and LatestRestorableDateTime
is now (AWS lags about five minutes behind; riverbed's history is complete at once).
"""

from __future__ import annotations

import copy
from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import pitr
from riverbed.services.dynamodb.service import DdbContext


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
    with ctx.store.transaction() as txn:
        if enabled:
            pitr.enable(txn, doc, now, period)
        else:
            pitr.disable(txn, doc)
        new_table = dyn.catalog.save(txn, doc)
    return {"ContinuousBackupsDescription": _description(new_table.doc, now)}


def _description(doc: dict[str, Any], now: float) -> dict[str, Any]:
    state = pitr.state(doc)
    description: dict[str, Any] = {"PointInTimeRecoveryStatus": "ENABLED" if state.get("enabled") else "DISABLED"}
    span = pitr.window(doc, now)
    if span is not None:
        description["RecoveryPeriodInDays"] = state.get("days") or pitr.DEFAULT_PERIOD_DAYS
        description["EarliestRestorableDateTime"], description["LatestRestorableDateTime"] = span
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": description}

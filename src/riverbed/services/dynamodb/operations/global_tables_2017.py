"""Global tables version 2017.11.29 (legacy): answered exactly as DynamoDB answers them today.

AWS no longer creates global tables of this version, so no such table can exist: CreateGlobalTable is a
ValidationException naming the version; DescribeGlobalTable, UpdateGlobalTable, DescribeGlobalTableSettings
and UpdateGlobalTableSettings answer GlobalTableNotFoundException for any name -- a 2019.11.21 global
table's name included -- and ListGlobalTables lists nothing.

Sources: ScyllaDB's test/alternator/test_global_tables.py (written to pass against DynamoDB: the codes, and
that 2019.11.21 names are not found either), and for the exact texts the observations of DynamoDB published
by the ack-api-quirks lab (findings DDB-GLOBALTABLE-002 and -004, DDB-GLOBALTABLESETTINGS-001, verified
2026-10-09: CreateGlobalTable refused from us-east-1, us-east-2, us-west-2 and eu-west-1 with the text below;
UpdateGlobalTable refuses a Create before it looks the name up).  A user report of the same CreateGlobalTable
text: crossplane-contrib/provider-aws issue 2308 (2026).  The API reference still documents these operations
but says the version "should be avoided for new global tables"; it names no account for which CreateGlobalTable
still creates one.

Must not: touch tables; version 2019.11.21 replicas are UpdateTable's (``globaltables.py``).
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException, error
from riverbed.services.dynamodb.service import DdbContext

NOT_SUPPORTED = ("One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not "
                 "supported. We recommend using DynamoDB global tables version 2019.11.21, instead of version "
                 "2017.11.29 (Legacy).")
INVALID = "One or more parameter values were invalid"


def _not_found(name: str, *, prefix: str = "") -> Exception:
    # DescribeGlobalTable's text starts "Global table not found: "; the settings operations' does not.
    return error("GlobalTableNotFoundException", f"{prefix}Global table with name: '{name}' does not exist.")


def create_global_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    raise ValidationException(NOT_SUPPORTED)


def describe_global_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(req["GlobalTableName"], prefix="Global table not found: ")


def update_global_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    updates = req.get("ReplicaUpdates") or []
    if not updates:
        raise ValidationException(INVALID)
    if any(update.get("Create") is not None for update in updates):
        raise ValidationException(NOT_SUPPORTED)   # checked before the name is looked up
    # Not verified: the text of a Delete's GlobalTableNotFoundException (the settings operations' is used).
    raise _not_found(req["GlobalTableName"])


def describe_global_table_settings(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(req["GlobalTableName"])


def update_global_table_settings(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(req["GlobalTableName"])


def list_global_tables(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"GlobalTables": []}

"""Global tables version 2017.11.29 (legacy): answered exactly as DynamoDB answers them today.

AWS no longer creates global tables of this version, so no such table can exist: CreateGlobalTable is a
ValidationException naming the version; DescribeGlobalTable, UpdateGlobalTable, DescribeGlobalTableSettings
and UpdateGlobalTableSettings answer GlobalTableNotFoundException for any name -- a 2019.11.21 global
table's name included -- and ListGlobalTables lists nothing.  Source: ScyllaDB's
test/alternator/test_global_tables.py, written to pass against DynamoDB, with the texts it quotes.

Must not: touch tables; version 2019.11.21 replicas are UpdateTable's (``globaltables.py``).
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException, error
from riverbed.services.dynamodb.service import DdbContext

NOT_SUPPORTED = ("DynamoDB global tables version 2017.11.29 is not supported. We recommend using DynamoDB global "
                 "tables version 2019.11.21, instead of version 2017.11.29 (Legacy).")


def _not_found(name: str) -> Exception:
    return error("GlobalTableNotFoundException", f"Global table with name '{name}' does not exist.")


def create_global_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    raise ValidationException(NOT_SUPPORTED)


def describe_global_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(req["GlobalTableName"])


def update_global_table(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(req["GlobalTableName"])


def describe_global_table_settings(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(req["GlobalTableName"])


def update_global_table_settings(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _not_found(req["GlobalTableName"])


def list_global_tables(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"GlobalTables": []}

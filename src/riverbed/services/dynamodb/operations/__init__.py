"""DynamoDB operations: one module per API action (or per tightly related pair), each ``(ctx, request) -> dict``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from riverbed.services.dynamodb.operations.account import describe_endpoints, describe_limits
from riverbed.services.dynamodb.operations.backups import (
    create_backup,
    delete_backup,
    describe_backup,
    list_backups,
)
from riverbed.services.dynamodb.operations.batch_get_item import batch_get_item
from riverbed.services.dynamodb.operations.batch_write_item import batch_write_item
from riverbed.services.dynamodb.operations.continuous_backups import (
    describe_continuous_backups,
    update_continuous_backups,
)
from riverbed.services.dynamodb.operations.create_table import create_table
from riverbed.services.dynamodb.operations.delete_item import delete_item
from riverbed.services.dynamodb.operations.delete_table import delete_table
from riverbed.services.dynamodb.operations.describe_table import describe_table
from riverbed.services.dynamodb.operations.exports import (
    describe_export,
    export_table_to_point_in_time,
    list_exports,
)
from riverbed.services.dynamodb.operations.get_item import get_item
from riverbed.services.dynamodb.operations.global_tables_2017 import (
    create_global_table,
    describe_global_table,
    describe_global_table_settings,
    list_global_tables,
    update_global_table,
    update_global_table_settings,
)
from riverbed.services.dynamodb.operations.imports import describe_import, import_table, list_imports
from riverbed.services.dynamodb.operations.list_tables import list_tables
from riverbed.services.dynamodb.operations.put_item import put_item
from riverbed.services.dynamodb.operations.query import query
from riverbed.services.dynamodb.operations.replica_auto_scaling import (
    describe_table_replica_auto_scaling,
    update_table_replica_auto_scaling,
)
from riverbed.services.dynamodb.operations.resource_policy import (
    delete_resource_policy,
    get_resource_policy,
    put_resource_policy,
)
from riverbed.services.dynamodb.operations.restore import (
    restore_table_from_backup,
    restore_table_to_point_in_time,
)
from riverbed.services.dynamodb.operations.scan import scan
from riverbed.services.dynamodb.operations.tags import list_tags_of_resource, tag_resource, untag_resource
from riverbed.services.dynamodb.operations.time_to_live import describe_time_to_live, update_time_to_live
from riverbed.services.dynamodb.operations.transact_get_items import transact_get_items
from riverbed.services.dynamodb.operations.transact_write_items import transact_write_items
from riverbed.services.dynamodb.operations.update_item import update_item
from riverbed.services.dynamodb.operations.update_table import update_table
from riverbed.services.dynamodb.service import DdbContext


def _lazy(module: str, name: str) -> Callable[[Any, dict[str, Any]], dict[str, Any]]:
    """PartiQL is imported on its first statement, keeping it out of start-up (testing API < 150 ms)."""

    def operation(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
        func: Callable[[DdbContext, dict[str, Any]], dict[str, Any]] = getattr(
            importlib.import_module(f"riverbed.services.dynamodb.operations.{module}"), name)
        return func(ctx, req)

    operation.__name__ = name
    return operation


execute_statement = _lazy("execute_statement", "execute_statement")
batch_execute_statement = _lazy("batch_execute_statement", "batch_execute_statement")
execute_transaction = _lazy("execute_transaction", "execute_transaction")

OPERATIONS = {
    "CreateTable": create_table,
    "DescribeTable": describe_table,
    "ListTables": list_tables,
    "UpdateTable": update_table,
    "DeleteTable": delete_table,
    "PutItem": put_item,
    "GetItem": get_item,
    "UpdateItem": update_item,
    "DeleteItem": delete_item,
    "BatchWriteItem": batch_write_item,
    "BatchGetItem": batch_get_item,
    "TransactWriteItems": transact_write_items,
    "TransactGetItems": transact_get_items,
    "Query": query,
    "Scan": scan,
    "UpdateTimeToLive": update_time_to_live,
    "DescribeTimeToLive": describe_time_to_live,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsOfResource": list_tags_of_resource,
    "DescribeLimits": describe_limits,
    "DescribeEndpoints": describe_endpoints,
    "DescribeContinuousBackups": describe_continuous_backups,
    "UpdateContinuousBackups": update_continuous_backups,
    "CreateBackup": create_backup,
    "DescribeBackup": describe_backup,
    "ListBackups": list_backups,
    "DeleteBackup": delete_backup,
    "RestoreTableFromBackup": restore_table_from_backup,
    "RestoreTableToPointInTime": restore_table_to_point_in_time,
    "ExecuteStatement": execute_statement,
    "BatchExecuteStatement": batch_execute_statement,
    "ExecuteTransaction": execute_transaction,
    "CreateGlobalTable": create_global_table,
    "DescribeGlobalTable": describe_global_table,
    "UpdateGlobalTable": update_global_table,
    "DescribeGlobalTableSettings": describe_global_table_settings,
    "UpdateGlobalTableSettings": update_global_table_settings,
    "ListGlobalTables": list_global_tables,
    "DescribeTableReplicaAutoScaling": describe_table_replica_auto_scaling,
    "UpdateTableReplicaAutoScaling": update_table_replica_auto_scaling,
    "ExportTableToPointInTime": export_table_to_point_in_time,
    "DescribeExport": describe_export,
    "ListExports": list_exports,
    "ImportTable": import_table,
    "DescribeImport": describe_import,
    "ListImports": list_imports,
    "PutResourcePolicy": put_resource_policy,
    "GetResourcePolicy": get_resource_policy,
    "DeleteResourcePolicy": delete_resource_policy,
}

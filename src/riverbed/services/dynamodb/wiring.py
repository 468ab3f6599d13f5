"""Building DynamoDB: the service object, the TTL sweeper and the description for the gateway.

Owns: DynamoDB's description (JSON 1.0, ``DynamoDB_20120810``, the older Coral validation dialect
that names the Java package ``com.amazonaws.dynamodb.v20120810``), the TTL sweeper loop and the
global-table replicator loop with its drain probe.

Must not: hold DynamoDB logic.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from riverbed.core.authorization import arn, named
from riverbed.core.interfaces import MetricsSink, ObjectStore
from riverbed.core.service import Component, Hook, LoopFactory, Probe, ServiceDescription
from riverbed.errors import TransactionConflictException
from riverbed.services.dynamodb.exports import Exporter
from riverbed.services.dynamodb.imports import Importer
from riverbed.services.dynamodb.operations import OPERATIONS
from riverbed.services.dynamodb.replication import Replicator
from riverbed.services.dynamodb.request_metrics import RequestMetrics
from riverbed.services.dynamodb.service import DynamoDB
from riverbed.services.dynamodb.ttl import TtlSweeper

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.storage.base import Store
    from riverbed.streams.log import StreamLog

JAVA_PACKAGE = "com.amazonaws.dynamodb.v20120810"
_PARTIQL_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?([A-Za-z0-9_.-]+)"?', re.IGNORECASE)
_TRANSACT_PARTS = ("Put", "Update", "Delete", "ConditionCheck", "Get")
# DynamoDB answers these for another account's ARN with a ValidationException (only the owner may manage a
# resource's policy; DDB-TABLE-212), not with an authorization failure.
_POLICY_OPERATIONS = frozenset({"PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy"})


_SINGLE_TABLE_ARNS: dict[tuple[str, str, str], list[str]] = {}
_OTHER_RESOURCE_MEMBERS = frozenset({"RequestItems", "TransactItems", "Statement", "Statements",
                                     "TransactStatements", "ResourceArn", "StreamArn", "ShardIterator"})


def resource_arns(account: str, region: str, operation: str, request: dict[str, Any]) -> list[str]:
    """The tables (or streams) a request acts on, for the authorization hook; "*" for ListTables & co."""
    name = request.get("TableName")
    if name.__class__ is str and _OTHER_RESOURCE_MEMBERS.isdisjoint(request):
        # The common case, asked on every request: one table by name (or ARN); its ARN list is made once.
        key = (account, region, name)
        cached = _SINGLE_TABLE_ARNS.get(key)
        if cached is None:
            if len(_SINGLE_TABLE_ARNS) >= 4096:
                _SINGLE_TABLE_ARNS.clear()
            cached = _SINGLE_TABLE_ARNS[key] = [named(name, lambda n: arn("dynamodb", region, account, f"table/{n}"))]
        return list(cached)

    def table(name: str) -> str:
        return named(name, lambda n: arn("dynamodb", region, account, f"table/{n}"))

    names: list[str] = []
    if request.get("TableName"):
        names.append(str(request["TableName"]))
    names += list(request.get("RequestItems") or {})
    for entry in request.get("TransactItems") or []:
        if not isinstance(entry, dict):
            continue
        names += [entry[part]["TableName"] for part in _TRANSACT_PARTS if isinstance(entry.get(part), dict)
                  and entry[part].get("TableName")]
    statements = [request] if request.get("Statement") else list(request.get("Statements")
                                                                   or request.get("TransactStatements") or [])
    for statement in statements:
        match = _PARTIQL_TABLE.search(str(statement.get("Statement", "")))
        if match:
            names.append(match.group(1))
    arns = list(dict.fromkeys(table(n) for n in names))
    if request.get("ResourceArn"):
        resource = str(request["ResourceArn"])
        if not (operation in _POLICY_OPERATIONS and resource.split(":")[4:5] != [account]):
            arns.append(resource)   # another account's ARN in a policy API: refused by the operation itself
    if request.get("StreamArn"):
        arns.append(str(request["StreamArn"]))
    if request.get("ShardIterator"):
        arns.append(str(request["ShardIterator"]).split("|", 1)[0])   # iterators open with their stream's ARN
    return arns or ["*"]


def _item_in_transaction() -> TransactionConflictException:
    # A single-item write aborted for a conflict with another node's transaction: AWS rejects such a
    # PutItem/UpdateItem/DeleteItem with TransactionConflictException (API reference, Common errors of
    # PutItem: "Operation was rejected because there is an ongoing transaction for the item").
    return TransactionConflictException("Transaction is ongoing for the item")


def build(store: Store, clock: Clock, streams: StreamLog, settings: Settings, metrics: MetricsSink,
          objects: ObjectStore | None = None) -> tuple[DynamoDB, TtlSweeper, Component]:
    service = DynamoDB(store, clock, streams, settings)
    service.objects = objects
    exporter = Exporter(store, clock, service.catalog, objects)
    importer = Importer(service)
    service.exporter, service.importer = exporter, importer
    sweeper = TtlSweeper(service, metrics, settings.ttl_interval)
    # The replication delay applies on the system clock; on a manual clock writes are carried at once,
    # at the next step or drain(), so a test's clock never moves for it.
    replicator = Replicator(service, metrics, delay=0.0 if clock.manual else settings.replication_delay)
    service.replicator = replicator
    service.wake_replicator = replicator.wake
    operations: dict[str, Any] = dict(OPERATIONS)
    loops: list[tuple[str, LoopFactory]] = [("ttl-sweeper", sweeper.run), ("replicator", replicator.run),
                                            ("exporter", exporter.run), ("importer", importer.run)]
    pending: list[Probe] = [replicator.pending]
    stops: list[Hook] = []
    if settings.metrics:   # AWS/DynamoDB per-request metrics (latency, capacity, conditional failures)
        recorder = RequestMetrics(metrics, clock)
        operations = recorder.wrap(operations)
        loops.append(("dynamodb-metrics", recorder.run))
        pending.append(recorder.pending)
        stops.append(recorder.flush)     # the last second's data points reach CloudWatch before it flushes
    description = ServiceDescription("dynamodb", "json", operations, backend=service,
                                     target_prefix="DynamoDB_20120810", error_prefix=f"{JAVA_PACKAGE}#",
                                     validation_package=JAVA_PACKAGE, resources=resource_arns,
                                     conflict_error=_item_in_transaction, resource_policy=service.resource_policy)
    return service, sweeper, Component("dynamodb", [description], loops=loops, on_reset=[service.reset],
                                       pending=pending, on_stop=stops)

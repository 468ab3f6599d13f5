"""Building DynamoDB: the service object, the TTL sweeper and the description for the gateway.

Owns: DynamoDB's description (JSON 1.0, ``DynamoDB_20120810``, the older Coral validation dialect
that names the Java package ``com.amazonaws.dynamodb.v20120810``), the TTL sweeper loop and the
global-table replicator loop with its drain probe.

Must not: hold DynamoDB logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riverbed.core.interfaces import MetricsSink
from riverbed.core.service import Component, ServiceDescription
from riverbed.errors import TransactionConflictException
from riverbed.services.dynamodb.operations import OPERATIONS
from riverbed.services.dynamodb.replication import Replicator
from riverbed.services.dynamodb.service import DynamoDB
from riverbed.services.dynamodb.ttl import TtlSweeper

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.storage.base import Store
    from riverbed.streams.log import StreamLog

JAVA_PACKAGE = "com.amazonaws.dynamodb.v20120810"


def _item_in_transaction() -> TransactionConflictException:
    # A single-item write aborted for a conflict with another node's transaction: AWS rejects such a
    # PutItem/UpdateItem/DeleteItem with TransactionConflictException (API reference, Common errors of
    # PutItem: "Operation was rejected because there is an ongoing transaction for the item").
    return TransactionConflictException("Transaction is ongoing for the item")


def build(store: Store, clock: Clock, streams: StreamLog, settings: Settings, metrics: MetricsSink,
          ) -> tuple[DynamoDB, TtlSweeper, Component]:
    service = DynamoDB(store, clock, streams, settings)
    sweeper = TtlSweeper(service, metrics, settings.ttl_interval)
    replicator = Replicator(service, metrics)
    service.replicator = replicator
    service.wake_replicator = replicator.wake
    description = ServiceDescription("dynamodb", "json", dict(OPERATIONS), backend=service,
                                     target_prefix="DynamoDB_20120810", error_prefix=f"{JAVA_PACKAGE}#",
                                     validation_package=JAVA_PACKAGE, conflict_error=_item_in_transaction)
    return service, sweeper, Component("dynamodb", [description], loops=[("ttl-sweeper", sweeper.run),
                                                                                ("replicator", replicator.run)],
                                       on_reset=[service.reset], pending=[replicator.pending])

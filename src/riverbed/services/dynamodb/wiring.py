"""Building DynamoDB: the service object, the TTL sweeper and the description for the gateway.

Owns: DynamoDB's description (JSON 1.0, ``DynamoDB_20120810``, the older Coral validation dialect
that names the Java package ``com.amazonaws.dynamodb.v20120810``), the TTL sweeper loop and the
global-table replicator loop with its drain probe.

Must not: hold DynamoDB logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riverbed.core.interfaces import MetricsSink, ObjectStore
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.dynamodb.exports import Exporter
from riverbed.services.dynamodb.imports import Importer
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


def build(store: Store, clock: Clock, streams: StreamLog, settings: Settings, metrics: MetricsSink,
          objects: ObjectStore | None = None) -> tuple[DynamoDB, TtlSweeper, Component]:
    service = DynamoDB(store, clock, streams, settings)
    service.objects = objects
    exporter = Exporter(store, clock, service.catalog, objects)
    importer = Importer(service)
    service.exporter, service.importer = exporter, importer
    sweeper = TtlSweeper(service, metrics, settings.ttl_interval)
    replicator = Replicator(service, metrics)
    service.replicator = replicator
    service.wake_replicator = replicator.wake
    description = ServiceDescription("dynamodb", "json", dict(OPERATIONS), backend=service,
                                     target_prefix="DynamoDB_20120810", error_prefix=f"{JAVA_PACKAGE}#",
                                     validation_package=JAVA_PACKAGE)
    return service, sweeper, Component("dynamodb", [description], loops=[("ttl-sweeper", sweeper.run),
                                                                                ("replicator", replicator.run),
                                                                                ("exporter", exporter.run),
                                                                                ("importer", importer.run)],
                                       on_reset=[service.reset], pending=[replicator.pending])

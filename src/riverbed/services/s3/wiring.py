"""Building S3: the service object over the store and a blob folder, its description, reset and stop.

Owns: S3's description for the gateway, with its wire quirks as data — REST-XML chosen by the SigV4
signing name ``s3`` (header or presigned URL), by the parameters of a version-2 presigned URL, or by
a virtual-hosted name ``<bucket>.localhost``; the 2006-03-01 namespace; and a request-size limit of
5 GiB (S3's largest single PUT); PUT bodies are spooled to S3's ``tmp/`` folder as they arrive
(``body_sink``), never held in memory, and renamed into place as the object's blob.

Must not: hold S3 logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riverbed.core.payload import PayloadSink
from riverbed.core.service import Component, ServiceDescription
from riverbed.services.s3 import OPERATIONS
from riverbed.services.s3.service import S3Service

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.storage.base import Store

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"


def build(store: Store, clock: Clock, settings: Settings) -> tuple[S3Service, Component]:
    service = S3Service(store, clock, None if settings.memory else settings.data_dir, settings.account)
    description = ServiceDescription(
        "s3", "rest-xml", dict(OPERATIONS), backend=service, signing_names=("s3",),
        virtual_host_suffixes=("localhost",), presigned_v2_params=("AWSAccessKeyId", "Signature", "Expires"),
        xml_namespace=NAMESPACE, validate=False,
        max_request_bytes=5 * 1024 ** 3,
        body_sink=lambda headers: PayloadSink(service.blobs.tmp, headers, service.blobs.durable))
    return service, Component("s3", [description], on_reset=[service.reset], on_stop=[])

"""The DynamoDB service object: the state its operations share.

Owns: the table catalog, the stream log handle and the TTL/index helpers,
bundled so that an operation reaches them as ``ctx.backend`` (a ``DdbContext``).

Must not: implement operations (``operations/``) or storage (``riverbed.storage``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from riverbed.core.context import RequestContext
from riverbed.errors import ValidationException
from riverbed.services.dynamodb.indexes import Indexes
from riverbed.services.dynamodb.tables import Catalog, Table

_NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}")


if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.core.interfaces import ObjectStore
    from riverbed.storage.base import Store
    from riverbed.streams.log import StreamLog


class DynamoDB:
    def __init__(self, store: Store, clock: Clock, streams: StreamLog, settings: Settings) -> None:
        self.store = store
        self.clock = clock
        self.streams = streams
        self.settings = settings
        self.catalog = Catalog(store)
        self.indexes: Any = Indexes(store)     # secondary-index maintenance and reads
        self.wake_replicator: Callable[[], None] = lambda: None   # set by wiring: a replica change is waiting
        self.replicator: Any = None                                # global tables (replication.Replicator)
        self.objects: ObjectStore | None = None                    # S3, for exports and imports (set by wiring)
        self.exporter: Any = None                                  # exports.Exporter (its export_once step)
        self.importer: Any = None                                  # imports.Importer (its import_once step)

    def table(self, ctx: RequestContext[Any], name: str, *, describe: bool = False) -> Table:
        """The table named by ``name`` (a table name, or since 2024 also a table ARN)."""
        account, region = ctx.account, ctx.region
        if name.startswith("arn:"):
            parts = name.split(":", 5)
            if len(parts) == 6 and parts[5].startswith("table/"):
                region, account, name = parts[3], parts[4], parts[5][len("table/"):]
        check_table_name(name)
        return self.catalog.require(account, region, name, describe=describe)

    def reset(self) -> None:
        self.catalog.clear_cache()


def check_table_name(name: str) -> None:
    """3-255 characters of ``[a-zA-Z0-9_.-]`` (the model now allows ARNs, so botocore's rules are looser)."""
    if _NAME.fullmatch(name):
        return
    if len(name) < 3 or len(name) > 255:
        bound = "greater than or equal to 3" if len(name) < 3 else "less than or equal to 255"
        raise ValidationException(f"1 validation error detected: Value '{name}' at 'tableName' failed to "
                                  f"satisfy constraint: Member must have length {bound}")
    raise ValidationException(f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")


DdbContext = RequestContext[DynamoDB]

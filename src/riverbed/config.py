"""Settings: one frozen object built once (CLI flags > RIVERBED_* environment > defaults).

Owns: every tunable of riverbed and its default.  Defaults follow AWS; where
riverbed departs from AWS on purpose (prompt TTL sweeps, for example) the
setting is named in docs/divergences.md.

Must not: read configuration anywhere else; services receive ``Settings``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: str = "./.riverbed"
    in_memory: bool = False
    store: str = "sqlite"                    # "sqlite" or a postgresql:// URL (libpq syntax)
    region: str = "us-east-1"
    account: str = "000000000000"
    clock: str = "system"                    # system | manual
    control: bool = False                    # /_riverbed/clock, /drain, /reset endpoints
    log_level: str = "warning"
    # DynamoDB Streams
    stream_shards: int = 1                   # streams.shards_per_stream
    shard_rollover_seconds: float = 14400.0  # 0 = never
    retention_seconds: float = 86400.0
    iterator_ttl_seconds: float = 900.0
    event_version: str = "1.1"
    stream_trim_interval: float = 60.0
    # TTL
    ttl_interval: float = 5.0
    # Lambda
    lambda_account_concurrency: int = 1000
    lambda_idle_seconds: float = 300.0
    # Event source mappings
    esm_poll_interval: float = 0.25          # safety-net poll; commits wake pollers at once
    esm_retry_backoff: float = 0.1
    esm_filter_numeric_on_n_strings: bool = False   # recorded AWS: numeric rules do not match N strings
    # Several nodes on one shared store (PostgreSQL): how long a node's hold on background work lasts
    # without renewal; a killed node's work moves to another within this time.
    lease_seconds: float = 10.0
    # Permissions: enforce (checks for roles riverbed knows; unknown roles pass with a warning) | strict | off
    iam: str = "enforce"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def memory(self) -> bool:
        return self.in_memory or self.data_dir in (":memory:", "")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


_ENV_NAMES = {
    "host": "RIVERBED_HOST",
    "port": "RIVERBED_PORT",
    "data_dir": "RIVERBED_DATA_DIR",
    "in_memory": "RIVERBED_IN_MEMORY",
    "store": "RIVERBED_STORE",
    "region": "RIVERBED_REGION",
    "account": "RIVERBED_ACCOUNT",
    "clock": "RIVERBED_CLOCK",
    "control": "RIVERBED_CONTROL",
    "log_level": "RIVERBED_LOG_LEVEL",
    "stream_shards": "RIVERBED_STREAM_SHARDS",
    "shard_rollover_seconds": "RIVERBED_SHARD_ROLLOVER_SECONDS",
    "retention_seconds": "RIVERBED_RETENTION_SECONDS",
    "iterator_ttl_seconds": "RIVERBED_ITERATOR_TTL_SECONDS",
    "event_version": "RIVERBED_EVENT_VERSION",
    "stream_trim_interval": "RIVERBED_STREAM_TRIM_INTERVAL",
    "ttl_interval": "RIVERBED_TTL_INTERVAL",
    "lambda_account_concurrency": "RIVERBED_LAMBDA_ACCOUNT_CONCURRENCY",
    "lambda_idle_seconds": "RIVERBED_LAMBDA_IDLE_SECONDS",
    "esm_poll_interval": "RIVERBED_ESM_POLL_INTERVAL",
    "esm_retry_backoff": "RIVERBED_ESM_RETRY_BACKOFF",
    "esm_filter_numeric_on_n_strings": "RIVERBED_ESM_FILTER_NUMERIC_ON_N_STRINGS",
    "iam": "RIVERBED_IAM",
    "lease_seconds": "RIVERBED_LEASE_SECONDS",
}


def _coerce(kind: Any, text: str) -> Any:
    if kind in (bool, "bool"):
        return text.strip().lower() in ("1", "true", "yes", "on")
    if kind in (int, "int"):
        return int(text)
    if kind in (float, "float"):
        return float(text)
    return text


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then ``RIVERBED_*`` variables, then explicit overrides (CLI flags, API arguments)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
    for name, var in _ENV_NAMES.items():
        if var in env and env[var] != "":
            values[name] = _coerce(types[name], env[var])
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    return Settings(**values)

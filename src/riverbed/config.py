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
    # Global tables: how old a write is before the replicator carries it to the other replicas (a manual
    # clock uses 0: writes are carried at the next step or drain())
    replication_delay: float = 0.05
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
    # Who is calling: off (any well-formed SigV4 header) | sigv4 (every signature verified)
    auth: str = "off"
    # Root key pairs "KEY:SECRET[:ACCOUNT],..." (account: the default one); 12-digit key ids sign with "test"
    root_credentials: str = "test:test"
    # Metrics: services record CloudWatch data points (off: nothing is recorded; bench/metrics_bench.py)
    metrics: bool = True
    cloudwatch_retention_seconds: float = 15 * 86400.0   # how long CloudWatch keeps data points
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def memory(self) -> bool:
        return self.in_memory or self.data_dir in (":memory:", "")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Setting:
    """One row of the settings table: the ``Settings`` field, its ``riverbed serve`` flag and variable."""

    name: str                              # the Settings field
    env: str                               # RIVERBED_* variable
    help: str
    choices: tuple[str, ...] | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def default(self) -> Any:
        return next(f.default for f in fields(Settings) if f.name == self.name)

    @property
    def kind(self) -> str:
        return str(next(f.type for f in fields(Settings) if f.name == self.name))


# Every setting riverbed reads, in the order ``riverbed serve --help`` and docs/settings.md list them.
# The help, the docs and the environment names are generated from this table (tests check the docs).
SETTINGS: tuple[Setting, ...] = (
    Setting("host", "RIVERBED_HOST", "address to bind"),
    Setting("port", "RIVERBED_PORT", "port to listen on (0: any free port)"),
    Setting("data_dir", "RIVERBED_DATA_DIR", "where the SQLite store keeps state"),
    Setting("in_memory", "RIVERBED_IN_MEMORY", "keep nothing on disk (also --data-dir :memory:)"),
    Setting("store", "RIVERBED_STORE", "sqlite, or a postgresql://user:pass@host/db URL (libpq syntax)"),
    Setting("region", "RIVERBED_REGION", "region for requests that do not sign one"),
    Setting("account", "RIVERBED_ACCOUNT", "the account id in every ARN"),
    Setting("clock", "RIVERBED_CLOCK", "manual: time moves only through POST /_riverbed/clock (turns --control on)",
            ("system", "manual")),
    Setting("control", "RIVERBED_CONTROL", "enable POST /_riverbed/clock, /_riverbed/drain and /_riverbed/reset"),
    Setting("log_level", "RIVERBED_LOG_LEVEL", "server log level: warning, info or debug"),
    Setting("stream_shards", "RIVERBED_STREAM_SHARDS", "shard lineages per stream (items spread by partition key)"),
    Setting("shard_rollover_seconds", "RIVERBED_SHARD_ROLLOVER_SECONDS",
            "age at which an open shard closes and a child opens, as on AWS (0: never)"),
    Setting("retention_seconds", "RIVERBED_RETENTION_SECONDS", "how long stream records are kept (AWS: 24 h)"),
    Setting("iterator_ttl_seconds", "RIVERBED_ITERATOR_TTL_SECONDS",
            "how long a shard iterator stays valid (AWS: 15 min)"),
    Setting("event_version", "RIVERBED_EVENT_VERSION", "eventVersion of stream records"),
    Setting("stream_trim_interval", "RIVERBED_STREAM_TRIM_INTERVAL",
            "seconds between retention trims and rollover checks"),
    Setting("ttl_interval", "RIVERBED_TTL_INTERVAL",
            "seconds between TTL sweeps (AWS deletes within days; riverbed promptly, see docs/divergences.md)"),
    Setting("replication_delay", "RIVERBED_REPLICATION_DELAY",
            "global tables: seconds before a write is carried to the other replicas (manual clock: 0)"),
    Setting("lambda_account_concurrency", "RIVERBED_LAMBDA_ACCOUNT_CONCURRENCY",
            "concurrent executions per account (AWS default 1000)"),
    Setting("lambda_idle_seconds", "RIVERBED_LAMBDA_IDLE_SECONDS", "an idle warm environment is retired after this"),
    Setting("esm_poll_interval", "RIVERBED_ESM_POLL_INTERVAL",
            "safety-net poll of a mapping's shard (commits wake pollers at once)"),
    Setting("esm_retry_backoff", "RIVERBED_ESM_RETRY_BACKOFF", "first wait before a failed batch is retried"),
    Setting("esm_filter_numeric_on_n_strings", "RIVERBED_ESM_FILTER_NUMERIC_ON_N_STRINGS",
            "let numeric filter rules match N attributes (recorded AWS: they do not)"),
    Setting("iam", "RIVERBED_IAM",
            "permission checks: enforce (unknown roles pass with a warning), strict (as AWS) or off",
            ("enforce", "strict", "off")),
    Setting("metrics", "RIVERBED_METRICS", "services record CloudWatch data points (off: nothing is recorded)"),
    Setting("cloudwatch_retention_seconds", "RIVERBED_CLOUDWATCH_RETENTION_SECONDS",
            "how long CloudWatch keeps data points, on the clock (default 15 days)"),
    Setting("lease_seconds", "RIVERBED_LEASE_SECONDS",
            "nodes sharing a PostgreSQL store: how long a node's lease on background work lasts unrenewed"),
    Setting("auth", "RIVERBED_AUTH", "sigv4: verify every request's signature against known keys", ("off", "sigv4")),
    Setting("root_credentials", "RIVERBED_ROOT_CREDENTIALS",
            "root key pairs KEY:SECRET[:ACCOUNT],... that --auth sigv4 accepts"),
)

_ENV_NAMES = {setting.name: setting.env for setting in SETTINGS}


def settings_markdown() -> str:
    """The settings table as Markdown (docs/settings.md between its markers; README links it)."""
    rows = ["| flag | environment variable | default | what it does |", "|---|---|---|---|"]
    for setting in SETTINGS:
        default = setting.default
        shown = "off" if default is False else ("on" if default is True else f"`{default}`")
        choices = f" ({' / '.join(setting.choices)})" if setting.choices else ""
        rows.append(f"| `{setting.flag}` | `{setting.env}` | {shown} | {setting.help}{choices} |")
    return "\n".join(rows) + "\n"


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

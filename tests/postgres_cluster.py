"""PostgreSQL for the tests: a throwaway cluster (scripts/pg-test-cluster.sh) and private schemas in it.

``RIVERBED_TEST_POSTGRES`` (a ``postgresql://`` URL) points the tests at a running server instead; CI sets
it.  Without it, a cluster is started when Debian's server binaries are installed; otherwise the
PostgreSQL engine's tests are skipped.  Each test session (each xdist worker) works in a schema of its
own, so workers sharing one server never see each other's tables.
"""

from __future__ import annotations

import glob
import os
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "pg-test-cluster.sh"
ENV = "RIVERBED_TEST_POSTGRES"


def server_binaries_present() -> bool:
    return bool(os.environ.get("PG_BIN") or glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def start_cluster() -> tuple[str, str]:
    """Start a cluster in a new temporary directory; ``(url, directory)``."""
    directory = tempfile.mkdtemp(prefix="rbpg.", dir="/tmp")   # short: the unix socket lives there
    out = subprocess.run([str(SCRIPT), "start", directory], check=True, capture_output=True, text=True)
    return out.stdout.strip(), directory


def stop_cluster(directory: str) -> None:
    subprocess.run([str(SCRIPT), "stop", directory], check=False, capture_output=True)


def in_schema(url: str, schema: str) -> str:
    """``url`` with every connection's search_path set to ``schema`` (libpq's ``options`` parameter)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def create_schema(url: str) -> str:
    import psycopg

    name = f"rb_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return name


def drop_schema(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")

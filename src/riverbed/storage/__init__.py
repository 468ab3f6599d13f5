"""The store: every piece of riverbed state, behind one interface (see ``base.py``)."""

from __future__ import annotations

from riverbed.storage.base import LogCounts, LogEntry, Store, StoreConflict, Txn


def open_store(url: str, data_dir: str | None) -> Store:
    """``sqlite`` (file under ``data_dir``, or ``:memory:`` when ``data_dir`` is None), or a
    ``postgresql://`` / ``postgres://`` URL (libpq syntax; ``data_dir`` is not used)."""
    if url in ("sqlite", "") or url.startswith("sqlite"):
        from riverbed.storage.sqlite import SqliteStore

        return SqliteStore(data_dir)
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from riverbed.storage.postgres import PostgresStore
        except ImportError as exc:   # psycopg is an optional extra
            raise ValueError("the PostgreSQL store needs psycopg: pip install 'riverbed[postgres]'") from exc
        return PostgresStore(url)
    raise ValueError(f"unsupported store {url!r}: use 'sqlite' or a postgresql:// URL")


__all__ = ["LogCounts", "LogEntry", "Store", "StoreConflict", "Txn", "open_store"]

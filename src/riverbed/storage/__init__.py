"""The store: every piece of riverbed state, behind one interface (see ``base.py``)."""

from __future__ import annotations

from riverbed.storage.base import LogCounts, LogEntry, Store, Txn


def open_store(url: str, data_dir: str | None) -> Store:
    """``sqlite`` (file under ``data_dir``, or ``:memory:`` when ``data_dir`` is None)."""
    if url in ("sqlite", "") or url.startswith("sqlite"):
        from riverbed.storage.sqlite import SqliteStore

        return SqliteStore(data_dir)
    raise ValueError(f"unsupported store {url!r}: only 'sqlite' is available in this version")


__all__ = ["LogCounts", "LogEntry", "Store", "Txn", "open_store"]

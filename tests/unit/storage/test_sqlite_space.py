"""SQLite engine specifics the contract cannot state: space given back after stream records are trimmed."""

from __future__ import annotations

import os
import sqlite3

from riverbed.storage.sqlite import DB_FILE, SqliteStore


def _file_pages(path: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA page_count").fetchone()[0])


def test_trimmed_records_give_their_pages_back_to_the_file(tmp_path):
    store = SqliteStore(str(tmp_path))
    with store.transaction() as txn:
        for seq in range(1, 3001):
            txn.append_record(1, seq, float(seq), b"r" * 700)
    store.close()
    full = _file_pages(os.path.join(tmp_path, DB_FILE))
    store = SqliteStore(str(tmp_path))
    with store.transaction() as txn:
        assert txn.trim_records(1, 2990.0) == 2989
    store.close()   # closing checkpoints the WAL into the file
    assert _file_pages(os.path.join(tmp_path, DB_FILE)) < full // 4
    store = SqliteStore(str(tmp_path))
    assert [seq for seq, _, _ in store.read_records(1, 0, 100)] == list(range(2990, 3001))
    store.close()


def test_the_wal_is_checkpointed_off_the_commit_path_and_stays_bounded(tmp_path):
    """Commits never checkpoint (SQLite's automatic checkpoint is off); the checkpointer thread copies the WAL
    into the file, so the next write starts the WAL over and cuts it back to 8 MB instead of letting it grow."""
    store = SqliteStore(str(tmp_path))
    wal = os.path.join(tmp_path, DB_FILE + "-wal")
    try:
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for batch in range(40):                       # ~24 MB of items, one transaction per 600 KB
            with store.transaction() as txn:
                for i in range(200):
                    txn.put_item(1, f"{batch}-{i}".encode(), b"", os.urandom(3000), 3000)
        import time

        deadline = time.monotonic() + 10
        while True:   # the checkpointer copies the WAL within its interval (without it, ~24 MB stay in the WAL)
            time.sleep(0.6)
            with store.transaction() as txn:
                txn.put_item(1, b"after", b"", b"x", 1)
            if os.path.getsize(wal) <= 8 * 1024 * 1024 or time.monotonic() > deadline:
                break
        assert os.path.getsize(wal) <= 8 * 1024 * 1024
        assert store.get_item(1, b"39-199", b"") is not None
    finally:
        store.close()

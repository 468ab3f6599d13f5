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

"""Riverbed nodes in this test process, sharing one PostgreSQL database (each with its own data directory)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.conftest import REGION


@contextlib.contextmanager
def started_nodes(store_url: str, tmp_path: Path, count: int = 2) -> Iterator[list[Any]]:
    """``count`` background servers (``riverbed.server.BackgroundServer``) on ``store_url``, stopped on exit
    even when one of them fails to start."""
    from riverbed.config import load_settings
    from riverbed.server import make_background

    started: list[Any] = []
    try:
        for n in range(count):
            settings = load_settings({"port": 0, "store": store_url, "region": REGION,
                                      "data_dir": str(tmp_path / f"node{n}")}, environ={})
            node = make_background(settings)
            node.start()
            started.append(node)
        yield started
    finally:
        for node in started:
            node.stop()

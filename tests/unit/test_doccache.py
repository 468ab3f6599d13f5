"""core.doccache.DocCache: remembered until a change is announced in the changing transaction."""

from __future__ import annotations

import pytest

from riverbed.core.doccache import DocCache
from riverbed.storage import open_store


def test_a_value_is_read_once_until_a_change_is_announced_and_a_load_racing_a_change_is_not_kept():
    store = open_store("sqlite", None)
    loads: list[str] = []

    def load(key: str) -> dict | None:
        loads.append(key)
        return store.get_doc("thing", key)

    cache: DocCache[dict | None] = DocCache(store, "things", load)
    try:
        assert cache.get("k") is None and cache.get("k") is None and loads == ["k"]
        with store.transaction() as txn:
            txn.put_doc("thing", "k", {"n": 1})
            cache.changed(txn, "k")
        assert cache.get("k") == {"n": 1} and loads == ["k", "k"]
        with pytest.raises(RuntimeError), store.transaction() as txn:   # rolled back: nothing announced
            txn.put_doc("thing", "k", {"n": 2})
            cache.changed(txn, "k")
            raise RuntimeError
        assert cache.get("k") == {"n": 1} and loads == ["k", "k"]

        def racing_load(key: str) -> dict | None:   # a change is announced while the value is being read
            value = load(key)
            cache.forget(key)
            return value

        cache._load = racing_load
        cache.forget("")
        assert cache.get("k") == {"n": 1}
        cache._load = load
        assert cache.get("k") == {"n": 1} and loads == ["k", "k", "k", "k"]   # the racing load was not kept
    finally:
        store.close()

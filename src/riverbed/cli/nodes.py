"""``riverbed nodes``: the nodes sharing a store, their health and the background work each holds.

Reads the leases straight from the store (``Store.list_leases``): a node is live while its heartbeat lease
(``node:<id>``) is; every other lease names the work and its holder.  A store owned by one process
(SQLite) records no leases: its single node does all the work.

Must not: change anything in the store.
"""

from __future__ import annotations

from typing import TextIO

from riverbed.config import Settings
from riverbed.core.leases import NODE_PREFIX
from riverbed.storage import open_store


def run_nodes(settings: Settings, out: TextIO) -> int:
    store = open_store(settings.store, None if settings.memory else settings.data_dir)
    try:
        if not store.shared:
            out.write(f"store: {settings.store} (one node: the process serving it does all background work)\n")
            return 0
        now = store.store_time()   # lease expiries are in the database's time
        leases = store.list_leases()
    finally:
        store.close()
    nodes = {name[len(NODE_PREFIX):]: expires for name, _, expires in leases if name.startswith(NODE_PREFIX)}
    work: dict[str, list[tuple[str, float]]] = {}
    for name, holder, expires in leases:
        if not name.startswith(NODE_PREFIX):
            work.setdefault(holder, []).append((name, expires))
    out.write(f"store: {_redact(settings.store)}\n")
    out.write(f"nodes: {sum(1 for e in nodes.values() if e > now)} live, {len(nodes)} known\n")
    for node in sorted(set(nodes) | set(work)):
        beat = nodes.get(node)
        health = ("live" if beat is not None and beat > now else
                  f"gone (heartbeat lapsed {now - beat:.1f} s ago)" if beat is not None else "no heartbeat")
        out.write(f"\n{node}  {health}\n")
        for name, lease_expires in sorted(work.get(node, [])):
            state = f"{lease_expires - now:.1f} s left" if lease_expires > now else "lapsed: free to take"
            out.write(f"  {name}  ({state})\n")
    return 0


def _redact(url: str) -> str:
    """The store URL without its password."""
    if "://" in url and "@" in url.split("://", 1)[1]:
        scheme, rest = url.split("://", 1)
        creds, host = rest.split("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
    return url

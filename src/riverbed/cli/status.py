"""``riverbed status``: what a running riverbed holds, as tables (or ``--json``).

Owns: rendering the dashboard's overview view (``GET /_riverbed/ui/api/overview``) for a terminal:
tables, streams, mappings with state, last result and iterator age, functions, queues with depth,
topics and alarms.

Must not: compute anything the overview view does not answer (one source for the page and the CLI).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from riverbed.cli.common import Output, call


def run_status(endpoint_url: str, region: str | None, account: str | None, out: Output) -> int:
    query = urlencode({k: v for k, v in (("region", region), ("account", account)) if v})
    view = call(endpoint_url, "/_riverbed/ui/api/overview" + (f"?{query}" if query else ""))
    health = call(endpoint_url, "/_riverbed/health")
    if out.json:
        out.document({"endpoint": endpoint_url, "version": health.get("version"), **view})
        return 0
    out.line(f"riverbed {health.get('version', '?')} at {endpoint_url} — account {view['account']}, "
             f"region {view['region']}", "bold")
    out.table("Tables", ["name", "status", "#items", "stream"],
              [[t["name"], t["status"], t["items"], t["view"] or "off"] for t in view["tables"]])
    out.table("Streams", ["table", "status", "view", "#shards", "#open"],
              [[s["table"], s["status"], s["view"], s["shards"], s["open"]] for s in view["streams"]])
    mappings = view["mappings"]
    def age(m: dict[str, Any]) -> str:
        if m["iterator_age"] is None:
            return "-"
        return f"{m['iterator_age']:.0f}" + (" (growing)" if m["growing"] else "")

    out.table("Event source mappings", ["uuid", "function", "state", "last result", "#iterator age ms"],
              [[m["uuid"], m["function"], m["state"], m["result"] or "-", age(m)] for m in mappings],
              ["red" if not m["healthy"] else None for m in mappings])
    out.table("Functions", ["name", "runtime", "#memory", "#timeout"],
              [[f["name"], f["runtime"] or "-", f["memory"], f["timeout"]] for f in view["functions"]])
    out.table("Queues", ["name", "#visible", "#in flight", "#delayed"],
              [[q["name"], q["visible"], q["in_flight"], q["delayed"]] for q in view["queues"]])
    if view["topics"]:
        out.table("Topics", ["name", "#subscriptions"], [[t["name"], t["subscriptions"]] for t in view["topics"]])
    if view["alarms"]:
        alarms = view["alarms"]
        out.table("Alarms", ["name", "state", "metric"], [[a["name"], a["state"], f"{a['namespace']} {a['metric']}"]
                                                          for a in alarms],
                  ["red" if a["state"] == "ALARM" else None for a in alarms])
    return 0

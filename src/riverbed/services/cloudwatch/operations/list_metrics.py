"""ListMetrics: the metrics that have data points, filtered by namespace, name and dimensions.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html
A dimension filter without a value matches any value; ``RecentlyActive=PT3H`` keeps metrics with a data
point in the past three hours (the start of its latest minute, as data points are kept per minute).
Pages of 500, as AWS.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.cloudwatch.operations.paging import page_start
from riverbed.services.cloudwatch.service import CloudWatchContext

PAGE = 500
RECENT_SECONDS = 3 * 3600


def list_metrics(ctx: CloudWatchContext, req: dict[str, Any]) -> dict[str, Any]:
    filters = req.get("Dimensions") or []
    recent = req.get("RecentlyActive") == "PT3H"
    now = ctx.clock.now()
    found = []
    metrics = ctx.backend.datapoints.metrics(req.get("Namespace") or None)
    for key, latest in sorted(metrics.items()):
        namespace, name, dims = key
        if req.get("MetricName") and name != req["MetricName"]:
            continue
        present = dict(dims)
        if any(f["Name"] not in present or (f.get("Value") is not None and present[f["Name"]] != f["Value"])
               for f in filters):
            continue
        if recent and latest < now - RECENT_SECONDS:
            continue
        found.append({"Namespace": namespace, "MetricName": name,
                      "Dimensions": [{"Name": k, "Value": v} for k, v in dims]})
    start = page_start(req, len(found))
    result: dict[str, Any] = {"Metrics": found[start:start + PAGE]}
    if start + PAGE < len(found):
        result["NextToken"] = str(start + PAGE)
    return result

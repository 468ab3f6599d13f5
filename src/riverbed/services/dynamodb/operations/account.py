"""DescribeLimits and DescribeEndpoints: account-level answers with AWS's default values."""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodb.service import DdbContext


def describe_limits(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


def describe_endpoints(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Endpoints": [{"Address": ctx.host, "CachePeriodInMinutes": 1440}]}


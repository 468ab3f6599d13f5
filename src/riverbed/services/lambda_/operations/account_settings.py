"""GetAccountSettings: the account's Lambda limits and what this region uses of them.

Limits are AWS's defaults (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html);
ConcurrentExecutions is riverbed's ``lambda_account_concurrency`` setting, and the unreserved part is
what reservations leave of it.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.lambda_ import functions
from riverbed.services.lambda_.code import MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES
from riverbed.services.lambda_.operations.concurrency import reserved_elsewhere
from riverbed.services.lambda_.service import LambdaContext

TOTAL_CODE_SIZE_LIMIT = 80530636800   # 75 GB


def get_account_settings(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    limit = ctx.backend.settings.lambda_account_concurrency
    count, code_size = functions.total_code_size(ctx.store, ctx.account, ctx.region)
    return {
        "AccountLimit": {
            "TotalCodeSize": TOTAL_CODE_SIZE_LIMIT,
            "CodeSizeUnzipped": MAX_UNZIPPED_BYTES,
            "CodeSizeZipped": MAX_ZIPPED_BYTES,
            "ConcurrentExecutions": limit,
            "UnreservedConcurrentExecutions": limit - reserved_elsewhere(ctx, ""),
        },
        "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": count},
    }

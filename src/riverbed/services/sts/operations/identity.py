"""GetCallerIdentity, AssumeRole, GetSessionToken: validate -> do -> answer.

GetCallerIdentity needs no permission and names the caller (root, an IAM user, or a role session:
UserId ``ROLEID:SESSION``).
https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.sts.service import StsContext


def _credentials(issued: dict[str, Any]) -> dict[str, Any]:
    return {"AccessKeyId": issued["key_id"], "SecretAccessKey": issued["secret"], "SessionToken": issued["token"],
            "Expiration": issued["expires"]}


def get_caller_identity(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    caller = ctx.backend.caller(ctx.account, ctx.access_key)
    return {"UserId": caller.user_id, "Account": caller.account, "Arn": caller.arn}


def assume_role(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    caller = ctx.backend.caller(ctx.account, ctx.access_key)
    issued = ctx.backend.assume_role(caller, request["RoleArn"], request["RoleSessionName"],
                                     request.get("DurationSeconds"))
    return {"Credentials": _credentials(issued),
            "AssumedRoleUser": {"AssumedRoleId": issued["user_id"], "Arn": issued["arn"]}}


def get_session_token(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    caller = ctx.backend.caller(ctx.account, ctx.access_key)
    return {"Credentials": _credentials(ctx.backend.session_token(caller, request.get("DurationSeconds")))}

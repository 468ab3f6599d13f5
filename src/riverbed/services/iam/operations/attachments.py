"""Inline and attached policies of roles and users: Put/Get/Delete/List{Role,User}Policies and
Attach/Detach/ListAttached{Role,User}Policies.

The two principals behave alike, so each action is written once over the entity kind and bound to
both names below.  GetRolePolicy answers the document URL-encoded, as IAM does.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from riverbed.services.iam import shapes
from riverbed.services.iam.service import IamContext

Action = Callable[[IamContext, dict[str, Any]], dict[str, Any]]


def _name_key(kind: str) -> str:
    return "RoleName" if kind == "role" else "UserName"


def _put(kind: str) -> Action:
    def put(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
        ctx.backend.put_inline(ctx.account, kind, request[_name_key(kind)], request["PolicyName"],
                               str(request["PolicyDocument"]))
        return {}
    return put


def _get(kind: str) -> Action:
    def get(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
        name = request[_name_key(kind)]
        text = ctx.backend.inline(ctx.account, kind, name, request["PolicyName"])
        entity = ctx.backend.entity(ctx.account, kind, name)
        return {_name_key(kind): entity[_name_key(kind)], "PolicyName": request["PolicyName"],
                "PolicyDocument": shapes.encode_document(text)}
    return get


def _delete(kind: str) -> Action:
    def delete(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
        ctx.backend.delete_inline(ctx.account, kind, request[_name_key(kind)], request["PolicyName"])
        return {}
    return delete


def _list(kind: str) -> Action:
    def list_inline(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
        names = sorted(ctx.backend.entity(ctx.account, kind, request[_name_key(kind)])["inline"])
        return shapes.page(names, request, lambda n: n, "PolicyNames")
    return list_inline


def _attach(kind: str) -> Action:
    def attach(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
        ctx.backend.attach(ctx.account, kind, request[_name_key(kind)], request["PolicyArn"])
        return {}
    return attach


def _detach(kind: str) -> Action:
    def detach(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
        ctx.backend.detach(ctx.account, kind, request[_name_key(kind)], request["PolicyArn"])
        return {}
    return detach


def _list_attached(kind: str) -> Action:
    def list_attached(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("PathPrefix") or "/"
        attached = []
        for arn in ctx.backend.entity(ctx.account, kind, request[_name_key(kind)])["attached"]:
            doc = ctx.backend.find_policy(ctx.account, arn)
            if doc is not None and doc["Path"].startswith(prefix):
                attached.append({"PolicyName": doc["PolicyName"], "PolicyArn": arn})
        return shapes.page(attached, request, lambda p: p["PolicyArn"], "AttachedPolicies")
    return list_attached


put_role_policy, put_user_policy = _put("role"), _put("user")
get_role_policy, get_user_policy = _get("role"), _get("user")
delete_role_policy, delete_user_policy = _delete("role"), _delete("user")
list_role_policies, list_user_policies = _list("role"), _list("user")
attach_role_policy, attach_user_policy = _attach("role"), _attach("user")
detach_role_policy, detach_user_policy = _detach("role"), _detach("user")
list_attached_role_policies, list_attached_user_policies = _list_attached("role"), _list_attached("user")

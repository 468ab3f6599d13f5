"""CreateUser, GetUser, ListUsers, DeleteUser, user tags, and access keys.

GetUser without a name describes the caller (the owner of the request's access key; the account's
root user for keys IAM does not know).  A user holds at most two access keys; DeleteUser refuses while
policies or keys remain (DeleteConflict).
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.iam import shapes
from riverbed.services.iam.service import IamContext


def create_user(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    fields = {"Tags": list(request.get("Tags") or [])}
    doc = ctx.backend.create_entity(ctx.account, "user", request["UserName"], request.get("Path"), fields)
    return {"User": shapes.user(doc)}


def get_user(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request.get("UserName")
    if not name:
        owner = ctx.backend.access_key_owner(ctx.access_key)
        if owner is None:
            return {"User": {"UserId": ctx.account, "Arn": f"arn:aws:iam::{ctx.account}:root",
                             "CreateDate": 0.0}}
        name = owner[1].rsplit("/", 1)[-1]
    return {"User": shapes.user(ctx.backend.entity(ctx.account, "user", name))}


def list_users(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("PathPrefix") or "/"
    users = sorted((u for u in ctx.backend.entities(ctx.account, "user") if u["Path"].startswith(prefix)),
                   key=lambda u: u["UserName"].lower())
    result = shapes.page(users, request, lambda u: u["UserName"], "Users")
    result["Users"] = [shapes.user(u) for u in result["Users"]]
    return result


def delete_user(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.delete_entity(ctx.account, "user", request["UserName"])
    return {}


def tag_user(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "user", request["UserName"])
    doc["Tags"] = shapes.tags_merged(doc.get("Tags") or [], request.get("Tags") or [])
    ctx.backend.save_entity(ctx.account, "user", doc)
    return {}


def untag_user(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "user", request["UserName"])
    drop = set(request.get("TagKeys") or [])
    doc["Tags"] = [t for t in doc.get("Tags") or [] if t["Key"] not in drop]
    ctx.backend.save_entity(ctx.account, "user", doc)
    return {}


def list_user_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "user", request["UserName"])
    return shapes.page(list(doc.get("Tags") or []), request, lambda t: t["Key"], "Tags")


def create_access_key(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request.get("UserName")
    if not name:
        owner = ctx.backend.access_key_owner(ctx.access_key)
        name = owner[1].rsplit("/", 1)[-1] if owner else ""
    key = ctx.backend.create_access_key(ctx.account, name)
    return {"AccessKey": {k: key[k] for k in ("UserName", "AccessKeyId", "Status", "SecretAccessKey", "CreateDate")}}


def list_access_keys(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request.get("UserName") or ""
    ctx.backend.entity(ctx.account, "user", name)
    keys = [{k: key[k] for k in ("UserName", "AccessKeyId", "Status", "CreateDate")}
            for key in ctx.backend.access_keys(ctx.account, name)]
    return shapes.page(keys, request, lambda k: k["AccessKeyId"], "AccessKeyMetadata")


def delete_access_key(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.delete_access_key(ctx.account, request.get("UserName") or "", request["AccessKeyId"])
    return {}

"""CreateRole, GetRole, ListRoles, DeleteRole, UpdateRole, UpdateAssumeRolePolicy, role tags and boundaries.

Each reads: validate -> do -> answer.  The trust policy is validated as IAM validates it ("Has
prohibited field Resource", "This policy contains invalid Json"); DeleteRole refuses while inline or
attached policies remain (DeleteConflict, 409).
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.iam import errors, shapes
from riverbed.services.iam.service import IamContext, check_document, check_policy_arn


def create_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    trust = check_document(str(request["AssumeRolePolicyDocument"]), "trust")
    boundary = request.get("PermissionsBoundary")
    fields: dict[str, Any] = {"AssumeRolePolicyDocument": trust, "Description": request.get("Description") or "",
                              "MaxSessionDuration": int(request.get("MaxSessionDuration") or 3600),
                              "Tags": list(request.get("Tags") or [])}
    if boundary:
        fields["PermissionsBoundary"] = _boundary(ctx, boundary)
    doc = ctx.backend.create_entity(ctx.account, "role", request["RoleName"], request.get("Path"), fields)
    return {"Role": shapes.role(doc, "create")}


def _boundary(ctx: IamContext, arn: str) -> dict[str, str]:
    check_policy_arn(arn)
    if ctx.backend.find_policy(ctx.account, arn) is None:
        raise errors.no_such_entity(f"Scope ARN: {arn} does not exist or is not attachable.")
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}


def get_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Role": shapes.role(ctx.backend.entity(ctx.account, "role", request["RoleName"]))}


def list_roles(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("PathPrefix") or "/"
    roles = sorted((r for r in ctx.backend.entities(ctx.account, "role") if r["Path"].startswith(prefix)),
                   key=lambda r: r["RoleName"].lower())
    result = shapes.page(roles, request, lambda r: r["RoleName"], "Roles")
    result["Roles"] = [shapes.role(r, "list") for r in result["Roles"]]
    return result


def delete_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.delete_entity(ctx.account, "role", request["RoleName"])
    return {}


def update_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "role", request["RoleName"])
    if request.get("Description") is not None:
        doc["Description"] = request["Description"]
    if request.get("MaxSessionDuration") is not None:
        doc["MaxSessionDuration"] = int(request["MaxSessionDuration"])
    ctx.backend.save_entity(ctx.account, "role", doc)
    return {}


def update_assume_role_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "role", request["RoleName"])
    doc["AssumeRolePolicyDocument"] = check_document(str(request["PolicyDocument"]), "trust")
    ctx.backend.save_entity(ctx.account, "role", doc)
    return {}


def tag_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "role", request["RoleName"])
    doc["Tags"] = shapes.tags_merged(doc.get("Tags") or [], request.get("Tags") or [])
    ctx.backend.save_entity(ctx.account, "role", doc)
    return {}


def untag_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "role", request["RoleName"])
    drop = set(request.get("TagKeys") or [])
    doc["Tags"] = [t for t in doc.get("Tags") or [] if t["Key"] not in drop]
    ctx.backend.save_entity(ctx.account, "role", doc)
    return {}


def list_role_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "role", request["RoleName"])
    return shapes.page(list(doc.get("Tags") or []), request, lambda t: t["Key"], "Tags")


def put_role_permissions_boundary(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "role", request["RoleName"])
    doc["PermissionsBoundary"] = _boundary(ctx, request["PermissionsBoundary"])
    ctx.backend.save_entity(ctx.account, "role", doc)
    return {}


def delete_role_permissions_boundary(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.entity(ctx.account, "role", request["RoleName"])
    doc.pop("PermissionsBoundary", None)
    ctx.backend.save_entity(ctx.account, "role", doc)
    return {}

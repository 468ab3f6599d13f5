"""CreatePolicy, GetPolicy, ListPolicies, DeletePolicy and the policy-version actions.

AWS managed policies (``arn:aws:iam::aws:policy/...``) are listed with Scope=AWS and read like any
other, but cannot be changed.  At most five versions; the first is ``v1``; the default version
cannot be deleted; DeletePolicy while attached is a DeleteConflict.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.iam import shapes
from riverbed.services.iam.service import IamContext


def _shown(ctx: IamContext, doc: dict[str, Any]) -> dict[str, Any]:
    return shapes.policy(doc, ctx.backend.attachment_count(ctx.account, doc["Arn"]))


def create_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.create_policy(ctx.account, request["PolicyName"], request.get("Path"),
                                    str(request["PolicyDocument"]), request.get("Description") or "",
                                    list(request.get("Tags") or []))
    return {"Policy": _shown(ctx, doc)}


def get_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Policy": _shown(ctx, ctx.backend.policy(ctx.account, request["PolicyArn"]))}


def list_policies(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("PathPrefix") or "/"
    docs = [d for d in ctx.backend.policies(ctx.account, request.get("Scope") or "All") if d["Path"].startswith(prefix)]
    shown = [_shown(ctx, d) for d in docs]
    if request.get("OnlyAttached"):
        shown = [p for p in shown if p["AttachmentCount"]]
    shown.sort(key=lambda p: p["PolicyName"].lower())
    return shapes.page(shown, request, lambda p: p["Arn"], "Policies")


def delete_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.delete_policy(ctx.account, request["PolicyArn"])
    return {}


def create_policy_version(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["PolicyArn"]
    version, _ = ctx.backend.create_version(ctx.account, arn, str(request["PolicyDocument"]),
                                            bool(request.get("SetAsDefault")))
    return {"PolicyVersion": shapes.version(ctx.backend.version(ctx.account, arn, version), with_document=False)}


def get_policy_version(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyVersion": shapes.version(ctx.backend.version(ctx.account, request["PolicyArn"],
                                                                request["VersionId"]))}


def list_policy_versions(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["PolicyArn"]
    doc = ctx.backend.policy(ctx.account, arn)
    versions = [shapes.version(ctx.backend.version(ctx.account, arn, v), with_document=False)
                for v in sorted(doc["versions"], key=lambda v: -int(v[1:]))]
    return shapes.page(versions, request, lambda v: v["VersionId"], "Versions")


def set_default_policy_version(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.set_default_version(ctx.account, request["PolicyArn"], request["VersionId"])
    return {}


def delete_policy_version(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.delete_version(ctx.account, request["PolicyArn"], request["VersionId"])
    return {}

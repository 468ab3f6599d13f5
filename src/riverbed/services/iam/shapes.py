"""IAM's answer shapes: Role, User, Policy, PolicyVersion, paging by Marker/MaxItems.

Owns: how stored documents become IAM's response members — policy documents URL-encoded as IAM
sends them (botocore decodes them back into dicts), which members each action shows (CreateRole
shows no MaxSessionDuration, GetRole adds RoleLastUsed: iam snapshot, test_create_describe_role).

Must not: change state.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from riverbed.services.iam import errors

T = TypeVar("T")
DEFAULT_MAX_ITEMS = 100


def encode_document(text: str) -> str:
    return quote(text, safe="")


def role(doc: dict[str, Any], form: str = "get") -> dict[str, Any]:
    out: dict[str, Any] = {k: doc[k] for k in ("Path", "RoleName", "RoleId", "Arn", "CreateDate")}
    out["AssumeRolePolicyDocument"] = encode_document(doc["AssumeRolePolicyDocument"])
    if doc.get("Description"):
        out["Description"] = doc["Description"]
    if form != "create":
        out["MaxSessionDuration"] = doc["MaxSessionDuration"]
    if doc.get("PermissionsBoundary"):
        out["PermissionsBoundary"] = doc["PermissionsBoundary"]
    if doc.get("Tags") and form != "list":
        out["Tags"] = doc["Tags"]
    if form == "get":
        out["RoleLastUsed"] = {}
    return out


def user(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: doc[k] for k in ("Path", "UserName", "UserId", "Arn", "CreateDate")}
    if doc.get("PermissionsBoundary"):
        out["PermissionsBoundary"] = doc["PermissionsBoundary"]
    if doc.get("Tags"):
        out["Tags"] = doc["Tags"]
    return out


def policy(doc: dict[str, Any], attachments: int) -> dict[str, Any]:
    out = {k: doc[k] for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "CreateDate",
                               "UpdateDate")}
    out.update(AttachmentCount=attachments, PermissionsBoundaryUsageCount=0, IsAttachable=True)
    if doc.get("Description"):
        out["Description"] = doc["Description"]
    if doc.get("Tags"):
        out["Tags"] = doc["Tags"]
    return out


def version(found: dict[str, Any], with_document: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"VersionId": found["VersionId"], "IsDefaultVersion": found["IsDefaultVersion"],
                           "CreateDate": found["CreateDate"]}
    if with_document:
        out["Document"] = encode_document(found["Document"])
    return out


def page(items: Sequence[T], request: dict[str, Any], key: Callable[[T], str], member: str) -> dict[str, Any]:
    """One page of ``items`` under ``member``, with IsTruncated and Marker as IAM pages."""
    start = 0
    marker = request.get("Marker")
    if marker:
        try:
            after = base64.b64decode(str(marker), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise errors.validation("Invalid Marker.") from None
        start = next((i + 1 for i, item in enumerate(items) if key(item) == after), len(items))
    size = int(request.get("MaxItems") or DEFAULT_MAX_ITEMS)
    chosen = list(items[start:start + size])
    out: dict[str, Any] = {member: chosen, "IsTruncated": start + size < len(items)}
    if out["IsTruncated"] and chosen:
        out["Marker"] = base64.b64encode(key(chosen[-1]).encode()).decode()
    return out


def tags_merged(current: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    merged = {t["Key"]: t["Value"] for t in current}
    merged.update({t["Key"]: t.get("Value", "") for t in new})
    return [{"Key": k, "Value": v} for k, v in merged.items()]

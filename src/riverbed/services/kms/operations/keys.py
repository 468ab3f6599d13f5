"""CreateKey, DescribeKey, ListKeys, Enable/DisableKey, Schedule/CancelKeyDeletion, Get/PutKeyPolicy.

riverbed serves symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, origin AWS_KMS); any
other key spec, usage or origin is refused with UnsupportedOperationException rather than accepted.
https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ServiceError
from riverbed.services.kms.service import KmsContext

SYMMETRIC = "SYMMETRIC_DEFAULT"


def metadata(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: doc[k] for k in ("AWSAccountId", "KeyId", "Arn", "CreationDate", "Description", "KeyManager",
                               "KeyState")}
    out.update(Enabled=doc["KeyState"] == "Enabled", KeyUsage="ENCRYPT_DECRYPT", Origin="AWS_KMS",
               CustomerMasterKeySpec=SYMMETRIC, KeySpec=SYMMETRIC, EncryptionAlgorithms=[SYMMETRIC],
               MultiRegion=False, CurrentKeyMaterialId=doc["material_id"])
    if doc.get("DeletionDate") is not None:
        out["DeletionDate"] = doc["DeletionDate"]
        out["PendingDeletionWindowInDays"] = doc["PendingWindowInDays"]
    return out


def _unsupported(what: str) -> ServiceError:
    return ServiceError(f"riverbed serves symmetric encryption keys only; {what} is not supported.",
                        code="UnsupportedOperationException")


def create_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    spec = request.get("KeySpec") or request.get("CustomerMasterKeySpec") or SYMMETRIC
    if spec != SYMMETRIC:
        raise _unsupported(f"KeySpec {spec}")
    if (request.get("KeyUsage") or "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        raise _unsupported(f"KeyUsage {request['KeyUsage']}")
    if (request.get("Origin") or "AWS_KMS") != "AWS_KMS":
        raise _unsupported(f"Origin {request['Origin']}")
    if request.get("MultiRegion"):
        raise _unsupported("MultiRegion")
    doc = ctx.backend.create_key(ctx.account, ctx.region, request.get("Description") or "", request.get("Policy"),
                                 request.get("Tags"))
    return {"KeyMetadata": metadata(doc)}


def describe_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"KeyMetadata": metadata(ctx.backend.key(ctx.account, ctx.region, request["KeyId"]))}


def list_keys(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    keys = sorted(ctx.backend.keys(ctx.account, ctx.region), key=lambda k: k["KeyId"])
    start = 0
    if request.get("Marker"):
        start = next((i + 1 for i, k in enumerate(keys) if k["KeyId"] == request["Marker"]), len(keys))
    limit = int(request.get("Limit") or 100)
    page = keys[start:start + limit]
    out: dict[str, Any] = {"Keys": [{"KeyId": k["KeyId"], "KeyArn": k["Arn"]} for k in page],
                           "Truncated": start + limit < len(keys)}
    if out["Truncated"] and page:
        out["NextMarker"] = page[-1]["KeyId"]
    return out


def enable_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.set_enabled(ctx.account, ctx.region, request["KeyId"], True)
    return {}


def disable_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.backend.set_enabled(ctx.account, ctx.region, request["KeyId"], False)
    return {}


def schedule_key_deletion(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    days = int(request.get("PendingWindowInDays") or 30)
    doc = ctx.backend.schedule_deletion(ctx.account, ctx.region, request["KeyId"], days)
    return {"KeyId": doc["Arn"], "DeletionDate": doc["DeletionDate"], "KeyState": doc["KeyState"],
            "PendingWindowInDays": days}


def cancel_key_deletion(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"KeyId": ctx.backend.cancel_deletion(ctx.account, ctx.region, request["KeyId"])["Arn"]}


def get_key_policy(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.key(ctx.account, ctx.region, request["KeyId"])
    return {"Policy": doc["Policy"], "PolicyName": "default"}


def put_key_policy(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    doc = ctx.backend.key(ctx.account, ctx.region, request["KeyId"])
    doc["Policy"] = ctx.backend.check_policy(str(request["Policy"]))
    ctx.backend.save(ctx.account, ctx.region, doc)
    return {}

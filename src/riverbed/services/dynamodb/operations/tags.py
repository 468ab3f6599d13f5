"""TagResource / UntagResource / ListTagsOfResource on table ARNs.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html
"""

from __future__ import annotations

import copy
from typing import Any

from riverbed.errors import AccessDeniedException, ResourceNotFoundException, ValidationException
from riverbed.services.dynamodb.service import DdbContext


def _table_for_arn(ctx: DdbContext, arn: str) -> Any:
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("table/"):
        raise ValidationException(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    _, _, _, region, account, resource = parts
    name = resource[len("table/"):].split("/")[0]
    if account != ctx.account:
        raise AccessDeniedException("User is not authorized to perform this action on the resource")
    table = ctx.backend.catalog.get(account, region, name)
    if table is None:
        raise ResourceNotFoundException(f"Requested resource not found: ResourcArn: {arn} not found")
    return table


def tag_resource(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    table = _table_for_arn(ctx, req["ResourceArn"])
    doc = copy.deepcopy(table.doc)
    tags = doc.setdefault("_tags", {})
    for tag in req["Tags"]:
        tags[tag["Key"]] = tag["Value"]
    if len(tags) > 50:
        raise ValidationException("One or more parameter values were invalid: The number of tags exceeds the limit "
                                  "of 50")
    with ctx.store.transaction() as txn:
        dyn.catalog.save(txn, doc)
    return {}


def untag_resource(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    dyn = ctx.backend
    table = _table_for_arn(ctx, req["ResourceArn"])
    doc = copy.deepcopy(table.doc)
    tags = doc.setdefault("_tags", {})
    for key in req["TagKeys"]:
        tags.pop(key, None)
    with ctx.store.transaction() as txn:
        dyn.catalog.save(txn, doc)
    return {}


def list_tags_of_resource(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    table = _table_for_arn(ctx, req["ResourceArn"])
    tags = [{"Key": k, "Value": v} for k, v in sorted((table.doc.get("_tags") or {}).items())]
    return {"Tags": tags}

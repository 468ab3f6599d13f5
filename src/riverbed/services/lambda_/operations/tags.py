"""TagResource, UntagResource, ListTags: tags on functions (and, through a hook, on other Lambda resources).

Tags belong to the function, never to a version: a qualified ARN is refused with AWS's text
(lambda_api snapshot, test_tag_exceptions).  Event source mappings keep their own tags; the package
that owns them registers a handler in ``app.lambda_.tag_handlers['event-source-mapping']``.  Tag
changes do not move the function's RevisionId.

https://docs.aws.amazon.com/lambda/latest/api/API_TagResource.html
"""

from __future__ import annotations

import re
from typing import Any

from riverbed.errors import InvalidParameterValueException, LambdaResourceNotFoundException
from riverbed.services.lambda_ import functions, names
from riverbed.services.lambda_.service import LambdaContext

QUALIFIED_TAGS = "Tags on function aliases and versions are not supported. Please specify a function ARN."
MAX_TAGS = 50
_RESOURCE = re.compile(r"^arn:[^:]+:lambda:(?P<region>[^:]+):(?P<account>\d{12}):(?P<kind>[a-z-]+):(?P<rest>.+)$")

_NOT_FOUND = {"event-source-mapping": "Event source mapping not found: {arn}",
              "capacity-provider": "Capacity provider not found: {arn}",
              "code-signing-config": "Code signing config not found: {arn}"}


def _resource(ctx: LambdaContext, arn: str) -> tuple[str, Any]:
    """``("function", FunctionRef)`` or ``(kind, handler)`` for another resource type."""
    m = _RESOURCE.match(arn)
    kind = m.group("kind") if m else ""
    if kind != "function":
        handler = ctx.backend.tag_handlers.get(kind)
        if handler is None:
            raise LambdaResourceNotFoundException(_NOT_FOUND.get(kind, "Resource not found: {arn}").format(arn=arn))
        return kind, handler
    ref = names.parse(arn, ctx.account, ctx.region)
    if ref is None:
        raise LambdaResourceNotFoundException(f"Function not found: {arn}")
    if ref.qualifier is not None:
        raise InvalidParameterValueException(QUALIFIED_TAGS)
    if functions.get_function(ctx.store, ref) is None:
        raise names.not_found(ref)
    return "function", ref


def tag_resource(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    kind, target = _resource(ctx, request["Resource"])
    if kind != "function":
        target.tag(ctx, request["Resource"], dict(request.get("Tags") or {}))
        return {}
    with ctx.store.transaction() as txn:
        doc = functions.get_function(txn, target)
        if doc is None:
            raise names.not_found(target)
        tags = dict(doc.get("tags") or {})
        tags.update(request.get("Tags") or {})
        if len(tags) > MAX_TAGS:
            raise InvalidParameterValueException("Number of tags exceeds resource tag limit.")
        functions.put(txn, dict(doc, tags=tags))
    return {}


def untag_resource(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    kind, target = _resource(ctx, request["Resource"])
    keys = list(request.get("TagKeys") or [])
    if kind != "function":
        target.untag(ctx, request["Resource"], keys)
        return {}
    with ctx.store.transaction() as txn:
        doc = functions.get_function(txn, target)
        if doc is None:
            raise names.not_found(target)
        tags = {k: v for k, v in (doc.get("tags") or {}).items() if k not in keys}
        functions.put(txn, dict(doc, tags=tags))
    return {}


def list_tags(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    kind, target = _resource(ctx, request["Resource"])
    if kind != "function":
        return {"Tags": dict(target.list_tags(ctx, request["Resource"]))}
    doc = functions.get_function(ctx.store, target)
    return {"Tags": dict((doc or {}).get("tags") or {})}

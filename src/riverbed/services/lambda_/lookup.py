"""Finding what a request designates, with AWS's errors for each way that fails.

Owns: the steps every function-addressed operation starts with -- split ``FunctionName`` (any form),
refuse a full ARN from another region, reconcile it with a ``Qualifier`` parameter, load the document
-- and the RevisionId precondition.

Must not: change documents.
"""

from __future__ import annotations

import random
from typing import Any

from riverbed.errors import InvalidParameterValueException, ServiceError
from riverbed.services.lambda_ import functions, names
from riverbed.services.lambda_.names import LATEST, FunctionRef

UNQUALIFIED_ONLY = ("This operation is permitted on Lambda functions only. Aliases and versions do not support "
                    "this operation. Please specify either a function name or an unqualified function ARN.")
REVISION_MISMATCH = ("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias "
                     "API to retrieve the latest Revision Id")


def ref_for(ctx: Any, request: dict[str, Any], *, use_qualifier: bool = True) -> FunctionRef:
    """The function (and qualifier) a request names; a Qualifier must agree with the name's own."""
    value = request.get("FunctionName", "")
    ref = names.parse(value, ctx.account, ctx.region)
    if ref is None:  # validation against the model normally answers first
        raise names.not_found(FunctionRef(ctx.account, ctx.region, value))
    if use_qualifier:
        ref = names.resolve_qualifier(ref, request.get("Qualifier"))
    return ref


def require_function(ctx: Any, ref: FunctionRef, *, message_qualifier: str | None = None) -> dict[str, Any]:
    """The ``$LATEST`` document, or ResourceNotFoundException quoting the ARN (plus ``message_qualifier``)."""
    doc = functions.get_function(ctx.store, ref)
    if doc is None:
        raise names.not_found(ref, message_qualifier)
    return doc


def require_qualified(ctx: Any, ref: FunctionRef, *, route: random.Random | None = None) -> dict[str, Any]:
    """The document ``ref.qualifier`` designates (an alias: its version, picked by weight when ``route`` is
    given); not-found texts quote the qualifier as given."""
    doc = functions.get_qualified(ctx.store, ref, ref.qualifier, route=route)
    if doc is None:
        raise names.not_found(ref, ref.qualifier)
    return doc


def require_unqualified(ref: FunctionRef) -> None:
    if ref.qualifier is not None:
        raise InvalidParameterValueException(UNQUALIFIED_ONLY)


def check_revision(doc: dict[str, Any], revision_id: str | None, message: str = REVISION_MISMATCH) -> None:
    if revision_id is not None and revision_id != doc["revision_id"]:
        raise ServiceError(message, code="PreconditionFailedException", status=412)


def is_latest(qualifier: str | None) -> bool:
    return qualifier in (None, LATEST)

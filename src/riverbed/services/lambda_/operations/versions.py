"""PublishVersion: snapshot ``$LATEST`` as the next numbered version (or answer the newest unchanged one).

Checks, with AWS's texts (lambda_api snapshot, TestLambdaVersions): RevisionId, then CodeSha256 must
match ``$LATEST``'s.  Answers 201 with the version's configuration.

https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import InvalidParameterValueException
from riverbed.services.lambda_ import functions, versions
from riverbed.services.lambda_.lookup import check_revision, ref_for, require_function
from riverbed.services.lambda_.service import LambdaContext


def publish_version(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = ref_for(ctx, request, use_qualifier=False)
    doc = require_function(ctx, ref)
    check_revision(doc, request.get("RevisionId"))
    sha = request.get("CodeSha256")
    if sha is not None and sha != doc["code_sha256"]:
        raise InvalidParameterValueException(
            f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({doc['code_sha256']}). "
            "Please try again with the CodeSHA256 in $LATEST.")
    updated = dict(doc)
    with ctx.store.transaction() as txn:
        version = versions.publish(txn, updated, ctx.clock.now(), request.get("Description"))
        functions.put(txn, updated)
    return functions.configuration(version)

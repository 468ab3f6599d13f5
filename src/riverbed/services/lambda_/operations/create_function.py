"""CreateFunction: validate -> store code and configuration in one transaction -> answer ``Pending``.

AWS answers 201 with State ``Pending`` ("The function is being created.") and finishes creating in
the background; riverbed finishes at once, so GetFunction right after shows ``Active``.  As in AWS the
function's RevisionId changes when it becomes active (lambda_api snapshot, test_function_lifecycle).
Nothing is stored when any check fails.

https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import InvalidParameterValueException, ResourceConflictException
from riverbed.services.lambda_ import code as codes
from riverbed.services.lambda_ import env_keys, functions, names, parameters, versions
from riverbed.services.lambda_.config_fields import apply_configuration
from riverbed.services.lambda_.service import LambdaContext

NO_CODE = "Please provide a source for function code."


def create_function(ctx: LambdaContext, request: dict[str, Any]) -> dict[str, Any]:
    ref = names.parse(request["FunctionName"], ctx.account, ctx.region)
    if ref is None:
        raise names.not_found(names.FunctionRef(ctx.account, ctx.region, request["FunctionName"]))
    if len(ref.name) > 64:
        raise InvalidParameterValueException(
            f"1 validation error detected: Value '{ref.name}' at 'functionName' failed to satisfy constraint: "
            "Member must have length less than or equal to 64")
    if ref.qualifier is not None:
        raise InvalidParameterValueException(
            f"FunctionName {request['FunctionName']} names a version; CreateFunction takes an unqualified name.")
    if request.get("PackageType", "Zip") != "Zip":
        raise InvalidParameterValueException(
            "riverbed runs zip-packaged Python functions only; PackageType Image is not supported.")
    if not request.get("Runtime") or not request.get("Handler"):
        raise InvalidParameterValueException(parameters.RUNTIME_AND_HANDLER_REQUIRED)
    source = request.get("Code") or {}
    parameters.check_code_source(source)
    package = codes.source_zip(ctx.backend.objects, source)
    if package is None:
        raise InvalidParameterValueException(NO_CODE)
    code = codes.check_zip(package)

    now = ctx.clock.now()
    doc: dict[str, Any] = {
        "name": ref.name, "account": ref.account, "region": ref.region, "version": names.LATEST,
        "description": "", "timeout": 3, "memory_size": 128, "environment": None,
        "architectures": list(request.get("Architectures") or ["x86_64"]),
        "code_sha256": code.sha256_b64, "code_hex": code.sha256_hex, "code_size": code.size, "inprocess": False,
        "tags": dict(request.get("Tags") or {}), "policy": [], "reserved_concurrency": None,
        "last_modified": now, "revision_id": functions.new_revision(),
    }
    apply_configuration(doc, request)   # Runtime, Role, Handler, Timeout, Environment ... (checked there)
    parameters.check_role(ctx.backend.roles, ref.account, request.get("Role"))
    parameters.check_dead_letter(ctx.backend.roles, ref.account, doc)
    env_keys.seal(ctx.backend.keys, doc)       # KMSKeyArn: the variables encrypted with that key

    service = ctx.backend
    published = None
    with ctx.store.transaction() as txn:
        if functions.get_function(txn, ref) is not None:
            raise ResourceConflictException(f"Function already exist: {ref.name}")
        service.code.put(txn, code)
        if request.get("Publish"):
            published = versions.publish(txn, doc, now)
        functions.put(txn, doc)
    service.forget_inprocess(ref.name)
    service.retire_soon(ref.name)  # a function of the same name may have been deleted with warm workers

    # The answer describes the function while it is still being created, under a RevisionId of its own.
    shown = dict(published or doc, revision_id=functions.new_revision())
    return functions.configuration(shown, form="create", qualified=False)

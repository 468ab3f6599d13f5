"""BatchExecuteStatement: up to 25 PartiQL statements, all reads or all writes, each answered on its own.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html
A failing statement does not fail the call: its response carries ``Error {Code, Message}`` (codes from
BatchStatementErrorCodeEnum).  Reads must name one item by its full primary key.
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ServiceError, ValidationException
from riverbed.services.dynamodb.partiql import ast, executor
from riverbed.services.dynamodb.service import DdbContext

ERROR_CODES = {
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "DuplicateItemException": "DuplicateItem",
    "ValidationException": "ValidationError",
    "ResourceNotFoundException": "ResourceNotFound",
    "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded",
    "TransactionConflictException": "TransactionConflict",
}


def batch_execute_statement(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    parsed: list[tuple[ast.Statement, list[Any]] | ServiceError] = []
    for entry in req["Statements"]:
        try:
            parsed.append(executor.prepare(entry["Statement"], entry.get("Parameters")))
        except ServiceError as exc:
            parsed.append(exc)
    kinds = {executor.is_read(p[0]) for p in parsed if not isinstance(p, ServiceError)}
    if len(kinds) > 1:
        # AWS's wording for a mixed batch is not verified; the rule is documented on the API page.
        raise ValidationException("The entire batch must consist of either read statements or write statements, "
                                  "you cannot mix both in one batch.")
    responses = []
    for entry, prepared in zip(req["Statements"], parsed, strict=False):
        responses.append(_run(ctx, entry, prepared))
    return {"Responses": responses}


def _run(ctx: DdbContext, entry: dict[str, Any], prepared: Any) -> dict[str, Any]:
    table = None
    try:
        if isinstance(prepared, ServiceError):
            raise prepared
        stmt, params = prepared
        target = stmt.select if isinstance(stmt, ast.Exists) else stmt
        table = target.table
        if isinstance(stmt, ast.Select):
            if stmt.index is not None:
                raise ValidationException("This operation is not supported on an index")
            item = executor.get_one(ctx, stmt, params)
            return {"TableName": table, **({"Item": item} if item is not None else {})}
        executor.write(ctx, stmt, params, return_on_failure=entry.get("ReturnValuesOnConditionCheckFailure"))
        return {"TableName": table}
    except ServiceError as exc:
        err: dict[str, Any] = {"Code": ERROR_CODES.get(exc.code, exc.code), "Message": exc.message}
        if exc.extra.get("Item") is not None:
            err["Item"] = exc.extra["Item"]
        out: dict[str, Any] = {"Error": err}
        if table is not None:
            out["TableName"] = table
        return out

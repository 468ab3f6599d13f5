"""ExecuteStatement: one PartiQL statement -- a SELECT (Query or Scan, paged) or a single-item write.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
Writes go through ``items.commit`` like PutItem/UpdateItem/DeleteItem, so each produces its stream record.
"""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodb.partiql import ast, executor
from riverbed.services.dynamodb.service import DdbContext


def execute_statement(ctx: DdbContext, req: dict[str, Any]) -> dict[str, Any]:
    stmt, params = executor.prepare(req["Statement"], req.get("Parameters"))
    if isinstance(stmt, ast.Select):
        return executor.select(ctx, stmt, params, limit=req.get("Limit"), next_token=req.get("NextToken"),
                               consistent=bool(req.get("ConsistentRead")),
                               fingerprint=executor.fingerprint(req["Statement"], params))
    returned = executor.write(ctx, stmt, params, return_on_failure=req.get("ReturnValuesOnConditionCheckFailure"))
    return {"Items": returned}

"""SimulatePrincipalPolicy: the decision for each action (and resource) as the evaluator makes it.

Answers EvalDecision ``allowed`` / ``explicitDeny`` / ``implicitDeny`` for each action and resource
pair, as IAM's policy simulator does; context entries given by the caller join the request context.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
"""

from __future__ import annotations

from typing import Any

from riverbed.services.iam import errors
from riverbed.services.iam.service import IamContext


def _context(entries: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in entries:
        values = list(entry.get("ContextKeyValues") or [])
        kind = str(entry.get("ContextKeyType") or "string")
        if kind == "boolean":
            values = [v.lower() == "true" for v in values]
        out[str(entry["ContextKeyName"])] = values if kind.endswith("List") or len(values) != 1 else values[0]
    return out


def simulate_principal_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    source = request["PolicySourceArn"]
    parts = source.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith(("role/", "user/")):
        raise errors.invalid_input(f"Invalid Entity Arn: {source} does not clearly define entity type and name.")
    kind, name = parts[5].split("/", 1)[0], parts[5].rsplit("/", 1)[-1]
    ctx.backend.entity(ctx.account, kind, name)
    context = _context(list(request.get("ContextEntries") or []))
    results = []
    for action in request["ActionNames"]:
        for resource in request.get("ResourceArns") or ["*"]:
            decision = ctx.backend.allowed(ctx.account, source, action, resource, context)
            results.append({"EvalActionName": action, "EvalResourceName": resource,
                            "EvalDecision": decision.value, "MatchedStatements": [], "MissingContextValues": []})
    return {"EvaluationResults": results, "IsTruncated": False}

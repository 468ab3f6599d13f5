"""Resource-based policies of tables and streams: which resource an ARN names, the document's rules, revisions.

Owns: resolving a ``ResourceArn`` to the table (and, for a stream ARN, the stream) whose policy it names,
with DynamoDB's refusals; validating a policy document as DynamoDB does (size, IAM grammar through the one
policy parser, the "unbounded access" guardrail, the self-lockout check); revision ids and the
``ExpectedRevisionId`` rules; the canonical form GetResourcePolicy answers; keeping policies in the table
document (``_policies``, keyed by resource ARN) so that they are deleted with the table.

Must not: evaluate requests against the policies (IAM does, for the gateway, through ``Permissions``).

AWS's texts come from runs against DynamoDB: the ack-api-quirks DynamoDB findings DDB-TABLE-211/212/213/214
(resource ARN forms, size, document errors, stream slot, deleted tables) and moto's
``test_dynamodb_resource_policy.py`` (aws_verified: revision-id mismatch texts, NO_POLICY).
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from riverbed.core.policy import Decision, PolicyError, RequestFacts, evaluate, parse_policy
from riverbed.errors import ResourceNotFoundException, ServiceError, ValidationException
from riverbed.services.dynamodb.tables import Table

MAX_POLICY_BYTES = 20 * 1024     # "DynamoDB counts whitespaces when calculating the size" (API reference)
NO_POLICY = "NO_POLICY"          # ExpectedRevisionId: attach only when there is none yet
INVALID = "One or more parameter values were invalid: "
OTHER_ACCOUNT = "This action is only supported by accounts that match the resource owner\u2019s account."
NOT_FOUND = "Resource-based policy not found for the provided ResourceArn: "
UNBOUNDED = ("Resource-based policy grants unbounded access in one or more elements. Please revise the policy to "
             "ensure least-privilege form of access")
# Not recorded against AWS (wording of another emulator); the check itself is AWS's documented rule.
SELF_LOCKOUT = ("This policy contains a statement that may prevent future policy updates for this resource. "
                "Set ConfirmRemoveSelfResourceAccess to true to confirm this change")
# IAM parser texts DynamoDB words differently (DDB-TABLE-211).
_DOCUMENT_TEXTS = {"Policy statement must contain resources.": "Missing required field Resource"}


class PolicyNotFoundException(ServiceError):
    code = "PolicyNotFoundException"


@dataclass(frozen=True)
class Target:
    """The resource a ``ResourceArn`` names: a table, or the table's stream."""

    arn: str
    table_name: str
    stream_label: str | None = None


def parse_target(arn: str, account: str, region: str) -> Target:
    """The table or stream ``arn`` names in the caller's account and region, or DynamoDB's ValidationException."""
    if not arn.startswith("arn:"):
        raise ValidationException(f"{INVALID}ARNs must start with 'arn:': {arn}")
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[1] != "aws" or parts[2] != "dynamodb" or not parts[5].startswith("table/"):
        raise ValidationException(f"{INVALID}Invalid resource Arn: {arn}")
    if parts[4] != account:
        raise ValidationException(OTHER_ACCOUNT)
    if parts[3] != region:
        raise ValidationException(f"{INVALID}Invalid resource Arn: {arn}")
    pieces = parts[5].split("/")
    if len(pieces) == 2 and pieces[1]:
        return Target(arn, pieces[1])
    if len(pieces) == 4 and pieces[2] == "stream" and pieces[3]:
        return Target(arn, pieces[1], pieces[3])
    if len(pieces) >= 3 and pieces[2] == "index":
        raise ValidationException(f"{INVALID}Invalid resource arn provided, only table or stream is accepted. "
                                  f"Provided resource arn: {arn}")
    raise ValidationException(f"{INVALID}Provided Arn is not a DynamoDB resource arn: {arn}")


def check_target(table: Table, target: Target) -> None:
    """A stream ARN must name the table's current stream."""
    if target.stream_label is not None and table.doc.get("LatestStreamLabel") != target.stream_label:
        raise ResourceNotFoundException(f"Requested resource not found: Stream: {target.stream_label} not found "
                                        f"for Table: {table.name}")


def current(table: Table, arn: str) -> dict[str, Any] | None:
    """The stored policy of a table or stream ARN: ``{"Policy", "RevisionId", "Submitted"}``, or None."""
    found = (table.doc.get("_policies") or {}).get(arn)
    return dict(found) if found else None


def check_document(text: str, arn: str, principal: str, confirm_self_lockout: bool) -> dict[str, Any]:
    """The parsed document if DynamoDB accepts it for ``arn``; else its ValidationException."""
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise ValidationException(f"{INVALID}Maximum policy size of {MAX_POLICY_BYTES} bytes exceeded")
    try:
        doc = json.loads(text)
    except ValueError:
        raise ValidationException(f"{INVALID}Invalid policy document: This policy contains invalid Json") from None
    if isinstance(doc, dict) and doc.get("Statement") == []:
        raise ValidationException(f"{INVALID}Invalid policy document: Could not parse the policy: Statement is "
                                  "empty!")
    try:
        statements = parse_policy(doc, "resource")
    except PolicyError as exc:
        reason = _DOCUMENT_TEXTS.get(exc.message, exc.message)
        raise ValidationException(f"{INVALID}Invalid policy document: {reason}") from None
    for statement in statements:
        everyone = statement.principals is not None and statement.principals.get("AWS") == ("*",)
        if statement.effect == "Allow" and everyone and not statement.conditions:
            raise ValidationException(UNBOUNDED)
    if principal and not confirm_self_lockout:
        # A Deny that would stop the caller from changing the policy again needs the caller's confirmation
        # (API reference, ConfirmRemoveSelfResourceAccess).
        facts = RequestFacts("dynamodb:PutResourcePolicy", arn, principal=principal)
        if evaluate((), facts, resource=[statements]) is Decision.EXPLICIT_DENY:
            raise ValidationException(SELF_LOCKOUT)
    return dict(doc)


def check_expected(table: Table, existing: dict[str, Any] | None, expected: str | None, arn: str) -> None:
    """``ExpectedRevisionId``: the current revision, or NO_POLICY while there is none."""
    if expected is None:
        return
    if existing is None:
        if expected != NO_POLICY:
            raise PolicyNotFoundException(f"{NOT_FOUND}{arn}")
        return
    if expected == NO_POLICY:
        raise PolicyNotFoundException(f"{NOT_FOUND}Requested policy update expecting none to be present for table "
                                      f"{table.name}, but a policy exists with revision id {existing['RevisionId']}.")
    if expected != existing["RevisionId"]:
        raise PolicyNotFoundException(f"{NOT_FOUND}Requested update for policy with revision id {expected}, but the "
                                      f"policy associated to target table {table.name} has revision id "
                                      f"{existing['RevisionId']}.")


def revision_id(now: float, previous: str | None) -> str:
    """Revision ids are millisecond timestamps, so later ones compare greater (moto's aws_verified test)."""
    value = int(now * 1000)
    if previous is not None and previous.isdigit() and value <= int(previous):
        value = int(previous) + 1
    return str(value)


def canonical(doc: dict[str, Any], account: str) -> str:
    """The document as GetResourcePolicy returns it: minified, Version filled in (2008-10-17 when absent),
    one-element lists as strings, an account id principal as the account's root ARN (DDB-TABLE-351..355)."""
    out: dict[str, Any] = {"Version": doc.get("Version", "2008-10-17")}
    raw = doc.get("Statement")
    statements = raw if isinstance(raw, list) else [raw]
    out["Statement"] = [_canonical_statement(dict(s or {}), account) for s in statements]
    for key, value in doc.items():
        if key not in out:
            out[key] = value
    return json.dumps(out, separators=(",", ":"))


def _canonical_statement(statement: dict[str, Any], account: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "Sid" in statement:
        out["Sid"] = statement["Sid"]
    effect = str(statement.get("Effect", ""))
    out["Effect"] = effect[:1].upper() + effect[1:].lower()
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            out[key] = _canonical_principal(statement[key])
    for key, value in statement.items():
        if key not in out and key not in ("Sid", "Effect"):
            out[key] = _scalar(value) if key != "Condition" else {
                op: {k: _scalar(v) for k, v in block.items()} for op, block in value.items()}
    return out


def _canonical_principal(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for kind, entries in value.items():
        items = entries if isinstance(entries, list) else [entries]
        if kind == "AWS":
            items = [f"arn:aws:iam::{e}:root" if isinstance(e, str) and e.isdigit() and len(e) == 12 else e
                     for e in items]
        out[kind] = _scalar(list(dict.fromkeys(items)))
    return out


def _scalar(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def policy_of_arn(tables: Any, arn: str) -> str | None:
    """The policy text that governs ``arn`` (a table, its index, its stream), for the gateway; None if none.

    An index is governed by its table's policy ("You can control index permissions using the base table's
    policy", API_PutResourcePolicy)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("table/"):
        return None
    pieces = parts[5].split("/")
    table = tables.get(parts[4], parts[3], pieces[1])
    if table is None:
        return None
    policies = table.doc.get("_policies")
    if not policies:
        return None
    key = arn if len(pieces) == 4 and pieces[2] == "stream" else ":".join([*parts[:5], f"table/{pieces[1]}"])
    found = policies.get(key)
    return str(found["Policy"]) if found else None

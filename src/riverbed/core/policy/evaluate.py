"""Policy evaluation: the decision for one request against identity, resource and boundary policies.

Owns: the order AWS documents for a single account — an explicit Deny in any policy wins; otherwise an
Allow in an identity policy or in the resource's policy grants (a permissions boundary, when given,
must allow as well); otherwise the request is implicitly denied.  Also whether a trust policy lets a
principal assume a role (``principal_allowed``).

Must not: look policies up (the caller hands over the statements it gathered) or raise service errors.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from riverbed.core.policy.conditions import conditions_hold
from riverbed.core.policy.documents import Statement
from riverbed.core.policy.matching import Unresolved, action_matches, arn_matches, principal_matches, substitute


class Decision(enum.Enum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"

    @property
    def allowed(self) -> bool:
        return self is Decision.ALLOWED


@dataclass(frozen=True)
class RequestFacts:
    """What a request asks: the action, the resource ARN, who asks (an ARN or a service principal), the context keys."""

    action: str
    resource: str = "*"
    principal: str = ""
    principal_kind: str = "AWS"                  # "AWS" for ARNs, "Service" for lambda.amazonaws.com & co
    context: Mapping[str, Any] = field(default_factory=dict)


Policy = Sequence[Statement]


def _action_applies(statement: Statement, action: str) -> bool:
    if statement.not_actions is not None:
        return not any(action_matches(p, action) for p in statement.not_actions)
    return any(action_matches(p, action) for p in statement.actions)


def _patterns_match(patterns: Iterable[str], resource: str, context: Mapping[str, Any]) -> bool:
    for pattern in patterns:
        try:
            if arn_matches(substitute(pattern, context), resource):
                return True
        except Unresolved:
            continue
    return False


def _resource_applies(statement: Statement, resource: str, context: Mapping[str, Any]) -> bool:
    if statement.not_resources is not None:
        return not _patterns_match(statement.not_resources, resource, context)
    if statement.resources is None:
        return True
    return _patterns_match(statement.resources, resource, context)


def _principal_in(block: Mapping[str, tuple[str, ...]], facts: RequestFacts) -> bool:
    if facts.principal_kind == "AWS" and block.get("AWS") == ("*",):
        return True
    if block.get("AWS") == ("*",) and facts.principal_kind != "AWS":
        return True   # "Principal": "*" is everyone, services included
    entries = block.get(facts.principal_kind, ())
    if facts.principal_kind == "AWS":
        return any(principal_matches(entry, facts.principal) for entry in entries)
    return facts.principal in entries


def _principal_applies(statement: Statement, facts: RequestFacts) -> bool:
    if statement.not_principals is not None:
        return not _principal_in(statement.not_principals, facts)
    if statement.principals is None:
        return True
    return _principal_in(statement.principals, facts)


def applies(statement: Statement, facts: RequestFacts) -> bool:
    """Whether a statement speaks about this request (its effect aside)."""
    return (_action_applies(statement, facts.action)
            and _resource_applies(statement, facts.resource, facts.context)
            and _principal_applies(statement, facts)
            and conditions_hold(statement.conditions, facts.context))


def _names_directly(statement: Statement, facts: RequestFacts) -> bool:
    """Whether a statement's Principal names the caller itself rather than the caller's whole account.

    An account (its id or ``arn:aws:iam::ACCT:root``) in a resource policy delegates to that account's
    identity policies: it lets the account's principals in, it does not grant them anything by itself
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts).
    """
    if statement.principals is None or facts.principal_kind != "AWS":
        return True
    entries = statement.principals.get("AWS", ())
    for entry in entries:
        account_wide = (entry.isdigit() and len(entry) == 12) or (entry.startswith("arn:") and entry.endswith(":root"))
        if account_wide and entry != facts.principal:
            continue
        if principal_matches(entry, facts.principal):
            return True
    return False


def _direct_allow(policies: Iterable[Policy], facts: RequestFacts) -> bool:
    return any(statement.effect == "Allow" and applies(statement, facts) and _names_directly(statement, facts)
               for policy in policies for statement in policy)


def _effects(policies: Iterable[Policy], facts: RequestFacts) -> tuple[bool, bool]:
    allow = deny = False
    for policy in policies:
        for statement in policy:
            if applies(statement, facts):
                if statement.effect == "Deny":
                    deny = True
                else:
                    allow = True
    return allow, deny


def evaluate(identity: Iterable[Policy], facts: RequestFacts, resource: Iterable[Policy] = (),
             boundary: Iterable[Policy] | None = None, *, cross_account: bool = False) -> Decision:
    """The decision for ``facts``: explicit Deny anywhere, else Allow (identity or resource), else implicit deny."""
    return evaluate_with_reason(identity, facts, resource, boundary, cross_account=cross_account)[0]


def evaluate_with_reason(identity: Iterable[Policy], facts: RequestFacts, resource: Iterable[Policy] = (),
                         boundary: Iterable[Policy] | None = None, *, cross_account: bool = False
                         ) -> tuple[Decision, str]:
    """The decision and the type of policy that decided a refusal ("identity-based", "resource-based",
    "permissions boundary"; the words of AWS's AccessDenied texts).

    Within one account an Allow in the identity policies or in the resource's policy (one naming the caller) is
    enough; a request
    from another account needs both: the caller's account must allow it (identity) and the resource's owner
    too (resource policy) — "Cross-account policy evaluation logic" in the IAM user guide.
    """
    resource = list(resource)
    identity_allow, identity_deny = _effects(identity, facts)
    resource_allow, resource_deny = _effects(resource, facts)
    if resource_allow and not cross_account:
        # Within one account only a grant that names the caller counts; an account-wide one delegates to
        # the identity policies, which are evaluated anyway.
        resource_allow = _direct_allow(resource, facts)
    if resource_deny:
        return Decision.EXPLICIT_DENY, "resource-based"
    if identity_deny:
        return Decision.EXPLICIT_DENY, "identity-based"
    if boundary is not None:
        boundary_allow, boundary_deny = _effects(boundary, facts)
        if boundary_deny:
            return Decision.EXPLICIT_DENY, "permissions boundary"
        if not boundary_allow:
            identity_allow = False
    if cross_account:
        if not identity_allow:
            return Decision.IMPLICIT_DENY, "identity-based"
        if not resource_allow:
            return Decision.IMPLICIT_DENY, "resource-based"
        return Decision.ALLOWED, ""
    if identity_allow or resource_allow:
        return Decision.ALLOWED, ""
    return Decision.IMPLICIT_DENY, "identity-based"


def principal_allowed(trust: Policy, principal: str, *, kind: str = "AWS", action: str = "sts:AssumeRole",
                      context: Mapping[str, Any] | None = None) -> bool:
    """Whether a role's trust policy lets ``principal`` (an ARN, or a service name with kind "Service") assume it."""
    facts = RequestFacts(action=action, resource="*", principal=principal, principal_kind=kind,
                         context=context or {})
    allow, deny = _effects([trust], facts)    # an account named in a trust policy lets its principals in
    return allow and not deny

"""What a caller's request asks of IAM in ``--iam strict`` mode: the action, the resources, the refusal.

Owns: the action name (``<signing service>:<Operation>``, e.g. ``dynamodb:PutItem``), the helpers the
services' resource functions use to name the ARNs a request touches (each service says which members
name its resources, as data on its :class:`~riverbed.core.service.ServiceDescription`), and AWS's
AccessDenied texts:

    User: arn:aws:iam::111111111111:user/dev is not authorized to perform: dynamodb:PutItem on resource:
    arn:aws:dynamodb:us-east-1:111111111111:table/orders because no identity-based policy allows the
    dynamodb:PutItem action

(https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html: the implicit deny
names "no identity-based policy allows", an explicit deny "with an explicit deny in an identity-based
policy").

Must not: evaluate policies (IAM does, through :class:`~riverbed.core.interfaces.Permissions`) or know
HTTP (the gateway calls :func:`authorize` once per request).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from riverbed.core.interfaces import Permissions
from riverbed.core.policy import Decision
from riverbed.errors import ServiceError

# (account, region, operation, request) -> the ARNs the request acts on ("*" when the action has none).
ResourceNamer = Callable[[str, str, str, dict[str, Any]], list[str]]


def arn(service: str, region: str, account: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def named(value: Any, build: Callable[[str], str]) -> str:
    """``value`` itself when it already is an ARN, else the ARN ``build`` makes of the name."""
    text = str(value)
    return text if text.startswith("arn:") else build(text)


def denied_message(principal: str, action: str, resource: str, decision: Decision,
                   kind: str = "identity-based") -> str:
    """AWS's AccessDenied text; ``kind`` is the type of policy that refused ("identity-based",
    "resource-based", "permissions boundary")."""
    head = f"User: {principal} is not authorized to perform: {action} on resource: {resource}"
    policy = kind if kind == "permissions boundary" else f"{kind} policy"
    if decision is Decision.EXPLICIT_DENY:
        article = "an" if policy[0] in "aeiou" else "a"
        return f"{head} with an explicit deny in {article} {policy}"
    return f"{head} because no {policy} allows the {action} action"


def owner_of(resource: str) -> str:
    """The account that owns an ARN ("" for ``*`` and ARNs without one, such as S3 buckets')."""
    parts = resource.split(":", 5)
    return parts[4] if len(parts) == 6 and len(parts[4]) == 12 and parts[4].isdigit() else ""


def authorize(permissions: Permissions, *, account: str, principal: str, action: str, resources: Iterable[str],
              code: str, status: int, strict: bool = True,
              policy_of: Callable[[str], str | None] | None = None) -> None:
    """Raise the service's AccessDenied error unless ``principal`` may perform ``action`` on every resource.

    ``strict`` (--iam strict): every request is decided. Otherwise only requests on another account's
    resources are (as AWS always does: a cross-account request needs the owner's resource policy).
    ``policy_of`` gives a resource's own policy (a table's, a queue's, a topic's), which takes part in
    the decision. The account root is allowed everything in its own account, as on AWS (no SCPs here),
    except what a resource policy explicitly denies."""
    if not principal:
        return
    for resource in resources:
        owner = owner_of(resource)
        cross = bool(owner) and owner != account
        if not strict and not cross:
            continue
        policy = policy_of(resource) if policy_of is not None else None
        if not cross and policy is None and principal.endswith(":root"):
            continue
        decision, kind = permissions.decide(principal, action, resource, resource_policy=policy,
                                            resource_owner=owner or account)
        if not decision.allowed:
            raise ServiceError(denied_message(principal, action, resource, decision, kind), code=code,
                               status=status)

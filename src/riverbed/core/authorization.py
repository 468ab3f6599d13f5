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


def denied_message(principal: str, action: str, resource: str, decision: Decision) -> str:
    head = f"User: {principal} is not authorized to perform: {action} on resource: {resource}"
    if decision is Decision.EXPLICIT_DENY:
        return f"{head} with an explicit deny in an identity-based policy"
    return f"{head} because no identity-based policy allows the {action} action"


def authorize(permissions: Permissions, *, account: str, principal: str, action: str, resources: Iterable[str],
              code: str, status: int) -> None:
    """Raise the service's AccessDenied error unless ``principal`` may perform ``action`` on every resource.

    The account root is allowed everything, as on AWS (no SCPs here)."""
    if not principal or principal.endswith(":root"):
        return
    for resource in resources:
        decision = permissions.allowed(account, principal, action, resource)
        if not decision.allowed:
            raise ServiceError(denied_message(principal, action, resource, decision), code=code, status=status)

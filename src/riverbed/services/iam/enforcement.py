"""The ``--iam`` setting applied to execution roles: what Lambda and the trigger engine may rely on.

Owns: the three modes.  ``enforce`` (the default) checks every role riverbed knows and lets a role
it has never seen pass, with one warning per role in the log, so that quick experiments with a
made-up ARN keep working; ``strict`` refuses unknown roles as AWS does; ``off`` checks nothing.
Implements :class:`~riverbed.core.interfaces.RoleGuard` over IAM's
:class:`~riverbed.core.interfaces.Permissions`.

Must not: word service errors (Lambda and the triggers do, in their own texts) or evaluate policies
itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from riverbed.core.authorization import owner_of
from riverbed.core.interfaces import Permissions

log = logging.getLogger("riverbed.iam")
MODES = ("enforce", "strict", "off")
LAMBDA_PRINCIPAL = "lambda.amazonaws.com"


class RoleEnforcement:
    def __init__(self, permissions: Permissions, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"iam mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.permissions = permissions
        self.mode = mode
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        # The resource policy of an ARN, by the ARN's service ("dynamodb", "sqs", "sns"; set by the app): a
        # stream or destination of another account is usable only when its policy allows the role too.
        self.resource_policies: dict[str, Callable[[str], str | None]] = {}

    def _known(self, account: str, role_arn: str) -> bool | None:
        """True for a known role, None for an unknown one that passes (enforce), False when it must not."""
        if self.permissions.role(account, role_arn) is not None:
            return True
        if self.mode == "strict":
            return False
        with self._lock:
            first = role_arn not in self._warned
            self._warned.add(role_arn)
        if first:
            log.warning("role %s does not exist in riverbed; accepted without permission checks "
                        "(RIVERBED_IAM=strict refuses it, as AWS does)", role_arn)
        return None

    def lambda_can_assume(self, account: str, role_arn: str) -> bool:
        if self.mode == "off":
            return True
        known = self._known(account, role_arn)
        if known is None:
            return True
        return known and self.permissions.trusts(account, role_arn, LAMBDA_PRINCIPAL, kind="Service")

    def missing_actions(self, account: str, role_arn: str, actions: Sequence[str], resource: str) -> list[str]:
        if self.mode == "off":
            return []
        known = self._known(account, role_arn)
        if known is None:
            return []
        if not known:
            return list(actions)
        lookup = self.resource_policies.get(resource.split(":")[2] if resource.count(":") >= 5 else "")
        policy = lookup(resource) if lookup is not None else None
        owner = owner_of(resource) or account
        return [a for a in actions if not self.permissions.decide(role_arn, a, resource, resource_policy=policy,
                                                                  resource_owner=owner)[0].allowed]

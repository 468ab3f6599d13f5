"""The STS domain: callers and temporary credentials.

Owns: resolving an access key to its caller — an STS session (``sts-session`` documents, key id
``ASIA...``), an IAM user's key (asked of IAM through :class:`~riverbed.core.interfaces.Permissions`),
otherwise the account's root user — and issuing sessions: AssumeRole checks the role's trust policy
against the caller (root cannot assume roles: "Roles may not be assumed by root accounts") and the
requested duration against the role's MaxSessionDuration.

Must not: evaluate policies itself (IAM does, through the interface) or render wire shapes.
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from riverbed.core.context import RequestContext
from riverbed.core.interfaces import Permissions
from riverbed.errors import ServiceError

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store

_ID_CHARS = string.ascii_uppercase + "234567"
SESSION_KIND = "sts-session"


@dataclass(frozen=True)
class Caller:
    account: str
    arn: str
    user_id: str

    @property
    def is_root(self) -> bool:
        return self.arn.endswith(":root")


def access_denied(message: str) -> ServiceError:
    return ServiceError(message, code="AccessDenied", status=403)


def _random(alphabet: str, size: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(size))


class StsService:
    def __init__(self, store: Store, clock: Clock, permissions: Permissions) -> None:
        self.store = store
        self.clock = clock
        self.permissions = permissions

    def caller(self, account: str, access_key: str) -> Caller:
        session = self.session(access_key)
        if session is not None:
            return Caller(session["account"], session["arn"], session["user_id"])
        owner = self.permissions.access_key_owner(access_key)
        if owner is not None:
            return Caller(*owner)
        return Caller(account, f"arn:aws:iam::{account}:root", account)

    def session(self, access_key: str) -> dict[str, Any] | None:
        doc = self.store.get_doc(SESSION_KIND, access_key)
        if doc is None or doc["expires"] <= self.clock.now():
            return None
        return doc

    def assume_role(self, caller: Caller, role_arn: str, session_name: str, duration: int | None) -> dict[str, Any]:
        if caller.is_root:
            raise access_denied("Roles may not be assumed by root accounts")
        denied = access_denied(f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: "
                               f"{role_arn}")
        role = self.permissions.role(caller.account, role_arn)
        if role is None or not self.permissions.trusts(caller.account, role_arn, caller.arn):
            raise denied
        seconds = 3600 if duration is None else int(duration)
        if seconds > int(role["MaxSessionDuration"]):
            raise ServiceError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                               code="ValidationError", status=400)
        arn = f"arn:aws:sts::{caller.account}:assumed-role/{role['RoleName']}/{session_name}"
        return self._issue(caller.account, arn, f"{role['RoleId']}:{session_name}", seconds, role_arn=role_arn)

    def role_credentials(self, account: str, role_arn: str, session_name: str, seconds: int) -> tuple[str, str, str]:
        """A session of ``role_arn`` as a service assuming its own role gets it (Lambda for a function's
        workers): no caller, no trust check here.  The session belongs to ``account`` (Lambda refuses a
        role of another account: "Cross-account pass role is not allowed."), so a made-up role ARN that
        ``--iam enforce`` lets through, e.g. one copied from AWS's docs, still leaves the handler's calls in
        the function's account."""
        role = self.permissions.role(account, role_arn)
        name = role["RoleName"] if role else role_arn.rsplit("/", 1)[-1]
        role_id = role["RoleId"] if role else "AROA" + _random(_ID_CHARS, 17)
        arn = f"arn:aws:sts::{account}:assumed-role/{name}/{session_name}"
        issued = self._issue(account, arn, f"{role_id}:{session_name}", seconds, role_arn=role_arn)
        return issued["key_id"], issued["secret"], issued["token"]

    def identify(self, access_key: str) -> tuple[str, str] | None:
        """The account and principal of a key STS issued (``ASIA…``) or of an IAM user's key (``AKIA…``)."""
        if access_key.startswith("ASIA"):
            session = self.session(access_key)
            return (session["account"], session["arn"]) if session is not None else None
        if access_key.startswith("AKIA"):
            owner = self.permissions.access_key_owner(access_key)
            return (owner[0], owner[1]) if owner is not None else None
        return None

    def signing_secret(self, access_key: str) -> tuple[str, str, bool] | None:
        if access_key.startswith("ASIA"):
            doc = self.store.get_doc(SESSION_KIND, access_key)
            if doc is None:
                return None
            return doc["secret"], doc["token"], doc["expires"] <= self.clock.now()
        if access_key.startswith("AKIA"):
            secret = self.permissions.access_key_secret(access_key)
            return (secret, "", False) if secret is not None else None
        return None

    def session_token(self, caller: Caller, duration: int | None) -> dict[str, Any]:
        seconds = 43200 if duration is None else int(duration)
        return self._issue(caller.account, caller.arn, caller.user_id, seconds)

    def _issue(self, account: str, arn: str, user_id: str, seconds: int, role_arn: str = "") -> dict[str, Any]:
        key_id = "ASIA" + _random(_ID_CHARS, 16)
        doc = {"account": account, "arn": arn, "user_id": user_id, "role_arn": role_arn,
               "expires": self.clock.now() + seconds,
               "secret": _random(string.ascii_letters + string.digits + "/+", 40),
               "token": _random(string.ascii_letters + string.digits + "/+", 356)}
        self.store.put_doc(SESSION_KIND, key_id, doc)
        return dict(doc, key_id=key_id)


StsContext = RequestContext[StsService]

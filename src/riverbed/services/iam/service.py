"""The IAM domain: roles, users, inline and managed policies, access keys, and the permission decision.

Owns: IAM's state per account (IAM is global: no region in any key), kept as store documents —
``iam-role`` / ``iam-user`` under ``ACCOUNT/lowercased-name`` (names are unique case-insensitively),
``iam-policy`` under ``ACCOUNT/ARN`` with its versions, ``iam-access-key`` under the key id — and the
:class:`~riverbed.core.interfaces.Permissions` other components call: a role's trust, and the
decision for a user, role or role session (its inline and attached policies, its permissions
boundary, the resource's policy if the caller hands one over).

Must not: render wire shapes (operations do), or know the ``--iam`` mode (``enforcement`` does).
"""

from __future__ import annotations

import functools
import json
import secrets
import string
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from riverbed.core.context import RequestContext
from riverbed.core.policy import (
    Decision,
    PolicyError,
    RequestFacts,
    Statement,
    evaluate,
    evaluate_with_reason,
    parse_policy,
)
from riverbed.core.policy.documents import Kind
from riverbed.core.policy.evaluate import principal_allowed
from riverbed.services.iam import errors
from riverbed.services.iam.managed import BY_ARN, ManagedPolicy

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store

ENTITY_KINDS = {"role": "iam-role", "user": "iam-user"}
ID_PREFIXES = {"role": "AROA", "user": "AIDA", "policy": "ANPA", "key": "AKIA"}
MAX_VERSIONS = 5
_ID_CHARS = string.ascii_uppercase + "234567"


def new_id(kind: str) -> str:
    """An IAM unique id as AWS's look: the kind's prefix, then 17 characters (16 for access key ids)."""
    return ID_PREFIXES[kind] + "".join(secrets.choice(_ID_CHARS) for _ in range(16 if kind == "key" else 17))


def check_document(text: str, kind: Kind) -> str:
    """``text`` when IAM would accept it as a ``kind`` policy; MalformedPolicyDocument with IAM's text otherwise."""
    try:
        parse_policy(text, kind)
    except PolicyError as exc:
        raise errors.malformed(exc.message) from None
    return text


def normalise_path(path: Any) -> str:
    text = "/" if path in (None, "") else str(path)
    if not (text.startswith("/") and text.endswith("/")):
        raise errors.validation("The specified value for path is invalid. It must begin and end with / and contain "
                                "only alphanumeric characters and/or / characters.")
    return text


class IamService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # --- roles and users (entities with policies) ---------------------------------------------------
    def entity(self, account: str, kind: str, name: str) -> dict[str, Any]:
        doc = self.store.get_doc(ENTITY_KINDS[kind], f"{account}/{name.lower()}")
        if doc is None:
            raise errors.no_such_entity(f"The {kind} with name {name} cannot be found.")
        return doc

    def find_entity(self, account: str, kind: str, name: str) -> dict[str, Any] | None:
        return self.store.get_doc(ENTITY_KINDS[kind], f"{account}/{name.lower()}")

    def save_entity(self, account: str, kind: str, doc: dict[str, Any]) -> None:
        name = doc["RoleName"] if kind == "role" else doc["UserName"]
        self.store.put_doc(ENTITY_KINDS[kind], f"{account}/{name.lower()}", doc)

    def entities(self, account: str, kind: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.store.list_docs(ENTITY_KINDS[kind], f"{account}/")]

    def create_entity(self, account: str, kind: str, name: str, path: Any, fields: dict[str, Any]) -> dict[str, Any]:
        if self.find_entity(account, kind, name) is not None:
            raise errors.already_exists(f"{kind.capitalize()} with name {name} already exists.")
        clean_path = normalise_path(path)
        label = "Role" if kind == "role" else "User"
        doc = {f"{label}Name": name, f"{label}Id": new_id(kind), "Path": clean_path,
               "Arn": f"arn:aws:iam::{account}:{kind}{clean_path}{name}", "CreateDate": self.clock.now(),
               "inline": {}, "attached": [], **fields}
        self.save_entity(account, kind, doc)
        return doc

    def delete_entity(self, account: str, kind: str, name: str) -> None:
        doc = self.entity(account, kind, name)
        if doc["inline"]:
            raise errors.delete_conflict(errors.DELETE_CONFLICT_POLICIES)
        if doc["attached"]:
            raise errors.delete_conflict(errors.DELETE_CONFLICT_ATTACHED)
        if kind == "user" and self.access_keys(account, name):
            raise errors.delete_conflict(errors.DELETE_CONFLICT_KEYS)
        self.store.delete_doc(ENTITY_KINDS[kind], f"{account}/{name.lower()}")

    def put_inline(self, account: str, kind: str, name: str, policy_name: str, document: str) -> None:
        doc = self.entity(account, kind, name)
        doc["inline"][policy_name] = check_document(document, "identity")
        self.save_entity(account, kind, doc)

    def inline(self, account: str, kind: str, name: str, policy_name: str) -> str:
        text = self.entity(account, kind, name)["inline"].get(policy_name)
        if text is None:
            raise errors.no_such_entity(f"The {kind} policy with name {policy_name} cannot be found.")
        return str(text)

    def delete_inline(self, account: str, kind: str, name: str, policy_name: str) -> None:
        doc = self.entity(account, kind, name)
        if doc["inline"].pop(policy_name, None) is None:
            raise errors.no_such_entity(f"The {kind} policy with name {policy_name} cannot be found.")
        self.save_entity(account, kind, doc)

    def attach(self, account: str, kind: str, name: str, policy_arn: str) -> None:
        doc = self.entity(account, kind, name)
        check_policy_arn(policy_arn)
        if self.find_policy(account, policy_arn) is None:
            raise errors.no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")
        if policy_arn not in doc["attached"]:
            doc["attached"].append(policy_arn)
            self.save_entity(account, kind, doc)

    def detach(self, account: str, kind: str, name: str, policy_arn: str) -> None:
        doc = self.entity(account, kind, name)
        check_policy_arn(policy_arn)
        if policy_arn not in doc["attached"]:
            raise errors.no_such_entity(f"Policy {policy_arn} was not found.")
        doc["attached"].remove(policy_arn)
        self.save_entity(account, kind, doc)

    # --- managed policies ----------------------------------------------------------------------------
    def find_policy(self, account: str, arn: str) -> dict[str, Any] | None:
        """A customer-managed policy document, or an AWS managed policy in the same shape."""
        managed = BY_ARN.get(arn)
        if managed is not None:
            return _managed_doc(managed)
        return self.store.get_doc("iam-policy", f"{account}/{arn}")

    def policy(self, account: str, arn: str) -> dict[str, Any]:
        check_policy_arn(arn)
        doc = self.find_policy(account, arn)
        if doc is None:
            raise errors.no_such_entity(f"Policy {arn} was not found.")
        return doc

    def policies(self, account: str, scope: str = "All") -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if scope in ("All", "AWS"):
            out += [_managed_doc(p) for p in BY_ARN.values()]
        if scope in ("All", "Local"):
            out += [doc for _, doc in self.store.list_docs("iam-policy", f"{account}/")]
        return out

    def create_policy(self, account: str, name: str, path: Any, document: str, description: str,
                      tags: list[dict[str, str]]) -> dict[str, Any]:
        clean_path = normalise_path(path)
        check_document(document, "identity")
        arn = f"arn:aws:iam::{account}:policy{clean_path}{name}"
        if self.store.get_doc("iam-policy", f"{account}/{arn}") is not None:
            raise errors.already_exists(f"A policy called {name} already exists. Duplicate names are not allowed.")
        now = self.clock.now()
        doc = {"PolicyName": name, "PolicyId": new_id("policy"), "Arn": arn, "Path": clean_path,
               "Description": description, "CreateDate": now, "UpdateDate": now, "DefaultVersionId": "v1",
               "Tags": tags, "versions": {"v1": {"Document": document, "CreateDate": now}}, "next_version": 2}
        self.store.put_doc("iam-policy", f"{account}/{arn}", doc)
        return doc

    def customer_policy(self, account: str, arn: str) -> dict[str, Any]:
        doc = self.policy(account, arn)
        if arn in BY_ARN:
            raise errors.invalid_input(f"Policy {arn} is an AWS managed policy and cannot be changed.")
        return doc

    def save_policy(self, account: str, doc: dict[str, Any]) -> None:
        self.store.put_doc("iam-policy", f"{account}/{doc['Arn']}", doc)

    def create_version(self, account: str, arn: str, document: str, set_default: bool) -> tuple[str, dict[str, Any]]:
        doc = self.customer_policy(account, arn)
        check_document(document, "identity")
        if len(doc["versions"]) >= MAX_VERSIONS:
            raise errors.limit_exceeded(errors.VERSIONS_LIMIT)
        version = f"v{doc['next_version']}"
        now = self.clock.now()
        doc["versions"][version] = {"Document": document, "CreateDate": now}
        doc["next_version"] += 1
        if set_default:
            doc["DefaultVersionId"] = version
        doc["UpdateDate"] = now
        self.save_policy(account, doc)
        return version, doc

    def version(self, account: str, arn: str, version: str) -> dict[str, Any]:
        doc = self.policy(account, arn)
        found = doc["versions"].get(version)
        if found is None:
            raise errors.no_such_entity(f"Policy {arn} version {version} does not exist or is not attachable.")
        return dict(found, VersionId=version, IsDefaultVersion=version == doc["DefaultVersionId"])

    def set_default_version(self, account: str, arn: str, version: str) -> None:
        doc = self.customer_policy(account, arn)
        if version not in doc["versions"]:
            raise errors.no_such_entity(f"Policy {arn} version {version} does not exist or is not attachable.")
        doc["DefaultVersionId"] = version
        self.save_policy(account, doc)

    def delete_version(self, account: str, arn: str, version: str) -> None:
        doc = self.customer_policy(account, arn)
        if version not in doc["versions"]:
            raise errors.no_such_entity(f"Policy {arn} version {version} does not exist or is not attachable.")
        if version == doc["DefaultVersionId"]:
            raise errors.delete_conflict(errors.DELETE_CONFLICT_DEFAULT_VERSION)
        del doc["versions"][version]
        self.save_policy(account, doc)

    def delete_policy(self, account: str, arn: str) -> None:
        self.customer_policy(account, arn)
        if self.attachment_count(account, arn):
            raise errors.delete_conflict(errors.DELETE_CONFLICT_POLICY)
        self.store.delete_doc("iam-policy", f"{account}/{arn}")

    def attachment_count(self, account: str, arn: str) -> int:
        return sum(arn in doc["attached"] for kind in ENTITY_KINDS for doc in self.entities(account, kind))

    # --- access keys -------------------------------------------------------------------------------------
    def access_keys(self, account: str, user: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.store.list_docs("iam-access-key") if doc["account"] == account
                and doc["UserName"].lower() == user.lower()]

    def create_access_key(self, account: str, user: str) -> dict[str, Any]:
        entity = self.entity(account, "user", user)
        if len(self.access_keys(account, user)) >= 2:
            raise errors.limit_exceeded("Cannot exceed quota for AccessKeysPerUser: 2")
        key = {"UserName": entity["UserName"], "AccessKeyId": new_id("key"), "Status": "Active",
               "SecretAccessKey": secrets.token_urlsafe(30)[:40], "CreateDate": self.clock.now(), "account": account}
        self.store.put_doc("iam-access-key", key["AccessKeyId"], key)
        return key

    def delete_access_key(self, account: str, user: str, key_id: str) -> None:
        doc = self.store.get_doc("iam-access-key", key_id)
        if doc is None or doc["account"] != account or doc["UserName"].lower() != user.lower():
            raise errors.no_such_entity(f"The Access Key with id {key_id} cannot be found.")
        self.store.delete_doc("iam-access-key", key_id)

    # --- Permissions (the interface other components call) ------------------------------------------------
    def role(self, account: str, role_arn: str) -> dict[str, Any] | None:
        parts = role_arn.split(":", 5)
        if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
            return None
        doc = self.find_entity(parts[4], "role", parts[5].rsplit("/", 1)[-1])
        if doc is None or doc["Arn"] != role_arn or parts[4] != account:
            return None
        return doc

    def trusts(self, account: str, role_arn: str, principal: str, *, kind: str = "AWS") -> bool:
        doc = self.role(account, role_arn)
        if doc is None:
            return False
        trust = parse_policy(doc["AssumeRolePolicyDocument"], "trust")
        return principal_allowed(trust, principal, kind=kind, context=self._global_context(principal))

    def allowed(self, account: str, principal_arn: str, action: str, resource: str,
                context: Mapping[str, Any] | None = None) -> Decision:
        parts = principal_arn.split(":", 5)
        if len(parts) != 6:
            return Decision.IMPLICIT_DENY
        if parts[5] == "root":
            return Decision.ALLOWED
        entity = self._principal_entity(parts)
        if entity is None:
            return Decision.IMPLICIT_DENY
        kind, doc = entity
        facts_context = {**self._global_context(principal_arn), **(context or {})}
        if kind == "user":
            facts_context.setdefault("aws:username", doc["UserName"])
            facts_context.setdefault("aws:userid", doc["UserId"])
        identity = list(self._identity_policies(parts[4], doc))
        boundary = None
        if doc.get("PermissionsBoundary"):
            boundary = [self._managed_statements(parts[4], doc["PermissionsBoundary"]["PermissionsBoundaryArn"])]
        facts = RequestFacts(action, resource, principal=principal_arn, context=facts_context)
        return evaluate(identity, facts, boundary=boundary)

    def decide(self, principal_arn: str, action: str, resource: str, *, resource_policy: str | None = None,
               resource_owner: str = "", context: Mapping[str, Any] | None = None) -> tuple[Decision, str]:
        parts = principal_arn.split(":", 5)
        if len(parts) != 6:
            return Decision.IMPLICIT_DENY, "identity-based"
        facts_context = {**self._global_context(principal_arn), **(context or {})}
        identity: list[list[Statement]] = []
        boundary = None
        if parts[5] == "root":
            identity = [list(_ROOT)]      # the account's root may do everything its account may
        else:
            entity = self._principal_entity(parts)
            if entity is not None:
                kind, doc = entity
                if kind == "user":
                    facts_context.setdefault("aws:username", doc["UserName"])
                    facts_context.setdefault("aws:userid", doc["UserId"])
                identity = list(self._identity_policies(parts[4], doc))
                if doc.get("PermissionsBoundary"):
                    boundary_arn = doc["PermissionsBoundary"]["PermissionsBoundaryArn"]
                    boundary = [self._managed_statements(parts[4], boundary_arn)]
        resource_statements = _resource_statements(resource_policy) if resource_policy else ()
        facts = RequestFacts(action, resource, principal=principal_arn, context=facts_context)
        cross = bool(resource_owner) and resource_owner != parts[4]
        return evaluate_with_reason(identity, facts, [resource_statements] if resource_statements else (),
                                    boundary, cross_account=cross)

    def access_key_owner(self, access_key: str) -> tuple[str, str, str] | None:
        doc = self.store.get_doc("iam-access-key", access_key)
        if doc is None or doc["Status"] != "Active":
            return None
        user = self.find_entity(doc["account"], "user", doc["UserName"])
        if user is None:
            return None
        return doc["account"], user["Arn"], user["UserId"]

    def access_key_secret(self, access_key: str) -> str | None:
        doc = self.store.get_doc("iam-access-key", access_key)
        if doc is None or doc["Status"] != "Active":
            return None
        return str(doc["SecretAccessKey"])

    def _principal_entity(self, parts: list[str]) -> tuple[str, dict[str, Any]] | None:
        account, resource = parts[4], parts[5]
        if parts[2] == "sts" and resource.startswith("assumed-role/"):
            doc = self.find_entity(account, "role", resource.split("/")[1])
            return ("role", doc) if doc is not None else None
        if parts[2] == "iam" and resource.startswith(("role/", "user/")):
            kind = resource.split("/", 1)[0]
            doc = self.find_entity(account, kind, resource.rsplit("/", 1)[-1])
            if doc is not None and doc["Arn"] == ":".join(parts):
                return kind, doc
        return None

    def _identity_policies(self, account: str, doc: dict[str, Any]) -> Iterator[list[Statement]]:
        for text in doc["inline"].values():
            yield parse_policy(text, "identity")
        for arn in doc["attached"]:
            yield self._managed_statements(account, arn)

    def _managed_statements(self, account: str, arn: str) -> list[Statement]:
        policy = self.find_policy(account, arn)
        if policy is None:
            return []
        return parse_policy(policy["versions"][policy["DefaultVersionId"]]["Document"], "identity")

    def _global_context(self, principal_arn: str) -> dict[str, Any]:
        now = self.clock.now()
        parts = principal_arn.split(":")
        return {"aws:PrincipalArn": principal_arn, "aws:PrincipalAccount": parts[4] if len(parts) > 4 else "",
                "aws:CurrentTime": now, "aws:EpochTime": int(now)}

    def reset(self) -> None:
        """Nothing cached in memory: the store's reset drops every document."""


_ROOT = parse_policy({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@functools.lru_cache(maxsize=512)
def _resource_statements(text: str) -> tuple[Statement, ...]:
    """A resource's policy as statements (cached: it is read on every request that names the resource); a
    document that does not parse (an SQS Policy attribute is stored as given) grants nothing."""
    try:
        return tuple(parse_policy(text, "resource"))
    except PolicyError:
        return ()


def check_policy_arn(arn: str) -> None:
    if not arn.startswith("arn:") or len(arn.split(":", 5)) != 6:
        raise errors.validation(errors.BAD_ARN)


def _managed_doc(policy: ManagedPolicy) -> dict[str, Any]:
    return {"PolicyName": policy.name, "PolicyId": policy.policy_id, "Arn": policy.arn, "Path": policy.path,
            "Description": policy.description, "CreateDate": policy.created, "UpdateDate": policy.created,
            "DefaultVersionId": "v1", "Tags": [], "aws": True,
            "versions": {"v1": {"Document": json.dumps(policy.document), "CreateDate": policy.created}}}


IamContext = RequestContext[IamService]

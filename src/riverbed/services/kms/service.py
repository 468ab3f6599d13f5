"""The KMS domain: keys, aliases, key policies, key states, and encryption under a key.

Owns: keys per account and region (store documents ``kms-key`` under ``ACCOUNT/REGION/KEY_ID``,
``kms-alias`` under ``ACCOUNT/REGION/alias/NAME``), resolving a KeyId given as an id, key ARN, alias
name or alias ARN (AWS's NotFoundException texts), the state rules (a Disabled key answers
DisabledException, a key pending deletion KMSInvalidStateException; CancelKeyDeletion leaves the key
Disabled), AWS managed keys created on first use of ``alias/aws/<service>``, and the key policy
(validated as a resource policy).

Must not: render wire shapes (operations do) or do cryptography itself (``ciphertext`` does).
https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
"""

from __future__ import annotations

import json
import os
import re
import uuid
from typing import TYPE_CHECKING, Any

from riverbed.core.context import RequestContext
from riverbed.core.policy import PolicyError, parse_policy
from riverbed.errors import ServiceError
from riverbed.services.kms import ciphertext, errors

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store

KEY_KIND, ALIAS_KIND = "kms-key", "kms-alias"
DAY = 86400.0
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# What AWS names the keys it creates for its services on first use.
MANAGED_DESCRIPTIONS = {
    "dynamodb": "Default master key that protects my DynamoDB data when no other key is defined",
    "lambda": "Default master key that protects my Lambda functions when no other key is defined",
    "sqs": "Default master key that protects my SQS messages when no other key is defined",
    "sns": "Default master key that protects my SNS data when no other key is defined",
}


def default_policy(account: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"}]}, indent=2)


class KmsService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # --- keys ------------------------------------------------------------------------------------------
    def create_key(self, account: str, region: str, description: str = "", policy: str | None = None,
                   tags: list[dict[str, str]] | None = None, manager: str = "CUSTOMER") -> dict[str, Any]:
        key_id = str(uuid.uuid4())
        text = self.check_policy(policy) if policy else default_policy(account)
        doc = {"KeyId": key_id, "Arn": f"arn:aws:kms:{region}:{account}:key/{key_id}", "AWSAccountId": account,
               "CreationDate": self.clock.now(), "Description": description, "KeyManager": manager,
               "KeyState": "Enabled", "Tags": list(tags or []), "Policy": text,
               "material": os.urandom(32).hex(), "material_id": os.urandom(32).hex()}
        self.save(account, region, doc)
        return doc

    def save(self, account: str, region: str, doc: dict[str, Any]) -> None:
        self.store.put_doc(KEY_KIND, f"{account}/{region}/{doc['KeyId']}", doc)

    def keys(self, account: str, region: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.store.list_docs(KEY_KIND, f"{account}/{region}/")]

    def key(self, account: str, region: str, key_ref: str) -> dict[str, Any]:
        """The key a KeyId designates (id, key ARN, alias name or alias ARN), or NotFoundException."""
        ref = str(key_ref)
        if ref.startswith("arn:"):
            parts = ref.split(":", 5)
            if len(parts) != 6 or parts[2] != "kms":
                raise errors.not_found(f"Invalid arn {ref}")
            if parts[5].startswith("alias/"):
                return self._by_alias(parts[4], parts[3], parts[5])
            if parts[3] != region:
                raise errors.key_not_found(ref)
            # Another account's key by its ARN: reachable when its key policy allows the caller (decided by
            # the gateway before the operation runs, as for every cross-account request).
            account = parts[4]
            key_id = parts[5].removeprefix("key/")
        elif ref.startswith("alias/"):
            return self._by_alias(account, region, ref)
        else:
            key_id = ref
        if not _UUID.match(key_id):
            raise errors.invalid_key_id(key_id)
        doc = self.store.get_doc(KEY_KIND, f"{account}/{region}/{key_id}")
        if doc is None:
            raise errors.key_not_found(f"arn:aws:kms:{region}:{account}:key/{key_id}")
        return doc

    def _by_alias(self, account: str, region: str, alias: str) -> dict[str, Any]:
        found = self.store.get_doc(ALIAS_KIND, f"{account}/{region}/{alias}")
        if found is None and alias.startswith("alias/aws/"):
            found = self._managed_alias(account, region, alias)
        if found is None:
            raise errors.not_found(f"Alias arn:aws:kms:{region}:{account}:{alias} is not found.")
        return self.key(account, region, found["TargetKeyId"])

    def _managed_alias(self, account: str, region: str, alias: str) -> dict[str, Any] | None:
        """AWS creates ``alias/aws/<service>`` and its key the first time the service needs it."""
        service = alias.removeprefix("alias/aws/")
        if service not in MANAGED_DESCRIPTIONS:
            return None
        key = self.create_key(account, region, MANAGED_DESCRIPTIONS[service], manager="AWS")
        return self.put_alias(account, region, alias, key)

    def key_state(self, key_arn: str) -> str | None:
        """KeyStates (for DynamoDB's encrypted tables): the state of the key an ARN names, None if unknown."""
        parts = key_arn.split(":", 5)
        if len(parts) != 6:
            return None
        try:
            return str(self.key(parts[4], parts[3], key_arn)["KeyState"])
        except ServiceError:
            return None

    def resource_policy(self, key_arn: str) -> str | None:
        """The key policy of the key an ARN names (the gateway's lookup for requests from other accounts)."""
        parts = key_arn.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("key/"):
            return None
        try:
            return str(self.key(parts[4], parts[3], key_arn).get("Policy") or "") or None
        except ServiceError:
            return None

    def usable(self, doc: dict[str, Any]) -> dict[str, Any]:
        """``doc`` when it may encrypt and decrypt now; DisabledException / KMSInvalidStateException otherwise."""
        state = doc["KeyState"]
        if state == "Disabled":
            raise errors.disabled(doc["Arn"])
        if state == "PendingDeletion":
            raise errors.invalid_state(f"{doc['Arn']} is pending deletion.")
        return doc

    def set_enabled(self, account: str, region: str, key_ref: str, enabled: bool) -> None:
        doc = self.key(account, region, key_ref)
        if doc["KeyState"] == "PendingDeletion":
            raise errors.invalid_state(f"{doc['Arn']} is pending deletion.")
        doc["KeyState"] = "Enabled" if enabled else "Disabled"
        self.save(account, region, doc)

    def schedule_deletion(self, account: str, region: str, key_ref: str, days: int) -> dict[str, Any]:
        doc = self.key(account, region, key_ref)
        if not 7 <= days <= 30:
            raise errors.validation(f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed "
                                    "to satisfy constraint: Member must have value between 7 and 30")
        if doc["KeyState"] == "PendingDeletion":
            raise errors.invalid_state(f"{doc['Arn']} is pending deletion.")
        doc.update(KeyState="PendingDeletion", DeletionDate=self.clock.now() + days * DAY, PendingWindowInDays=days)
        self.save(account, region, doc)
        return doc

    def cancel_deletion(self, account: str, region: str, key_ref: str) -> dict[str, Any]:
        doc = self.key(account, region, key_ref)
        if doc["KeyState"] != "PendingDeletion":
            raise errors.invalid_state(f"{doc['Arn']} is not pending deletion.")
        doc["KeyState"] = "Disabled"   # as on AWS: a cancelled deletion leaves the key disabled
        doc.pop("DeletionDate", None)
        doc.pop("PendingWindowInDays", None)
        self.save(account, region, doc)
        return doc

    def check_policy(self, text: str) -> str:
        try:
            parse_policy(text, "resource")
        except PolicyError as exc:
            raise errors.malformed_policy(exc.message) from None
        return text

    # --- aliases -------------------------------------------------------------------------------------------
    def put_alias(self, account: str, region: str, alias: str, key: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        doc = {"AliasName": alias, "AliasArn": f"arn:aws:kms:{region}:{account}:{alias}",
               "TargetKeyId": key["KeyId"], "CreationDate": now, "LastUpdatedDate": now}
        self.store.put_doc(ALIAS_KIND, f"{account}/{region}/{alias}", doc)
        return doc

    def create_alias(self, account: str, region: str, alias: str, target: str) -> None:
        if not alias.startswith("alias/"):
            raise errors.validation('Alias must start with the prefix "alias/". Please see '
                                    "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
        if self.store.get_doc(ALIAS_KIND, f"{account}/{region}/{alias}") is not None:
            raise errors.already_exists(f"An alias with the name arn:aws:kms:{region}:{account}:{alias} "
                                        "already exists")
        self.put_alias(account, region, alias, self.key(account, region, target))

    def delete_alias(self, account: str, region: str, alias: str) -> None:
        if self.store.get_doc(ALIAS_KIND, f"{account}/{region}/{alias}") is None:
            raise errors.not_found(f"Alias arn:aws:kms:{region}:{account}:{alias} is not found.")
        self.store.delete_doc(ALIAS_KIND, f"{account}/{region}/{alias}")

    def aliases(self, account: str, region: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.store.list_docs(ALIAS_KIND, f"{account}/{region}/")]

    # --- cryptography --------------------------------------------------------------------------------------
    def encrypt(self, account: str, region: str, key_ref: str, plaintext: bytes,
                context: dict[str, Any] | None) -> tuple[dict[str, Any], bytes]:
        key = self.usable(self.key(account, region, key_ref))
        return key, ciphertext.seal(bytes.fromhex(key["material"]), key["KeyId"], plaintext, context)

    def decrypt(self, account: str, region: str, blob: bytes, context: dict[str, Any] | None,
                key_ref: str | None = None) -> tuple[dict[str, Any], bytes]:
        try:
            key_id = ciphertext.key_id_of(blob)
        except ciphertext.BadCiphertext:
            raise errors.invalid_ciphertext() from None
        if not _UUID.match(key_id):
            raise errors.invalid_ciphertext()
        key = self.key(account, region, key_id)
        if key_ref is not None and self.key(account, region, key_ref)["KeyId"] != key["KeyId"]:
            raise errors.incorrect_key()
        self.usable(key)
        try:
            return key, ciphertext.open_blob(bytes.fromhex(key["material"]), blob, context)
        except ciphertext.BadCiphertext:
            raise errors.invalid_ciphertext() from None


KmsContext = RequestContext[KmsService]

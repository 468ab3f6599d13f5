"""KMS's operation table: every action riverbed serves, by its AWS name."""

from __future__ import annotations

from riverbed.core.service import Operation
from riverbed.services.kms.operations import aliases, crypto, keys

OPERATIONS: dict[str, Operation] = {
    "CreateKey": keys.create_key,
    "DescribeKey": keys.describe_key,
    "ListKeys": keys.list_keys,
    "EnableKey": keys.enable_key,
    "DisableKey": keys.disable_key,
    "ScheduleKeyDeletion": keys.schedule_key_deletion,
    "CancelKeyDeletion": keys.cancel_key_deletion,
    "GetKeyPolicy": keys.get_key_policy,
    "PutKeyPolicy": keys.put_key_policy,
    "CreateAlias": aliases.create_alias,
    "ListAliases": aliases.list_aliases,
    "DeleteAlias": aliases.delete_alias,
    "Encrypt": crypto.encrypt,
    "Decrypt": crypto.decrypt,
    "ReEncrypt": crypto.re_encrypt,
    "GenerateDataKey": crypto.generate_data_key,
    "GenerateDataKeyWithoutPlaintext": crypto.generate_data_key_without_plaintext,
}

"""KMS through boto3: keys, states, aliases, key policies, Encrypt/Decrypt/ReEncrypt/GenerateDataKey with
encryption context, AWS managed aliases.  Texts as recorded from AWS (kms snapshot) and spec/iam.md."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import REGION, make_client

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def kms(endpoint):
    return make_client(endpoint, "kms")


@pytest.fixture
def key(kms):
    return kms.create_key(Description="test key 123")["KeyMetadata"]


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def test_create_and_describe_a_symmetric_key(kms, key):
    assert key["Arn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key['KeyId']}"
    assert (key["KeyState"], key["Enabled"], key["KeyManager"], key["KeySpec"], key["KeyUsage"], key["Origin"]) == (
        "Enabled", True, "CUSTOMER", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS")
    assert kms.describe_key(KeyId=key["Arn"])["KeyMetadata"]["Description"] == "test key 123"
    assert {"KeyId": key["KeyId"], "KeyArn": key["Arn"]} in kms.list_keys(Limit=1000)["Keys"]
    policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def test_unknown_and_malformed_key_ids(kms):
    missing = str(uuid.uuid4())
    with pytest.raises(ClientError) as exc:
        kms.describe_key(KeyId=missing)
    assert _error(exc) == ("NotFoundException", f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist")
    with pytest.raises(ClientError) as exc:
        kms.describe_key(KeyId="fake-key-id")
    assert _error(exc) == ("NotFoundException", "Invalid keyId 'fake-key-id'")


def test_keys_are_regional(endpoint, key):
    with pytest.raises(ClientError) as exc:
        make_client(endpoint, "kms", "eu-west-1").describe_key(KeyId=key["KeyId"])
    assert _error(exc)[0] == "NotFoundException"


def test_encrypt_decrypt_with_context(kms, key):
    context = {"table": "orders"}
    encrypted = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret", EncryptionContext=context)
    assert encrypted["KeyId"] == key["Arn"] and encrypted["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    blob = encrypted["CiphertextBlob"]
    decrypted = kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)
    assert decrypted["Plaintext"] == b"secret" and decrypted["KeyId"] == key["Arn"]
    for wrong in ({}, {"table": "other"}):
        with pytest.raises(ClientError) as exc:
            kms.decrypt(CiphertextBlob=blob, EncryptionContext=wrong)
        assert _error(exc) == ("InvalidCiphertextException", "")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=tampered, EncryptionContext=context)
    assert _error(exc) == ("InvalidCiphertextException", "")
    other = kms.create_key()["KeyMetadata"]
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=blob, EncryptionContext=context, KeyId=other["KeyId"])
    assert _error(exc) == ("IncorrectKeyException",
                           "The key ID in the request does not identify a CMK that can perform this operation.")
    again = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=context, DestinationKeyId=other["KeyId"])
    assert again["SourceKeyId"] == key["Arn"] and again["KeyId"] == other["Arn"]
    assert kms.decrypt(CiphertextBlob=again["CiphertextBlob"])["Plaintext"] == b"secret"


def test_generate_data_key(kms, key):
    data = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")
    assert len(data["Plaintext"]) == 32 and data["KeyId"] == key["Arn"]
    assert kms.decrypt(CiphertextBlob=data["CiphertextBlob"])["Plaintext"] == data["Plaintext"]
    bare = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], NumberOfBytes=16, EncryptionContext={"a": "b"})
    assert "Plaintext" not in bare
    assert len(kms.decrypt(CiphertextBlob=bare["CiphertextBlob"], EncryptionContext={"a": "b"})["Plaintext"]) == 16
    with pytest.raises(ClientError) as exc:
        kms.generate_data_key(KeyId=key["KeyId"])
    assert _error(exc)[0] == "ValidationException"


def test_disabled_and_pending_deletion_keys(kms, key):
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=blob)
    assert _error(exc) == ("DisabledException", f"{key['Arn']} is disabled.")
    kms.enable_key(KeyId=key["KeyId"])
    scheduled = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert scheduled["KeyState"] == "PendingDeletion" and scheduled["KeyId"] == key["Arn"]
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    assert _error(exc) == ("KMSInvalidStateException", f"{key['Arn']} is pending deletion.")
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_aliases(kms, key):
    alias = f"alias/test-{uuid.uuid4().hex[:8]}"
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    assert kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"] == key["KeyId"]
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:{alias}"
    assert kms.encrypt(KeyId=arn, Plaintext=b"x")["KeyId"] == key["Arn"]
    with pytest.raises(ClientError) as exc:
        kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    assert _error(exc) == ("AlreadyExistsException", f"An alias with the name {arn} already exists")
    with pytest.raises(ClientError) as exc:
        kms.create_alias(AliasName="no-prefix", TargetKeyId=key["KeyId"])
    assert _error(exc) == ("ValidationException", 'Alias must start with the prefix "alias/". Please see '
                           "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
    listed = kms.list_aliases(KeyId=key["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in listed] == [alias] and listed[0]["AliasArn"] == arn
    kms.delete_alias(AliasName=alias)
    with pytest.raises(ClientError) as exc:
        kms.describe_key(KeyId=alias)
    assert _error(exc) == ("NotFoundException", f"Alias {arn} is not found.")


def test_aws_managed_alias_is_created_on_first_use(kms):
    described = kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]
    assert described["KeyManager"] == "AWS"
    assert kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["KeyId"] == described["KeyId"]
    blob = kms.encrypt(KeyId="alias/aws/dynamodb", Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["KeyId"] == described["Arn"]


def test_key_policy_is_validated(kms, key):
    with pytest.raises(ClientError) as exc:
        kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy="{nope")
    assert exc.value.response["Error"]["Code"] == "MalformedPolicyDocumentException"
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
         "Resource": "*"}]})
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=policy)
    assert kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"] == policy


def test_only_symmetric_keys_are_served(kms):
    with pytest.raises(ClientError) as exc:
        kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    assert exc.value.response["Error"]["Code"] == "UnsupportedOperationException"

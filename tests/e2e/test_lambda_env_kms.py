"""Lambda environment variables encrypted with the function's KMSKeyArn (boto3 against a real server, a real
worker process): the handler sees the plaintext; a key that cannot encrypt is refused at CreateFunction; a key
disabled or scheduled for deletion afterwards refuses Invoke with Lambda's KMS exceptions, until it is usable
again."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client, zip_code

HANDLER = "import os\ndef handler(event, context):\n    return {'secret': os.environ.get('SECRET')}\n"
ROLE = "arn:aws:iam::000000000000:role/env-reader"


def zip_of(source: str) -> bytes:
    return zip_code(source)


def error(exc):
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def clients(endpoint, server):
    return make_client(endpoint, "lambda"), make_client(endpoint, "kms")


def create(lam, key_arn, name=None):
    name = name or f"env-{uuid.uuid4().hex[:8]}"
    return lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                               Code={"ZipFile": zip_of(HANDLER)}, KMSKeyArn=key_arn,
                               Environment={"Variables": {"SECRET": "s3cr3t"}})


def invoke(lam, name):
    return json.loads(lam.invoke(FunctionName=name)["Payload"].read())


def test_the_handler_sees_plaintext_and_a_disabled_key_stops_invocations(clients):
    lam, kms = clients
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    name = create(lam, key_arn)["FunctionName"]
    config = lam.get_function_configuration(FunctionName=name)
    assert config["KMSKeyArn"] == key_arn
    assert config["Environment"]["Variables"] == {"SECRET": "s3cr3t"}
    assert invoke(lam, name) == {"secret": "s3cr3t"}
    kms.disable_key(KeyId=key_arn)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name)
    code, message = error(exc)
    assert code == "KMSDisabledException" and exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert message.startswith("Lambda was unable to decrypt the environment variables because the KMS key used is "
                              "disabled.") and key_arn in message
    kms.enable_key(KeyId=key_arn)
    assert invoke(lam, name) == {"secret": "s3cr3t"}
    kms.schedule_key_deletion(KeyId=key_arn, PendingWindowInDays=7)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name)
    assert error(exc)[0] == "KMSInvalidStateException"
    kms.cancel_key_deletion(KeyId=key_arn)
    kms.enable_key(KeyId=key_arn)
    # Dropping the key: the variables are no longer sealed, the function runs whatever the key's state.
    lam.update_function_configuration(FunctionName=name, KMSKeyArn="")
    kms.disable_key(KeyId=key_arn)
    assert invoke(lam, name) == {"secret": "s3cr3t"}


def test_a_key_that_cannot_encrypt_is_refused_at_creation(clients):
    lam, kms = clients
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.disable_key(KeyId=key_arn)
    with pytest.raises(ClientError) as exc:
        create(lam, key_arn)
    code, message = error(exc)
    assert code == "InvalidParameterValueException"
    assert message.startswith("Lambda was unable to configure access to your environment variables because the "
                              "KMS key is invalid for CreateGrant. Please check your KMS key settings. KMS "
                              "Exception: DisabledException")
    unknown = key_arn.rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    with pytest.raises(ClientError) as exc:
        create(lam, unknown)
    assert error(exc)[0] == "InvalidParameterValueException" and "NotFoundException" in error(exc)[1]

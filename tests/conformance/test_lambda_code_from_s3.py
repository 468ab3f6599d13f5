"""Functions deployed from S3 (Code.S3Bucket/S3Key), as SAM, CDK and Terraform deploy them: boto3 only."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conformance.test_lambda_api import ROLE, zip_of
from tests.conftest import make_client


@pytest.fixture(scope="module")
def clients(endpoint):
    return make_client(endpoint, "s3"), make_client(endpoint, "lambda")


def test_create_and_update_from_s3_then_invoke(clients):
    s3, lam = clients
    bucket, name = f"code-{uuid.uuid4().hex[:10]}", f"fn-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    v1 = zip_of("def handler(event, context):\n    return {'v': 1, 'echo': event}\n")
    s3.put_object(Bucket=bucket, Key="build/v1.zip", Body=v1)
    created = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                                  Code={"S3Bucket": bucket, "S3Key": "build/v1.zip"})
    assert created["CodeSize"] == len(v1)
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    out = lam.invoke(FunctionName=name, Payload=json.dumps({"x": 1}))
    assert json.loads(out["Payload"].read()) == {"v": 1, "echo": {"x": 1}}

    s3.put_object(Bucket=bucket, Key="build/v2.zip", Body=zip_of("def handler(event, context):\n    return 2\n"))
    lam.update_function_code(FunctionName=name, S3Bucket=bucket, S3Key="build/v2.zip")
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()) == 2
    lam.delete_function(FunctionName=name)


def test_missing_code_object_is_worded_as_lambda_words_it(clients):
    s3, lam = clients
    bucket = f"code-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName=f"fn-{uuid.uuid4().hex[:10]}", Runtime="python3.12", Role=ROLE,
                            Handler="handler.handler", Code={"S3Bucket": bucket, "S3Key": "missing.zip"})
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert exc.value.response["Error"]["Message"] == ("Error occurred while GetObject. S3 Error Code: NoSuchKey. "
                                                      "S3 Error Message: The specified key does not exist.")
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName=f"fn-{uuid.uuid4().hex[:10]}", Runtime="python3.12", Role=ROLE,
                            Handler="handler.handler", Code={"S3Bucket": f"nope-{bucket}", "S3Key": "x.zip"})
    assert "S3 Error Code: NoSuchBucket" in exc.value.response["Error"]["Message"]

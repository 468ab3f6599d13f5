"""Zip checks, code storage, runtime and environment rules, policy statements."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile

import pytest

from riverbed.errors import InvalidParameterValueException, ServiceError
from riverbed.services.lambda_ import code, parameters, policy
from riverbed.storage import open_store


def a_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_check_zip_describes_code():
    data = a_zip({"h.py": b"x = 1\n"})
    described = code.check_zip(code.decode_zip_file(base64.b64encode(data).decode()))
    assert described.size == len(data)
    assert described.sha256_b64 == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert described.sha256_hex == hashlib.sha256(data).hexdigest()


def test_check_zip_rejections(monkeypatch):
    with pytest.raises(InvalidParameterValueException) as exc:
        code.check_zip(b"not a zip")
    assert exc.value.message == code.NOT_A_ZIP
    monkeypatch.setattr(code, "MAX_UNZIPPED_BYTES", 10)
    with pytest.raises(InvalidParameterValueException) as exc:
        code.check_zip(a_zip({"big.txt": b"0" * 100}))
    assert exc.value.message == "Unzipped size must be smaller than 10 bytes"
    monkeypatch.setattr(code, "MAX_ZIPPED_BYTES", 10)
    with pytest.raises(ServiceError) as exc:
        code.check_zip(a_zip({"big.txt": b"0" * 100}))
    assert (exc.value.code, exc.value.status) == ("RequestEntityTooLargeException", 413)


def test_code_store_round_trip():
    store = open_store("sqlite", None)
    codes = code.CodeStore(store)
    described = code.describe(a_zip({"h.py": b"y = 2\n"}))
    with store.transaction() as txn:
        codes.put(txn, described)
    codes.clear_cache()
    assert codes.get(described.sha256_hex) == described.zip_bytes
    with store.transaction() as txn:
        codes.drop_unreferenced(txn, described.sha256_hex, referenced=False)
    assert codes.get(described.sha256_hex) is None
    store.close()


@pytest.mark.parametrize("runtime, start", [
    ("PYTHON3.9", "Value PYTHON3.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set:"),
    ("go1.x", "The runtime parameter of go1.x is no longer supported"),
    ("nodejs20.x", "riverbed runs Python functions only: Runtime nodejs20.x is not supported."),
    ("java21", "riverbed runs Python functions only"),
])
def test_runtime_rules(runtime, start):
    with pytest.raises(InvalidParameterValueException) as exc:
        parameters.check_runtime(runtime)
    assert exc.value.message.startswith(start)


def test_python_runtimes_accepted():
    for runtime in ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13"):
        parameters.check_runtime(runtime)


def test_environment_rules():
    assert parameters.check_environment(None) is None
    assert parameters.check_environment({}) == {}
    assert parameters.check_environment({"Variables": {"AB": 1}}) == {"AB": "1"}
    with pytest.raises(InvalidParameterValueException) as exc:
        parameters.check_environment({"Variables": {"AWS_REGION": "x"}})
    assert exc.value.message.endswith("Reserved keys used in this request: AWS_REGION")
    with pytest.raises(InvalidParameterValueException) as exc:
        parameters.check_environment({"Variables": {"BIG": "x" * 4090}})
    assert exc.value.message.endswith('String measured: {"BIG":"' + "x" * 4090 + '"}')
    with pytest.raises(InvalidParameterValueException) as exc:
        parameters.check_layers(["arn:aws:lambda:us-east-1:000000000000:layer:l:1"])
    assert exc.value.message == "Layer version arn:aws:lambda:us-east-1:000000000000:layer:l:1 does not exist."


def test_policy_statements():
    request = {"StatementId": "all", "Action": "lambda:InvokeFunction", "Principal": "*",
               "SourceAccount": "111111111111", "FunctionUrlAuthType": "NONE", "PrincipalOrgID": "o-1234567890",
               "SourceArn": "arn:aws:s3:::b"}
    assert policy.statement(request, "arn:aws:lambda:us-east-1:111111111111:function:f") == {
        "Sid": "all", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
        "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
        "Condition": {"StringEquals": {"AWS:SourceAccount": "111111111111", "lambda:FunctionUrlAuthType": "NONE",
                                       "aws:PrincipalOrgID": "o-1234567890"},
                      "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"}}}
    assert policy.principal("111111111111") == {"AWS": "arn:aws:iam::111111111111:root"}
    assert policy.principal("arn:aws:iam::111111111111:user/u") == {"AWS": "arn:aws:iam::111111111111:user/u"}
    assert policy.principal("sns.amazonaws.com") == {"Service": "sns.amazonaws.com"}
    with pytest.raises(InvalidParameterValueException):
        policy.principal("invalid-principal")

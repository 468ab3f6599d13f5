"""``--auth sigv4``: every request's signature is verified (boto3 and the AWS CLI against a real server).

A wrong secret, a tampered body, a stale timestamp, an unknown key and a session without its token are
refused with AWS's errors; boto3, the AWS CLI, IAM user keys, STS session credentials and presigned
URLs are accepted.  The timestamps are checked against riverbed's (manual) clock.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import riverbed

pytestmark = pytest.mark.xdist_group("sigv4")


@pytest.fixture(scope="module")
def rb():
    # A manual clock started at the real time, so signatures made now are within the 5-minute skew.
    with riverbed.Riverbed(clock="manual", start=time.time(), auth="sigv4",
                           root_credentials="test:test,AKIDROOT2:s3cret:222222222222") as instance:
        yield instance


def client(rb, service, key="test", secret="test", token=None):
    return boto3.client(service, endpoint_url=rb.endpoint_url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(retries={"max_attempts": 1}))


def error(exc):
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your AWS "
                 "Secret Access Key and signing method. Consult the service documentation for details.")


def test_boto3_signed_requests_pass_and_root_keys_name_their_account(rb):
    assert "TableNames" in client(rb, "dynamodb").list_tables()
    assert client(rb, "sts").get_caller_identity()["Account"] == "000000000000"
    assert client(rb, "sts", "AKIDROOT2", "s3cret").get_caller_identity()["Account"] == "222222222222"
    assert client(rb, "sts", "333333333333").get_caller_identity()["Account"] == "333333333333"


def test_a_wrong_secret_is_refused(rb):
    with pytest.raises(ClientError) as exc:
        client(rb, "dynamodb", secret="wrong").list_tables()
    assert error(exc) == ("InvalidSignatureException", BAD_SIGNATURE)
    with pytest.raises(ClientError) as exc:
        client(rb, "sts", secret="wrong").get_caller_identity()
    assert error(exc) == ("SignatureDoesNotMatch", BAD_SIGNATURE)
    with pytest.raises(ClientError) as exc:
        client(rb, "dynamodb", key="AKIAUNKNOWNKEY000000").list_tables()
    assert error(exc) == ("UnrecognizedClientException", "The security token included in the request is invalid.")
    with pytest.raises(ClientError) as exc:
        client(rb, "iam", key="AKIAUNKNOWNKEY000000").list_roles()
    assert error(exc) == ("InvalidClientTokenId", "The security token included in the request is invalid.")


def _signed(rb, body: bytes, *, at: str | None = None):
    request = AWSRequest(method="POST", url=rb.endpoint_url + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    SigV4Auth(Credentials("test", "test"), "dynamodb", "us-east-1").add_auth(request)
    return request


def _send(rb, request, body: bytes):
    req = urllib.request.Request(rb.endpoint_url + "/", data=body, method="POST",
                                 headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(req) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_tampered_body_is_refused(rb):
    signed = _signed(rb, b"{}")
    assert _send(rb, signed, b"{}")[0] == 200
    status, answer = _send(rb, signed, b'{"Limit": 1}')
    assert status == 400 and answer["__type"].endswith("InvalidSignatureException")
    assert answer["message"] == BAD_SIGNATURE


def test_a_stale_or_future_timestamp_is_refused_on_the_clock():
    with riverbed.Riverbed(clock="manual", start=time.time(), auth="sigv4") as rb:
        signed = _signed(rb, b"{}")
        stamp = signed.headers["X-Amz-Date"]
        rb.clock.advance(301)
        status, answer = _send(rb, signed, b"{}")
        assert status == 400 and answer["__type"].endswith("InvalidSignatureException")
        assert answer["message"].startswith(f"Signature expired: {stamp} is now earlier than ")
        assert answer["message"].endswith(" - 5 min.)")
    with riverbed.Riverbed(clock="manual", start=time.time() - 600, auth="sigv4") as behind:
        with pytest.raises(ClientError) as exc:
            client(behind, "dynamodb").list_tables()
        code, message = error(exc)
        assert code == "InvalidSignatureException" and message.startswith("Signature not yet current: ")
        assert message.endswith(" + 5 min.)")
        behind.clock.advance(600)
        assert "TableNames" in client(behind, "dynamodb").list_tables()


def test_iam_user_keys_and_session_credentials(rb):
    iam = client(rb, "iam", "AKIDROOT2", "s3cret")
    iam.create_user(UserName="dev")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    as_dev = client(rb, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    assert as_dev.get_caller_identity()["Arn"] == "arn:aws:iam::222222222222:user/dev"
    session = as_dev.get_session_token()["Credentials"]
    with_token = client(rb, "sts", session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"])
    assert with_token.get_caller_identity()["Account"] == "222222222222"
    with pytest.raises(ClientError) as exc:
        client(rb, "sts", session["AccessKeyId"], session["SecretAccessKey"]).get_caller_identity()
    assert error(exc) == ("InvalidClientTokenId", "The security token included in the request is invalid.")
    with pytest.raises(ClientError) as exc:
        client(rb, "dynamodb", session["AccessKeyId"], session["SecretAccessKey"], "forged").list_tables()
    assert error(exc)[0] == "UnrecognizedClientException"


def test_presigned_urls(rb):
    sts = client(rb, "sts")
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60)

    def post(target):   # boto3 presigns query-protocol operations with their HTTP method, POST
        return urllib.request.urlopen(urllib.request.Request(target, data=b"", method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded"}))

    with post(url) as response:
        assert b"<Account>000000000000</Account>" in response.read()
    tampered = url.replace("X-Amz-Expires=60", "X-Amz-Expires=6000")
    with pytest.raises(urllib.error.HTTPError) as exc:
        post(tampered)
    assert exc.value.code == 403 and b"SignatureDoesNotMatch" in exc.value.read()
    rb.clock.advance(max(0.0, time.time() - rb.clock.now()) + 61)   # the manual clock stood still meanwhile
    with pytest.raises(urllib.error.HTTPError) as exc:
        post(url)
    assert exc.value.code == 403 and b"<Message>Request has expired</Message>" in exc.value.read()


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_is_accepted_and_a_wrong_secret_refused(rb):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_SESSION_TOKEN", None)
    command = ["aws", "--endpoint-url", rb.endpoint_url, "dynamodb", "list-tables"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "TableNames" in json.loads(done.stdout)
    env["AWS_SECRET_ACCESS_KEY"] = "wrong"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "InvalidSignatureException" in done.stderr

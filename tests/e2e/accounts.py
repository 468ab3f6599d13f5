"""Two accounts on one endpoint, for the tests of cross-account requests and resource-based policies."""

from __future__ import annotations

import json

import boto3
from botocore.config import Config

from tests.conftest import REGION

OWNER, OTHER = "111111111111", "222222222222"   # an access key id of 12 digits names that account


def client(endpoint, service, key, secret="test"):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def error(exc):
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def document(*statements):
    """A policy document of these statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

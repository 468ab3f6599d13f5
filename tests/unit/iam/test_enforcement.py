"""The --iam modes over IAM's Permissions: enforce (unknown roles pass, warned once), strict, off."""

from __future__ import annotations

import json
import logging

import pytest

from riverbed.clock import ManualClock
from riverbed.services.iam.enforcement import RoleEnforcement
from riverbed.services.iam.service import IamService
from riverbed.storage import open_store

ACCOUNT = "000000000000"
UNKNOWN = f"arn:aws:iam::{ACCOUNT}:role/never-made"
STREAM = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t/stream/2024-01-01T00:00:00.000"
ACTIONS = ["dynamodb:GetRecords", "dynamodb:DescribeStream"]


@pytest.fixture
def iam() -> IamService:
    return IamService(open_store("sqlite", None), ManualClock())


def _role(iam: IamService, service: str, *statements: dict) -> str:
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
    doc = iam.create_entity(ACCOUNT, "role", "r", "/", {"AssumeRolePolicyDocument": trust, "MaxSessionDuration": 3600})
    if statements:
        iam.put_inline(ACCOUNT, "role", "r", "p", json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    return str(doc["Arn"])


def test_enforce_lets_unknown_roles_pass_with_one_warning(iam, caplog):
    guard = RoleEnforcement(iam, "enforce")
    with caplog.at_level(logging.WARNING, logger="riverbed.iam"):
        assert guard.lambda_can_assume(ACCOUNT, UNKNOWN)
        assert guard.missing_actions(ACCOUNT, UNKNOWN, ACTIONS, STREAM) == []
    assert len([r for r in caplog.records if UNKNOWN in r.getMessage()]) == 1


def test_enforce_checks_known_roles(iam):
    arn = _role(iam, "lambda.amazonaws.com", {"Effect": "Allow", "Action": "dynamodb:GetRecords", "Resource": "*"})
    guard = RoleEnforcement(iam, "enforce")
    assert guard.lambda_can_assume(ACCOUNT, arn)
    assert guard.missing_actions(ACCOUNT, arn, ACTIONS, STREAM) == ["dynamodb:DescribeStream"]


def test_strict_refuses_unknown_roles(iam):
    guard = RoleEnforcement(iam, "strict")
    assert not guard.lambda_can_assume(ACCOUNT, UNKNOWN)
    assert guard.missing_actions(ACCOUNT, UNKNOWN, ACTIONS, STREAM) == ACTIONS


def test_off_checks_nothing(iam):
    arn = _role(iam, "ec2.amazonaws.com")
    guard = RoleEnforcement(iam, "off")
    assert guard.lambda_can_assume(ACCOUNT, arn)
    assert guard.missing_actions(ACCOUNT, arn, ACTIONS, STREAM) == []
    assert not RoleEnforcement(iam, "enforce").lambda_can_assume(ACCOUNT, arn)


def test_unknown_mode_is_refused(iam):
    with pytest.raises(ValueError):
        RoleEnforcement(iam, "sometimes")

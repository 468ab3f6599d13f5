"""The policy evaluator: wildcards, case rules, Deny beats Allow, conditions, variables, document validation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riverbed.core.policy import Decision, PolicyError, RequestFacts, evaluate, parse_policy, principal_allowed
from riverbed.core.policy.matching import arn_matches, wildcard_match

STREAM = "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2024-01-01T00:00:00.000"


def policy(*statements: dict, kind: str = "identity") -> list:
    return parse_policy(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), kind)  # type: ignore[arg-type]


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decide(statements: list, action: str, resource: str = STREAM, **context) -> Decision:
    return evaluate([statements], RequestFacts(action, resource, context=context))


# --- matching ---------------------------------------------------------------------------------------

def test_actions_are_case_insensitive_and_arns_case_sensitive():
    p = policy(allow("DynamoDB:get*", "arn:aws:dynamodb:*:*:table/orders/stream/*"))
    assert decide(p, "dynamodb:GetRecords") is Decision.ALLOWED
    assert decide(p, "dynamodb:getshardITERATOR") is Decision.ALLOWED
    assert decide(p, "dynamodb:DescribeStream") is Decision.IMPLICIT_DENY
    assert decide(p, "dynamodb:GetRecords", STREAM.replace("orders", "Orders")) is Decision.IMPLICIT_DENY


def test_question_mark_is_one_character():
    assert wildcard_match("table/t?", "table/t1")
    assert not wildcard_match("table/t?", "table/t12")
    assert not wildcard_match("table/t?", "table/t")


def test_arn_parts_compare_separately():
    assert arn_matches("arn:aws:dynamodb:*:*:table/orders", "arn:aws:dynamodb:eu-west-1:1:table/orders")
    assert not arn_matches("arn:aws:sqs:us*:1:q", "arn:aws:sqs:us-east-1:1:1:q")   # '*' stays in its part
    assert arn_matches("arn:aws:logs:*:*:*", "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*")


def test_not_action_and_not_resource():
    p = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert decide(p, "dynamodb:GetRecords") is Decision.ALLOWED
    assert decide(p, "iam:CreateRole", "*") is Decision.IMPLICIT_DENY
    q = policy({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:dynamodb:*:*:table/secret*"})
    assert decide(q, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/public") is Decision.ALLOWED
    assert decide(q, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/secrets") is Decision.IMPLICIT_DENY


# --- decisions -------------------------------------------------------------------------------------

def test_default_deny_and_explicit_deny_wins():
    assert decide([], "dynamodb:GetRecords") is Decision.IMPLICIT_DENY
    p = policy(allow("dynamodb:*"), deny("dynamodb:GetRecords", STREAM))
    assert decide(p, "dynamodb:GetRecords") is Decision.EXPLICIT_DENY
    assert decide(p, "dynamodb:DescribeStream") is Decision.ALLOWED


def test_resource_policy_grants_and_denies():
    resource = policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:role/r"},
                       "Action": "sqs:SendMessage", "Resource": "*"}, kind="resource")
    facts = RequestFacts("sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:q",
                         principal="arn:aws:sts::000000000000:assumed-role/r/session")
    assert evaluate([], facts, resource=[resource]) is Decision.ALLOWED
    other = RequestFacts("sqs:SendMessage", facts.resource, principal="arn:aws:iam::000000000000:role/x")
    assert evaluate([], other, resource=[resource]) is Decision.IMPLICIT_DENY


def test_trust_policy_for_a_service_and_an_account():
    trust = policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
                   kind="trust")
    assert principal_allowed(trust, "lambda.amazonaws.com", kind="Service")
    assert not principal_allowed(trust, "ec2.amazonaws.com", kind="Service")
    account = policy({"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole"},
                     kind="trust")
    assert principal_allowed(account, "arn:aws:iam::111111111111:user/dev")
    assert not principal_allowed(account, "arn:aws:iam::222222222222:user/dev")


def test_permissions_boundary_limits_identity_allows():
    p = policy(allow("dynamodb:*"))
    boundary = [policy(allow("dynamodb:Get*"))]
    facts = RequestFacts("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/t")
    assert evaluate([p], facts, boundary=boundary) is Decision.IMPLICIT_DENY
    assert evaluate([p], RequestFacts("dynamodb:GetItem", facts.resource), boundary=boundary) is Decision.ALLOWED


# --- conditions ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("operator", "value", "context", "expected"), [
    ("StringEquals", "us-east-1", {"aws:RequestedRegion": "us-east-1"}, True),
    ("StringEquals", "us-east-1", {"aws:RequestedRegion": "eu-west-1"}, False),
    ("StringEquals", "us-east-1", {}, False),
    ("StringNotEquals", "us-east-1", {}, True),
    ("StringEqualsIfExists", "us-east-1", {}, True),
    ("StringEqualsIgnoreCase", "US-EAST-1", {"aws:RequestedRegion": "us-east-1"}, True),
    ("StringLike", "us-*", {"aws:RequestedRegion": "us-west-2"}, True),
    ("StringNotLike", "us-*", {"aws:RequestedRegion": "us-west-2"}, False),
    ("NumericLessThan", "10", {"aws:RequestedRegion": "9"}, True),
    ("NumericGreaterThanEquals", "10", {"aws:RequestedRegion": "9"}, False),
    ("DateLessThan", "2030-01-01T00:00:00Z", {"aws:RequestedRegion": "2029-12-31T23:59:59Z"}, True),
    ("Bool", "true", {"aws:RequestedRegion": True}, True),
    ("IpAddress", "10.0.0.0/8", {"aws:RequestedRegion": "10.1.2.3"}, True),
    ("NotIpAddress", "10.0.0.0/8", {"aws:RequestedRegion": "192.168.1.1"}, True),
    ("ArnLike", "arn:aws:sqs:*:*:q-*", {"aws:RequestedRegion": "arn:aws:sqs:us-east-1:1:q-1"}, True),
    ("ArnNotEquals", "arn:aws:sqs:us-east-1:1:q", {"aws:RequestedRegion": "arn:aws:sqs:us-east-1:1:q"}, False),
    ("Null", "true", {}, True),
    ("Null", "false", {}, False),
    ("NoSuchOperator", "x", {"aws:RequestedRegion": "x"}, False),
])
def test_condition_operators(operator, value, context, expected):
    p = policy(allow("dynamodb:GetItem", Condition={operator: {"aws:RequestedRegion": value}}))
    assert (decide(p, "dynamodb:GetItem", **context) is Decision.ALLOWED) is expected


def test_several_values_are_alternatives_and_several_keys_all_hold():
    p = policy(allow("s3:GetObject", Condition={"StringEquals": {"aws:SourceAccount": ["1", "2"],
                                                                 "aws:RequestedRegion": "us-east-1"}}))
    assert decide(p, "s3:GetObject", **{"aws:SourceAccount": "2", "aws:RequestedRegion": "us-east-1"}).allowed
    assert not decide(p, "s3:GetObject", **{"aws:SourceAccount": "2", "aws:RequestedRegion": "eu-west-1"}).allowed


def test_for_all_values_and_for_any_value():
    p = policy(allow("dynamodb:GetItem", Condition={"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a", "b"]}}))
    assert decide(p, "dynamodb:GetItem", **{"dynamodb:Attributes": ["a"]}).allowed
    assert not decide(p, "dynamodb:GetItem", **{"dynamodb:Attributes": ["a", "c"]}).allowed
    assert decide(p, "dynamodb:GetItem").allowed          # ForAllValues holds for a missing key
    q = policy(allow("dynamodb:GetItem", Condition={"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["a"]}}))
    assert decide(q, "dynamodb:GetItem", **{"dynamodb:Attributes": ["c", "a"]}).allowed
    assert not decide(q, "dynamodb:GetItem").allowed


def test_policy_variables():
    p = policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    assert decide(p, "s3:GetObject", "arn:aws:s3:::home/ana/x", **{"aws:username": "ana"}).allowed
    assert not decide(p, "s3:GetObject", "arn:aws:s3:::home/bob/x", **{"aws:username": "ana"}).allowed
    assert not decide(p, "s3:GetObject", "arn:aws:s3:::home/ana/x").allowed     # unresolved: no match
    q = policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username, 'guest'}/${*}"))
    assert decide(q, "s3:GetObject", "arn:aws:s3:::home/guest/*").allowed
    assert not decide(q, "s3:GetObject", "arn:aws:s3:::home/guest/x").allowed


# --- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("document", "kind", "message"), [
    ("{not json", "identity", "This policy contains invalid Json"),
    ({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}, "identity",
     "Policy document should not specify a principal."),
    ({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                     "Action": "sts:AssumeRole", "Resource": "*"}]}, "trust", "Has prohibited field Resource"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}, "identity", "Policy statement must contain resources."),
    ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "identity", "Policy statement must contain actions."),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:a:b", "Resource": "*"}]}, "identity",
     "Actions/Condition can contain only one colon."),
    ({"Statement": [{"Effect": "Maybe", "Action": "s3:a", "Resource": "*"}]}, "identity", "Syntax errors in policy."),
    ({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:a", "Resource": "${aws:username}"}]},
     "identity", "Policy document must be version 2012-10-17 or greater."),
])
def test_malformed_documents(document, kind, message):
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(PolicyError) as exc:
        parse_policy(text, kind)
    assert exc.value.message == message


# --- properties ------------------------------------------------------------------------------------

_alphabet = st.sampled_from("ab:/-*?")
_literal = st.text(st.sampled_from("ab:/-"), max_size=8)


@given(_literal)
def test_a_literal_pattern_matches_only_itself(text):
    assert wildcard_match(text, text)
    assert not wildcard_match(text, text + "x")


@given(_literal, _literal, _literal)
def test_star_matches_any_infix(prefix, middle, suffix):
    assert wildcard_match(prefix + "*" + suffix, prefix + middle + suffix)


@given(st.text(_alphabet, max_size=6), _literal)
def test_question_marks_count_characters(pattern, value):
    only_marks = "?" * len(value)
    assert wildcard_match(only_marks, value)
    assert not wildcard_match(only_marks + "?", value)


_actions = st.sampled_from(["dynamodb:GetRecords", "dynamodb:*", "dynamodb:Get*", "sqs:SendMessage", "*",
                            "dynamodb:DescribeStream", "s3:?etObject"])
_resources = st.sampled_from(["*", STREAM, "arn:aws:dynamodb:*:*:table/orders/stream/*",
                              "arn:aws:dynamodb:us-east-1:000000000000:table/other", "arn:aws:s3:::b/*"])
_statement = st.builds(lambda effect, action, resource: {"Effect": effect, "Action": action, "Resource": resource},
                       st.sampled_from(["Allow", "Deny"]), _actions, _resources)


@given(st.lists(_statement, min_size=1, max_size=5), _actions, _resources,
       st.sampled_from(["dynamodb:GetRecords", "dynamodb:DescribeStream", "sqs:SendMessage", "s3:GetObject"]),
       st.sampled_from([STREAM, "arn:aws:s3:::b/k", "arn:aws:dynamodb:us-east-1:000000000000:table/other"]))
def test_adding_a_deny_never_grants(statements, deny_action, deny_resource, action, resource):
    before = decide(policy(*statements), action, resource)
    after = decide(policy(*statements, deny(deny_action, deny_resource)), action, resource)
    if not before.allowed:
        assert not after.allowed
    if before is Decision.EXPLICIT_DENY:
        assert after is Decision.EXPLICIT_DENY


def test_resource_policies_within_and_across_accounts():
    from riverbed.core.policy import evaluate_with_reason

    user = "arn:aws:iam::111111111111:user/dev"
    table = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
    facts = RequestFacts("dynamodb:GetItem", table, principal=user)
    by_account = policy(allow("dynamodb:GetItem", Principal={"AWS": "111111111111"}), kind="resource")
    by_name = policy(allow("dynamodb:GetItem", Principal={"AWS": user}), kind="resource")
    identity = policy(allow("dynamodb:GetItem"))
    # Within one account a grant naming the caller suffices; naming the account only delegates to IAM.
    assert evaluate([], facts, resource=[by_name]) is Decision.ALLOWED
    assert evaluate([], facts, resource=[by_account]) is Decision.IMPLICIT_DENY
    assert evaluate([identity], facts, resource=[by_account]) is Decision.ALLOWED
    # Across accounts both sides must allow; the refusal names the side that did not.
    other = RequestFacts("dynamodb:GetItem", table, principal="arn:aws:iam::222222222222:user/dev")
    grant = policy(allow("dynamodb:GetItem", Principal={"AWS": "222222222222"}), kind="resource")
    assert evaluate_with_reason([identity], other, [], cross_account=True) == (Decision.IMPLICIT_DENY,
                                                                               "resource-based")
    assert evaluate_with_reason([], other, [grant], cross_account=True) == (Decision.IMPLICIT_DENY, "identity-based")
    assert evaluate([identity], other, [grant], cross_account=True) is Decision.ALLOWED
    refuse = policy(deny("dynamodb:*", Principal={"AWS": "*"}), kind="resource")
    assert evaluate_with_reason([identity], other, [grant, refuse], cross_account=True) == (
        Decision.EXPLICIT_DENY, "resource-based")
    # A trust policy naming an account lets that account's principals in.
    trust = policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                    "Action": "sts:AssumeRole"}, kind="trust")
    assert principal_allowed(trust, user)

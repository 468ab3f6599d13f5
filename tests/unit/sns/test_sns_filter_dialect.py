"""SNS's dialect of the shared pattern core: every refusal's text, and the array rules it shares with Lambda."""

from __future__ import annotations

import json

import pytest

from riverbed.services.sns.filter_policy import FilterPolicyError, body_document, compile_policy


@pytest.mark.parametrize(("policy", "scope", "message"), [
    ('{"a": "x"}', "MessageAttributes", '"a" must be an object or an array'),
    ('{"a": {"b": ["x"]}}', "MessageAttributes", '"a" must be an object or an array'),
    ('{"a": []}', "MessageAttributes", 'Empty arrays are not allowed: "a"'),
    ('{"$or": [{"a": ["x"]}]}', "MessageAttributes", '"$or" must be an array of at least two objects'),
    ('{"$or": "x"}', "MessageBody", '"$or" must be an array of at least two objects'),
    ('{"a": [{"prefix": "x", "suffix": "y"}]}', "MessageAttributes", "Only one key allowed in match expression"),
    ('{"a": [{"exists": "yes"}]}', "MessageAttributes", "exists match pattern must be either true or false."),
    ('{"a": [null]}', "MessageAttributes", "Match value must be String, number, true, false, or null"),
    ('{"a": [["x"]]}', "MessageBody", "Match value must be String, number, true, false, or null"),
    ('{"a": [{"prefix": 5}]}', "MessageAttributes", "prefix match pattern must be a string"),
    ('{"a": [{"prefix": {"equals-ignore-case": "x"}}]}', "MessageAttributes",
     "prefix match pattern must be a string"),
    ('{"a": [{"wildcard": "x*"}]}', "MessageAttributes", "Unrecognized match type wildcard"),
    ('{"a": [{"bogus": 1}]}', "MessageAttributes", "Unrecognized match type bogus"),
    ('{"a": [{"anything-but": {"wildcard": "x*"}}]}', "MessageAttributes", "Unsupported anything-but pattern"),
    ('{"a": [{"anything-but": [true]}]}', "MessageAttributes",
     "anything-but list can only contain strings or numbers"),
    ('{"a": [{"numeric": [">"]}]}', "MessageAttributes",
     "Value of numeric match must be an array of 2 or 4 elements"),
    ('{"a": [{"numeric": ["~", 1]}]}', "MessageAttributes", "Unrecognized numeric range operator: ~"),
    ('{"a": [{"cidr": "10.0.0.0/33"}]}', "MessageAttributes", "Malformed CIDR, one '/' required: 10.0.0.0/33"),
    (json.dumps({f"k{i}": list(range(6)) for i in range(3)}), "MessageAttributes",
     "Filter policy is too complex: 216 combinations exceed the limit of 150"),
])
def test_refusals_carry_the_sns_text(policy: str, scope: str, message: str) -> None:
    with pytest.raises(FilterPolicyError) as caught:
        compile_policy(policy, scope)
    assert str(caught.value) == message


def test_nesting_limit() -> None:
    def nested(levels: int) -> str:
        policy: object = ["x"]
        for _ in range(levels):
            policy = {"a": policy}
        return json.dumps(policy)

    compile_policy(nested(33), "MessageBody")  # depth 0..32
    with pytest.raises(FilterPolicyError, match="nested too deeply"):
        compile_policy(nested(34), "MessageBody")


def test_sns_accepts_what_lambda_refuses() -> None:
    body = body_document(json.dumps({"n": 7, "s": "abc", "m": 1}))
    assert compile_policy('{"n": [{"numeric": [">", 0, ">", 5]}]}', "MessageBody")(body)
    assert compile_policy('{"s": [{"anything-but": ["x", 1]}]}', "MessageBody")(body)
    assert compile_policy('{"s": [{"anything-but": []}]}', "MessageBody")(body)
    assert compile_policy('{"m": {}}', "MessageBody")(body)
    # anything-but a pattern only ever matches strings
    assert not compile_policy('{"n": [{"anything-but": {"prefix": "x"}}]}', "MessageBody")(body)


def test_arrays_follow_eventbridge_rules() -> None:
    # Nested arrays are crushed out; objects inside an array are not leaf values.
    assert compile_policy('{"a": ["x"]}', "MessageBody")({"a": [["x"]]})
    assert not compile_policy('{"a": [{"exists": true}]}', "MessageBody")({"a": [{"b": 1}]})
    # Several exists rules are alternatives like every other rule of a key.
    both = compile_policy('{"a": [{"exists": true}, {"exists": false}]}', "MessageBody")
    assert both({"a": "x"}) and both({})

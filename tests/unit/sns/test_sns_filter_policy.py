"""SNS filter policies: attribute and body scopes, operators, typing rules."""

from __future__ import annotations

import json

import pytest

from riverbed.services.sns.filter_policy import (
    FilterPolicyError,
    attributes_document,
    body_document,
    compile_policy,
)


def attrs(**values: tuple[str, str]) -> dict:
    return attributes_document({k: {"DataType": t, "StringValue": v} for k, (t, v) in values.items()})


def match(policy: dict, doc: dict | None, scope: str = "MessageAttributes") -> bool:
    return compile_policy(json.dumps(policy), scope)(doc)


def test_exact_strings_and_numbers_are_typed():
    assert match({"store": ["example_corp"]}, attrs(store=("String", "example_corp")))
    assert not match({"store": ["other"]}, attrs(store=("String", "example_corp")))
    assert match({"price": [300]}, attrs(price=("Number", "300.0")))
    assert not match({"price": [300]}, attrs(price=("String", "300")))
    assert not match({"price": ["300"]}, attrs(price=("Number", "300")))


def test_numeric_ranges_recorded_by_aws():
    policy = {"attr1": [{"numeric": [">", 0, "<=", 100]}]}
    assert match(policy, attrs(attr1=("Number", "99.12")))
    assert not match(policy, attrs(attr1=("Number", "100.12")))
    assert not match(policy, attrs(attr1=("String", "50")))
    assert match({"n": [{"numeric": ["=", 5]}]}, attrs(n=("Number", "5")))


def test_string_operators():
    doc = attrs(color=("String", "Red-Orange"))
    assert match({"color": [{"prefix": "Red"}]}, doc)
    assert match({"color": [{"suffix": "Orange"}]}, doc)
    assert match({"color": [{"equals-ignore-case": "red-orange"}]}, doc)
    assert match({"color": [{"anything-but": ["blue", "green"]}]}, doc)
    assert not match({"color": [{"anything-but": "Red-Orange"}]}, doc)
    assert not match({"color": [{"anything-but": {"prefix": "Red"}}]}, doc)
    assert match({"ip": [{"cidr": "10.0.0.0/24"}]}, attrs(ip=("String", "10.0.0.7")))


def test_exists_and_absent_attributes():
    doc = attrs(a=("String", "x"))
    assert match({"a": [{"exists": True}]}, doc)
    assert not match({"b": [{"exists": True}]}, doc)
    assert match({"b": [{"exists": False}]}, doc)
    assert not match({"b": ["x"]}, doc)
    assert not match({"b": [{"anything-but": "x"}]}, doc)
    binary = attributes_document({"bin": {"DataType": "Binary", "BinaryValue": "AQ=="}})
    assert match({"bin": [{"exists": False}]}, binary)


def test_and_or_and_string_arrays():
    doc = attrs(a=("String", "x"), tags=("String.Array", '["red", 5]'))
    assert match({"a": ["x"], "tags": ["red"]}, doc)
    assert match({"tags": [5]}, doc)
    assert not match({"a": ["x"], "tags": ["blue"]}, doc)
    assert match({"$or": [{"a": ["nope"]}, {"tags": ["red"]}]}, doc)


def test_body_scope_nested():
    body = body_document(json.dumps({"order": {"kind": "book", "price": 12, "items": [{"sku": "a"},
                                                                                      {"sku": "b"}]},
                                     "flag": None}))
    assert match({"order": {"kind": ["book"], "price": [{"numeric": [">", 10]}]}}, body, "MessageBody")
    assert match({"order": {"items": {"sku": ["b"]}}}, body, "MessageBody")
    assert match({"flag": [None]}, body, "MessageBody")
    assert not match({"order": {"kind": ["dvd"]}}, body, "MessageBody")
    assert not match({"order": {"kind": ["book"]}}, body_document("not json"), "MessageBody")
    assert compile_policy("{}", "MessageBody")(None)   # an empty policy accepts every message


def test_invalid_policies():
    for text in ("invalid", "[1]", '{"a": "x"}', '{"a": []}', '{"a": [{"numeric": ["~", 1]}]}',
                 '{"a": [{"bogus": 1}]}', '{"a": [{"exists": "yes"}]}'):
        with pytest.raises(FilterPolicyError):
            compile_policy(text)
    with pytest.raises(FilterPolicyError):
        compile_policy('{"a": {"b": ["x"]}}', "MessageAttributes")
    with pytest.raises(FilterPolicyError) as bad:
        compile_policy("{bad")
    assert str(bad.value).startswith("failed to parse JSON.")

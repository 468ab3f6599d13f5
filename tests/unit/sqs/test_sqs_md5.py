"""MD5 digests against values recorded from AWS (sqs and sns snapshots)."""

from __future__ import annotations

import base64

from riverbed.services.sqs.md5 import md5_of_attributes, md5_of_body


def test_body_md5():
    assert md5_of_body("msg") == "6e2baaf3b97dbeef01c0043275f9a0e7"
    assert md5_of_body("message-1") == "3d6b824fd8c1520e9a047d21fee6fb1f"


def test_attribute_md5_recorded_by_aws():
    attrs = {
        "Hello": {"DataType": "String", "StringValue": "There"},
        "General": {"DataType": "String", "StringValue": "Kenobi"},
        "Help.Me": {"DataType": "String", "StringValue": "Me"},
    }
    assert md5_of_attributes(attrs) == "4c360f3fdafd970e05fae2f149d997f5"
    subset = {k: attrs[k] for k in ("General", "Hello")}
    assert md5_of_attributes(subset) == "fca026605781cb4126a1e9044df24232"
    assert md5_of_attributes({"Hello": attrs["Hello"]}) == "a311262e065454b75da111d535b8dacd"
    assert md5_of_attributes({"Foo": {"DataType": "String", "StringValue": "Bar"}}) == \
        "ae7155c6026991b6d54b11589678bf9c"
    assert md5_of_attributes({"attr1": {"DataType": "Number", "StringValue": "99.12"}}) == \
        "d302007e9aa062660afc85fd0a482472"


def test_binary_md5_accepts_bytes_or_base64():
    raw = {"b": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}}
    text = {"b": {"DataType": "Binary", "BinaryValue": base64.b64encode(b"\x02\x03\x04").decode()}}
    assert md5_of_attributes(raw) == md5_of_attributes(text)
    assert md5_of_attributes(raw) != md5_of_attributes({"b": {"DataType": "String",
                                                              "StringValue": "\x02\x03\x04"}})


def test_no_attributes_no_digest():
    assert md5_of_attributes({}) is None
    assert md5_of_attributes(None) is None

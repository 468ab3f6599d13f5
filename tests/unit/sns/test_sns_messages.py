"""Publish input checks with AWS's recorded texts (sns snapshot)."""

from __future__ import annotations

import pytest

from riverbed.services.sns.errors import InvalidParameter, ParameterValueInvalid
from riverbed.services.sns.messages import check_attributes, check_message, check_size, check_subject


def message_of(exc: pytest.ExceptionInfo) -> str:
    return exc.value.message


def test_message_and_structure():
    with pytest.raises(InvalidParameter) as exc:
        check_message("", None)
    assert message_of(exc) == "Invalid parameter: Empty message"
    with pytest.raises(InvalidParameter) as exc:
        check_message("{not json", "json")
    assert message_of(exc) == "Invalid parameter: Message Structure - JSON message body failed to parse"
    with pytest.raises(InvalidParameter) as exc:
        check_message('{"sqs": "x"}', "json")
    assert message_of(exc) == "Invalid parameter: Message Structure - No default entry in JSON message body"
    assert check_message('{"default": "d", "sqs": "s", "n": 1}', "json") == ("d", {"default": "d",
                                                                                   "sqs": "s"})
    with pytest.raises(InvalidParameter) as exc:
        check_size("x" * 262_145, {})
    assert message_of(exc) == "Invalid parameter: Message too long"


def test_subject():
    assert check_subject(None) is None
    for bad in ("", "line\nbreak", "x" * 100):
        with pytest.raises(InvalidParameter) as exc:
            check_subject(bad)
        assert message_of(exc) == "Invalid parameter: Subject"


@pytest.mark.parametrize("value, text", [
    ({"DataType": "String", "StringValue": ""},
     ("The message attribute 'attr1' must contain non-empty message attribute value for message attribute "
      "type "
     "'String'.")),
    ({"DataType": "Binary"},
     ("The message attribute 'attr1' must contain non-empty message attribute value for message attribute "
      "type "
     "'Binary'.")),
    ({"DataType": "String", "BinaryValue": "AQ=="}, ("The message attribute 'attr1' with type 'String' must "
                                                     "use "
                                                    "field 'String'.")),
    ({"DataType": "Number", "BinaryValue": "AQ=="}, ("The message attribute 'attr1' with type 'Number' must "
                                                     "use "
                                                    "field 'String'.")),
    ({"DataType": "Binary", "StringValue": "x"}, ("The message attribute 'attr1' with type 'Binary' must use "
                                                  "field "
                                                 "'Binary'.")),
    ({"DataType": "Bogus", "StringValue": "x"}, ("The message attribute 'attr1' has an invalid message "
                                                 "attribute "
                                                "type, the set of supported type prefixes is Binary, Number, "
                                                "and String.")),
])
def test_attribute_values(value, text):
    with pytest.raises(ParameterValueInvalid) as exc:
        check_attributes({"attr1": value})
    assert message_of(exc) == text


@pytest.mark.parametrize("name, text", [
    ("a" * 256, "Length of message attribute name must be less than 256 bytes."),
    ("a^b", ("Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only "
             "include "
            "alphanumeric characters, hyphens, underscores, or dots.")),
    (".ab", "Invalid message attribute name starting with character '.' was found."),
    ("ab.", "Invalid message attribute name ending with character '.' was found."),
    ("a..b", "Message attribute name can not have successive '.' character."),
])
def test_attribute_names(name, text):
    with pytest.raises(ParameterValueInvalid) as exc:
        check_attributes({name: {"DataType": "String", "StringValue": "v"}})
    assert message_of(exc) == text


def test_attributes_normalized():
    out = check_attributes({"b": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
                            "s": {"DataType": "String.Array", "StringValue": '["a"]'}})
    assert out == {"b": {"DataType": "Binary", "BinaryValue": "AgME"},
                   "s": {"DataType": "String.Array", "StringValue": '["a"]'}}

"""The compact stored form of a stream record gives back exactly the JSON of the record it stands for."""

from __future__ import annotations

import orjson
import pytest

from riverbed.streams.records import (
    build_record,
    encode_record,
    event_source_member,
    lambda_event_json,
    record_json,
    to_lambda_event_record,
)
from riverbed.triggers.events import event_payload_json

KEYS = {"pk": {"S": "k1"}}
OLD = {"pk": {"S": "k1"}, "n": {"N": "1"}, "s": {"S": "caf\u00e9 \"quoted\""}}
NEW = {"pk": {"S": "k1"}, "n": {"N": "2"}, "m": {"M": {"l": {"L": [{"BOOL": True}, {"NULL": True}]}}}}


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
@pytest.mark.parametrize(("event", "old", "new"), [("INSERT", None, NEW), ("MODIFY", OLD, NEW), ("REMOVE", OLD, None)])
@pytest.mark.parametrize("identity", [False, True])
@pytest.mark.parametrize("size", [None, 321])
def test_record_json_is_byte_for_byte_the_built_record(view, event, old, new, identity, size):
    args = {"event_name": event, "keys": KEYS, "old": old, "new": new, "view_type": view, "region": "eu-west-1",
            "event_version": "1.1", "service_identity": identity, "size_bytes": size}
    stored = encode_record(**args)
    text = record_json(stored, "000000000000000000042", 1700000000.75)
    record = build_record(**args, created=1700000000.75, sequence_number="000000000000000000042")
    record["eventID"] = orjson.loads(text)["eventID"]
    assert text == orjson.dumps(record)
    assert len(record["eventID"]) == 32 and len(stored) < len(text)


def test_records_stored_as_json_before_the_compact_form_read_back_unchanged():
    old_form = orjson.dumps({"eventID": "x", "dynamodb": {"Keys": KEYS}})
    assert record_json(old_form, "1", 0.0) is old_form


ARN = "arn:aws:dynamodb:eu-west-1:000000000000:table/t\u00e9/stream/2024-01-01T00:00:00.000"


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_AND_OLD_IMAGES"])
@pytest.mark.parametrize(("event", "old", "new"), [("INSERT", None, NEW), ("REMOVE", OLD, None)])
@pytest.mark.parametrize("identity", [False, True])
def test_the_lambda_event_form_is_joined_byte_for_byte_as_the_decoded_record_would_encode(view, event, old, new,
                                                                                           identity):
    stored = encode_record(event_name=event, keys=KEYS, old=old, new=new, view_type=view, region="eu-west-1",
                           event_version="1.1", service_identity=identity)
    text = record_json(stored, "000000000000000000042", 1700000000.75)
    event_text = lambda_event_json(stored, "000000000000000000042", 1700000000.75, event_source_member(ARN))
    expected = to_lambda_event_record(orjson.loads(text), ARN)
    assert event_text == orjson.dumps(expected)
    if identity:
        assert orjson.loads(event_text)["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    # A batch's event joined from these texts is what encoding the decoded records gives.
    assert event_payload_json([event_text, event_text]) == orjson.dumps({"Records": [expected, expected]})


def test_the_lambda_event_form_of_a_record_stored_as_json():
    old_form = orjson.dumps({"eventID": "x", "dynamodb": {"Keys": KEYS},
                             "userIdentity": {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}})
    event_text = lambda_event_json(old_form, "1", 0.0, event_source_member(ARN))
    assert event_text == orjson.dumps(to_lambda_event_record(orjson.loads(old_form), ARN))

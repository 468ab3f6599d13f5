"""The compact stored form of a stream record gives back exactly the JSON of the record it stands for."""

from __future__ import annotations

import orjson
import pytest

from riverbed.streams.records import build_record, encode_record, record_json

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

"""Stream records: SizeBytes comes from the writer."""

from __future__ import annotations

import pytest

from riverbed.services.dynamodb.items import record_size
from riverbed.streams.records import build_record

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/tbl/stream/2024-01-01T00:00:00.000"
KEY = {"pk": {"S": "my-item-id"}}
OLD = {"pk": {"S": "my-item-id"}, "n": {"N": "1"}, "note": {"S": "é ünïcode \"quoted\" \\ \n"}}
NEW = {"pk": {"S": "my-item-id"}, "n": {"N": "2"}, "list": {"L": [{"BOOL": True}, {"NULL": True}]}}


def _record(view: str, *, ttl: bool = False, size_bytes: int | None = 99) -> dict:
    return build_record(event_name="MODIFY", keys=KEY, old=OLD, new=NEW, view_type=view, region="us-east-1",
                        created=1_700_000_000.7, sequence_number="000000000000000000042", event_version="1.1",
                        service_identity=ttl, size_bytes=size_bytes)


def test_size_bytes_is_the_writers_figure():
    assert _record("NEW_AND_OLD_IMAGES", size_bytes=1234)["dynamodb"]["SizeBytes"] == 1234
    assert _record("KEYS_ONLY", size_bytes=0)["dynamodb"]["SizeBytes"] == 1


NOTE = len("é ünïcode \"quoted\" \\ \n".encode())


@pytest.mark.parametrize(("view", "expected"), [
    # keys: "pk" + "my-item-id" = 12 bytes, as in AWS's documented example
    ("KEYS_ONLY", 12),
    # + new image: pk 12, "n" 1 + N "2" 2, "list" 4 + L 3 + (1 + BOOL 1) + (1 + NULL 1)
    ("NEW_IMAGE", 12 + 12 + 3 + 4 + 3 + 4),
    # + old image: pk 12, "n" 1 + N "1" 2, "note" 4 + its UTF-8 length
    ("OLD_IMAGE", 12 + 12 + 3 + 4 + NOTE),
    ("NEW_AND_OLD_IMAGES", 12 + (12 + 3 + 4 + 3 + 4) + (12 + 3 + 4 + NOTE)),
])
def test_dynamodb_measures_the_images_the_view_carries(view, expected):
    assert record_size(view, KEY, OLD, NEW, None) == expected
    assert record_size(view, KEY, None, None, None) == 12


def test_dynamodb_uses_the_new_size_it_already_measured():
    assert record_size("NEW_IMAGE", KEY, None, NEW, 1000) == 12 + 1000
    assert record_size("KEYS_ONLY", KEY, None, NEW, 1000) == 12

"""ListStreams and DescribeStream for the stream of a deleted table, through boto3.

AWS: "If you have DynamoDB Streams enabled on the table, then the corresponding stream on that table goes into
the DISABLED state, and the stream is automatically deleted after 24 hours" (API_DeleteTable.html); until then
it is still listed -- scylladb's alternator test_streams.py, run against DynamoDB, notes that a deleted table's
stream "can only expire 24h later" and lingers in ListStreams.  The label and table name stay as they were.
"""

from __future__ import annotations

import time
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table


@pytest.fixture
def rb(manual_riverbed):
    yield manual_riverbed
    manual_riverbed.reset()


def _listed(streams, **kw):
    out, start = [], None
    while True:
        page = streams.list_streams(**kw, **({"ExclusiveStartStreamArn": start} if start else {}))
        out += page["Streams"]
        start = page.get("LastEvaluatedStreamArn")
        if not start:
            return out


def test_deleted_tables_stream_listed_until_retention_ends(rb):
    ddb, streams = rb.client("dynamodb"), rb.client("dynamodbstreams")
    name = f"t-{uuid.uuid4().hex[:12]}"
    old = create_table(ddb, name, stream="NEW_IMAGE")
    ddb.delete_table(TableName=name)
    entry = {"StreamArn": old["LatestStreamArn"], "TableName": name, "StreamLabel": old["LatestStreamLabel"]}
    assert _listed(streams, TableName=name) == [entry]
    assert entry in _listed(streams)
    assert streams.describe_stream(StreamArn=entry["StreamArn"])["StreamDescription"]["StreamStatus"] == "DISABLED"

    # A table created again under the name has a new stream; both are listed for the name.
    rb.clock.advance(60)
    new = create_table(ddb, name, stream="KEYS_ONLY")
    arns = [s["StreamArn"] for s in _listed(streams, TableName=name)]
    assert sorted(arns) == sorted([old["LatestStreamArn"], new["LatestStreamArn"]])

    # 24 hours after the deletion the old stream is gone.
    rb.clock.advance(24 * 3600 + 60)
    deadline = time.monotonic() + 10
    while old["LatestStreamArn"] in [s["StreamArn"] for s in _listed(streams, TableName=name)]:
        assert time.monotonic() < deadline, "the deleted table's stream is still listed after 24 hours"
        time.sleep(0.05)
    with pytest.raises(ClientError) as exc:
        streams.describe_stream(StreamArn=old["LatestStreamArn"])
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert [s["StreamArn"] for s in _listed(streams, TableName=name)] == [new["LatestStreamArn"]]

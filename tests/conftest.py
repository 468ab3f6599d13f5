"""Shared fixtures: one real riverbed server per test session (in-memory, ephemeral port), boto3 clients.

Conformance tests use boto3 only, so they could run against AWS unchanged.  Point them at any endpoint
with ``RIVERBED_TEST_ENDPOINT=http://host:port``: ``endpoint`` and the clients then talk to it, and the
fixtures that need riverbed's own control (``server``, ``manual_riverbed``, ``system_riverbed``,
``riverbed_only``) skip the tests that use them, saying why.
"""

from __future__ import annotations

import io
import os
import textwrap
import uuid
import zipfile

import boto3
import pytest
from botocore.config import Config

os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

REGION = "us-east-1"

# An endpoint to test instead of an in-process riverbed (e.g. a `riverbed serve` elsewhere, or another emulator).
TEST_ENDPOINT = os.environ.get("RIVERBED_TEST_ENDPOINT") or None
_EXTERNAL_REASON = f"needs riverbed-only control; RIVERBED_TEST_ENDPOINT={TEST_ENDPOINT} is an external endpoint"


def _skip_when_external() -> None:
    if TEST_ENDPOINT is not None:
        pytest.skip(_EXTERNAL_REASON)


@pytest.fixture
def riverbed_only() -> None:
    """Request this for a test that checks riverbed's own extensions (e.g. ``/_riverbed/health``)."""
    _skip_when_external()


@pytest.fixture(scope="session")
def server():
    _skip_when_external()
    from riverbed.config import load_settings
    from riverbed.server import make_background

    settings = load_settings({"port": 0, "in_memory": True, "region": REGION}, environ={})
    bg = make_background(settings)
    bg.start()
    yield bg
    bg.stop()


@pytest.fixture(scope="session")
def endpoint(request):
    if TEST_ENDPOINT is not None:
        return TEST_ENDPOINT.rstrip("/")
    return request.getfixturevalue("server").app.endpoint_url


@pytest.fixture(scope="module")
def manual_riverbed():
    """An in-process riverbed on a manual clock (riverbed-only: AWS's clock cannot be stepped)."""
    _skip_when_external()
    import riverbed

    with riverbed.Riverbed(clock="manual") as rb:
        yield rb


@pytest.fixture
def system_riverbed():
    """A fresh in-process riverbed on the system clock, for Python callables registered as functions."""
    _skip_when_external()
    import riverbed

    with riverbed.Riverbed(clock="system") as rb:
        yield rb


def make_client(endpoint: str, service: str, region: str = REGION):
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                                      read_timeout=60))


def zip_code(source: str, name: str = "handler.py") -> bytes:
    """A function's deployment package: one file ``name`` holding ``source`` (dedented)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, textwrap.dedent(source))
    return buffer.getvalue()


@pytest.fixture(scope="session")
def ddb(endpoint):
    return make_client(endpoint, "dynamodb")


@pytest.fixture(scope="session")
def streams(endpoint):
    return make_client(endpoint, "dynamodbstreams")


@pytest.fixture
def table_name():
    return f"t-{uuid.uuid4().hex[:12]}"


def read_stream(streams, arn):
    """Every record of a stream from TRIM_HORIZON, shard by shard (each shard read until a page comes back empty)."""
    shards, start = [], {}
    while True:
        desc = streams.describe_stream(StreamArn=arn, **start)["StreamDescription"]
        shards += desc["Shards"]
        if not desc.get("LastEvaluatedShardId"):
            break
        start = {"ExclusiveStartShardId": desc["LastEvaluatedShardId"]}
    out = []
    for shard in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = streams.get_records(ShardIterator=it)
            out += page["Records"]
            if not page["Records"]:
                break
            it = page.get("NextShardIterator")
    return out


def create_table(ddb, name, *, range_key=None, hash_type="S", range_type="S", stream=None, **extra):
    attrs = [{"AttributeName": "pk", "AttributeType": hash_type}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": range_key, "AttributeType": range_type})
        keys.append({"AttributeName": range_key, "KeyType": "RANGE"})
    params = dict(TableName=name, AttributeDefinitions=attrs, KeySchema=keys, BillingMode="PAY_PER_REQUEST")
    if stream:
        params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    params.update(extra)
    return ddb.create_table(**params)["TableDescription"]


# --- PostgreSQL (the second store engine); see tests/postgres_cluster.py ------------------------------------

@pytest.fixture(scope="session")
def postgres_server():
    """A server URL: ``RIVERBED_TEST_POSTGRES``, else a throwaway cluster, else None (no server binaries)."""
    from tests import postgres_cluster as pg

    url = os.environ.get(pg.ENV)
    if url:
        yield url
    elif pg.server_binaries_present():
        url, directory = pg.start_cluster()
        yield url
        pg.stop_cluster(directory)
    else:
        yield None


@pytest.fixture
def postgres_schema_url(postgres_server):
    """A ``postgresql://`` URL whose connections work in a fresh, empty schema (dropped afterwards)."""
    from tests import postgres_cluster as pg

    if postgres_server is None:
        pytest.skip(f"PostgreSQL: {pg.ENV} is unset and no server binaries are installed")
    name = pg.create_schema(postgres_server)
    yield pg.in_schema(postgres_server, name)
    pg.drop_schema(postgres_server, name)

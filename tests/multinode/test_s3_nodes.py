"""S3 across two riverbed nodes on one PostgreSQL database: object bytes live in the store, so every node serves
every object, byte for byte, whichever node took the PUT.

Skipped only when PostgreSQL is unavailable (see tests/postgres_cluster.py).
"""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.multinode.nodes import started_nodes

MB = 1024 * 1024


@pytest.fixture
def nodes(postgres_schema_url, tmp_path):
    with started_nodes(postgres_schema_url, tmp_path) as started:
        # No retries (make_client): a request one node fails must fail the test, not be repeated elsewhere.
        yield [make_client(node.app.endpoint_url, "s3") for node in started], started


@pytest.fixture
def clients(nodes):
    return nodes[0]


@pytest.fixture
def bucket(clients):
    name = f"bkt-{uuid.uuid4().hex[:12]}"
    clients[0].create_bucket(Bucket=name)
    return name


def test_a_small_object_put_on_one_node_is_read_whole_and_by_range_on_the_other(clients, bucket):
    a, b = clients
    body = os.urandom(3000)
    etag = a.put_object(Bucket=bucket, Key="dir/small.bin", Body=body, ContentType="application/x-test")["ETag"]
    got = b.get_object(Bucket=bucket, Key="dir/small.bin")
    assert got["Body"].read() == body and got["ETag"] == etag and got["ContentType"] == "application/x-test"
    ranged = b.get_object(Bucket=bucket, Key="dir/small.bin", Range="bytes=100-1099")
    assert ranged["Body"].read() == body[100:1100] and ranged["ContentRange"] == "bytes 100-1099/3000"
    assert b.get_object(Bucket=bucket, Key="dir/small.bin", Range="bytes=-10")["Body"].read() == body[-10:]
    head = b.head_object(Bucket=bucket, Key="dir/small.bin")
    assert head["ContentLength"] == 3000 and head["ETag"] == etag
    listed = b.list_objects_v2(Bucket=bucket, Prefix="dir/")["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listed] == [("dir/small.bin", 3000, etag)]
    a.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert b.get_object(Bucket=bucket, Key="empty")["Body"].read() == b""


def test_a_multipart_upload_through_one_node_reads_back_on_the_other_across_chunk_boundaries(clients, bucket):
    a, b = clients
    parts = [os.urandom(5 * MB), os.urandom(5 * MB), os.urandom(MB + 123)]
    upload = a.create_multipart_upload(Bucket=bucket, Key="big.bin")["UploadId"]
    done = []
    for n, data in enumerate(parts, start=1):
        writer = (a, b)[n % 2]   # parts through both nodes
        etag = writer.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload, PartNumber=n, Body=data)["ETag"]
        done.append({"PartNumber": n, "ETag": etag})
    assert [p["PartNumber"] for p in b.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload)["Parts"]] == [1, 2, 3]
    a.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload, MultipartUpload={"Parts": done})
    whole = b"".join(parts)
    got = b.get_object(Bucket=bucket, Key="big.bin")["Body"].read()
    assert len(got) == len(whole) and hashlib.sha256(got).digest() == hashlib.sha256(whole).digest()
    # A range across the 1 MB chunks the store holds, and one inside the last chunk.
    start, end = MB - 10, 3 * MB + 10
    assert b.get_object(Bucket=bucket, Key="big.bin", Range=f"bytes={start}-{end}")["Body"].read() == \
        whole[start:end + 1]
    assert b.get_object(Bucket=bucket, Key="big.bin", Range="bytes=-5")["Body"].read() == whole[-5:]
    assert b.get_object(Bucket=bucket, Key="big.bin", PartNumber=2)["Body"].read() == parts[1]
    assert b.head_object(Bucket=bucket, Key="big.bin")["ContentLength"] == len(whole)


def test_copy_and_delete_across_nodes(clients, bucket):
    a, b = clients
    body = os.urandom(MB + 7)
    a.put_object(Bucket=bucket, Key="src", Body=body)
    b.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert a.get_object(Bucket=bucket, Key="dst")["Body"].read() == body
    a.put_object(Bucket=bucket, Key="src", Body=b"replaced")          # the old bytes are dropped...
    assert b.get_object(Bucket=bucket, Key="src")["Body"].read() == b"replaced"
    assert b.get_object(Bucket=bucket, Key="dst")["Body"].read() == body   # ...the copy's stay
    b.delete_object(Bucket=bucket, Key="dst")
    with pytest.raises(ClientError) as exc:
        a.get_object(Bucket=bucket, Key="dst")
    assert exc.value.response["Error"]["Code"] == "NoSuchKey"
    assert [o["Key"] for o in a.list_objects_v2(Bucket=bucket)["Contents"]] == ["src"]


def test_bytes_are_in_the_store_not_in_a_nodes_folder_and_replaced_ones_are_dropped(nodes, bucket):
    (a, b), started = nodes
    a.put_object(Bucket=bucket, Key="k", Body=b"one")
    a.put_object(Bucket=bucket, Key="k", Body=b"two")
    store = started[0].app.store
    blobs = store.blob_list(store.store_time() + 60)
    assert len(blobs) == 1 and b"".join(d for _, d in store.blob_read(blobs[0])) == b"two"
    for node in started:   # nothing left in either node's spool
        assert os.listdir(node.app.s3.blobs.tmp) == []
    b.delete_object(Bucket=bucket, Key="k")
    assert store.blob_list(store.store_time() + 60) == []

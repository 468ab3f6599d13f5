"""S3 against a real `riverbed serve` process: kill -9 during uploads leaves no partial object."""

from __future__ import annotations

import os
import signal
import socket

import pytest

from tests.e2e.test_durability import _client, _free_port, _start

pytestmark = pytest.mark.xdist_group("real-server")

AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"


def test_kill_during_uploads_leaves_no_partial_object(tmp_path):
    data_dir = str(tmp_path / "data")
    port = _free_port()
    proc = _start(data_dir, port)
    try:
        s3 = _client("s3", port)
        s3.create_bucket(Bucket="durable")
        old = os.urandom(100_000)
        s3.put_object(Bucket="durable", Key="k", Body=old)
        uid = s3.create_multipart_upload(Bucket="durable", Key="mp")["UploadId"]
        s3.upload_part(Bucket="durable", Key="mp", UploadId=uid, PartNumber=1, Body=os.urandom(5 * 1024 * 1024))
        # An overwrite of "k" and a new object, each killed half-way through its body.
        socks = []
        for key in ("k", "new"):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(f"PUT /durable/{key} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {AUTH}\r\n"
                         f"Content-Length: {8 * 1024 * 1024}\r\n\r\n".encode() + os.urandom(4 * 1024 * 1024))
            socks.append(sock)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    for sock in socks:
        sock.close()
    # What a crash between writing an object's bytes and committing its metadata leaves behind:
    s3_dir = os.path.join(data_dir, "s3")
    with open(os.path.join(s3_dir, "tmp", "half-written"), "wb") as fh:
        fh.write(b"partial")
    with open(os.path.join(s3_dir, "blobs", "0" * 32), "wb") as fh:
        fh.write(b"renamed but never committed")

    proc = _start(data_dir, port)
    try:
        s3 = _client("s3", port)
        assert s3.get_object(Bucket="durable", Key="k")["Body"].read() == old
        assert [o["Key"] for o in s3.list_objects_v2(Bucket="durable")["Contents"]] == ["k"]
        parts = s3.list_parts(Bucket="durable", Key="mp", UploadId=uid)["Parts"]
        assert [p["Size"] for p in parts] == [5 * 1024 * 1024]
        assert os.listdir(os.path.join(s3_dir, "tmp")) == []
        assert len(os.listdir(os.path.join(s3_dir, "blobs"))) == 2   # "k" and the uploaded part
    finally:
        proc.terminate()
        proc.wait()

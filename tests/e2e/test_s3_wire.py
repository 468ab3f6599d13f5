"""S3 on the wire, below boto3: aws-chunked uploads with trailing checksums, virtual-hosted-style names."""

from __future__ import annotations

import base64
import http.client
import uuid
import zlib

import pytest

from tests.conftest import make_client

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, "
        "Signature=0")


@pytest.fixture
def conn(server):
    host, port = server.app.endpoint_url.removeprefix("http://").split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    yield c, int(port)
    c.close()


@pytest.fixture
def bucket(server):
    s3 = make_client(server.app.endpoint_url, "s3")
    name = f"wire-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    return s3, name


def _chunked(data: bytes, trailer: str, chunk: int = 64 * 1024) -> bytes:
    out = b""
    for i in range(0, len(data), chunk):
        piece = data[i:i + chunk]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n" + trailer.encode() + b"\r\n\r\n"


def test_aws_chunked_upload_with_trailing_crc32(conn, bucket):
    c, _ = conn
    s3, name = bucket
    data = bytes(range(256)) * 1000
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    body = _chunked(data, f"x-amz-checksum-crc32:{crc}")
    c.request("PUT", f"/{name}/chunked", body=body, headers={
        "Authorization": AUTH, "Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": str(len(data)), "Content-Type": "application/x-test"})
    resp = c.getresponse()
    resp.read()
    assert resp.status == 200 and resp.getheader("x-amz-checksum-crc32") == crc
    got = s3.get_object(Bucket=name, Key="chunked", ChecksumMode="ENABLED")
    assert got["Body"].read() == data and got["ChecksumCRC32"] == crc
    assert got["ContentType"] == "application/x-test" and "ContentEncoding" not in got

    c.request("PUT", f"/{name}/bad", body=_chunked(data, "x-amz-checksum-crc32:AAAAAA=="), headers={
        "Authorization": AUTH, "Content-Encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    resp = c.getresponse()
    text = resp.read()
    assert resp.status == 400 and b"<Code>BadDigest</Code>" in text


def test_virtual_hosted_style(conn, bucket):
    c, port = conn
    s3, name = bucket
    s3.put_object(Bucket=name, Key="dir/v.txt", Body=b"virtual")
    c.request("GET", "/dir/v.txt", headers={"Host": f"{name}.localhost:{port}"})
    resp = c.getresponse()
    assert (resp.status, resp.read()) == (200, b"virtual")
    c.request("GET", "/?list-type=2", headers={"Host": f"{name}.localhost:{port}"})
    resp = c.getresponse()
    assert b"<Key>dir/v.txt</Key>" in resp.read()


def test_head_object_names_the_size_without_a_body(conn, bucket):
    c, _ = conn
    s3, name = bucket
    s3.put_object(Bucket=name, Key="h", Body=b"12345")
    c.request("HEAD", f"/{name}/h", headers={"Authorization": AUTH})
    resp = c.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Length") == "5" and resp.read() == b""

"""REST-XML: routing by required members, aws-chunked bodies, payload checks, XML in and out."""

from __future__ import annotations

import base64
import hashlib
import zlib

import pytest

from riverbed.core.models import load_service_model
from riverbed.errors import ServiceError
from riverbed.protocol.restxml import (
    RestXmlRouter,
    decode_aws_chunked,
    parse_restxml_request,
    serialize_restxml_error,
    serialize_restxml_response,
    verify_payload,
)

MODEL = load_service_model("s3")
ROUTER = RestXmlRouter(MODEL)


@pytest.mark.parametrize(("method", "path", "query", "headers", "op"), [
    ("PUT", "/b/k", {}, {}, "PutObject"),
    ("PUT", "/b/k", {"partNumber": ["1"], "uploadId": ["u"]}, {}, "UploadPart"),
    ("PUT", "/b/k", {}, {"x-amz-copy-source": "b/x"}, "CopyObject"),
    ("PUT", "/b/k", {"partNumber": ["1"], "uploadId": ["u"]}, {"x-amz-copy-source": "b/x"}, "UploadPartCopy"),
    ("PUT", "/b", {}, {}, "CreateBucket"),
    ("GET", "/", {}, {}, "ListBuckets"),
    ("GET", "/b", {}, {}, "ListObjects"),
    ("GET", "/b/", {"list-type": ["2"]}, {}, "ListObjectsV2"),
    ("GET", "/b", {"location": [""]}, {}, "GetBucketLocation"),
    ("GET", "/b/k/with/slashes", {}, {}, "GetObject"),
    ("GET", "/b/k", {"uploadId": ["u"]}, {}, "ListParts"),
    ("POST", "/b/k", {"uploads": [""]}, {}, "CreateMultipartUpload"),
    ("POST", "/b/k", {"uploadId": ["u"]}, {}, "CompleteMultipartUpload"),
    ("POST", "/b", {"delete": [""]}, {}, "DeleteObjects"),
    ("DELETE", "/b/k", {"uploadId": ["u"]}, {}, "AbortMultipartUpload"),
    ("HEAD", "/b", {}, {}, "HeadBucket"),
])
def test_routes(method, path, query, headers, op):
    assert ROUTER.match(method, path, query, headers)[0] == op


def test_labels_are_percent_decoded():
    assert ROUTER.match("GET", "/b/a%20b/%C3%BC%2Fx", {}, {}) == ("GetObject", {"Bucket": "b", "Key": "a b/ü/x"})


def test_aws_chunked_with_signatures_and_trailer():
    body = (b"5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=0\r\n"
            b"x-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:zzz\r\n\r\n")
    payload, trailers = decode_aws_chunked(body)
    assert payload == b"hello world"
    assert trailers == {"x-amz-checksum-crc32": "DUoRhQ=="}


def test_aws_chunked_truncated_body_is_refused():
    with pytest.raises(ServiceError) as exc:
        decode_aws_chunked(b"10\r\nshort")
    assert exc.value.code == "IncompleteBody"


def test_payload_checks():
    crc = base64.b64encode(zlib.crc32(b"abc").to_bytes(4, "big")).decode()
    verify_payload(MODEL, "PutObject", {"x-amz-checksum-crc32": crc,
                                        "content-md5": base64.b64encode(hashlib.md5(b"abc").digest()).decode()}, b"abc")
    with pytest.raises(ServiceError) as exc:
        verify_payload(MODEL, "PutObject", {"x-amz-checksum-crc32": crc}, b"abd")
    assert (exc.value.code, exc.value.message) == ("BadDigest", "The CRC32 you specified did not match the "
                                                                "calculated checksum.")
    with pytest.raises(ServiceError) as exc:
        verify_payload(MODEL, "PutObject", {"content-md5": "nope"}, b"abc")
    assert exc.value.code == "InvalidDigest"
    with pytest.raises(ServiceError) as exc:
        verify_payload(MODEL, "PutObject", {"x-amz-content-sha256": "0" * 64}, b"abc")
    assert exc.value.code == "XAmzContentSHA256Mismatch"


def test_xml_payload_and_headers_parse():
    body = (b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object>'
            b"<Object><Key>b</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>")
    req = parse_restxml_request(MODEL, "DeleteObjects", {"Bucket": "b"}, {"delete": [""]}, {}, body)
    assert req == {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "v"}],
                                             "Quiet": True}}
    req = parse_restxml_request(MODEL, "PutObject", {"Bucket": "b", "Key": "k"}, {},
                                {"x-amz-meta-color": "red", "content-type": "text/plain"}, b"x")
    assert req["Metadata"] == {"color": "red"} and req["ContentType"] == "text/plain" and req["Body"] == b"x"


def test_malformed_xml():
    with pytest.raises(ServiceError) as exc:
        parse_restxml_request(MODEL, "DeleteObjects", {"Bucket": "b"}, {}, {}, b"<Delete><Object>")
    assert exc.value.code == "MalformedXML"


def test_response_xml_flattened_lists_and_headers():
    status, headers, body = serialize_restxml_response(MODEL, "ListObjectsV2", {
        "Name": "b", "IsTruncated": False, "KeyCount": 2,
        "Contents": [{"Key": "a&b", "Size": 1, "LastModified": 0}, {"Key": "c", "Size": 2, "LastModified": 0}]},
        "http://s3.amazonaws.com/doc/2006-03-01/")
    assert status == 200
    assert body.count(b"<Contents>") == 2 and b"<Key>a&amp;b</Key>" in body
    assert b"<LastModified>1970-01-01T00:00:00.000Z</LastModified>" in body
    status, headers, body = serialize_restxml_response(MODEL, "GetObject", {
        "Body": b"xy", "ContentRange": "bytes 0-1/5", "LastModified": 0, "Metadata": {"a": "1"}})
    assert status == 206 and body == b"xy"
    assert ("Last-Modified", "Thu, 01 Jan 1970 00:00:00 GMT") in headers and ("x-amz-meta-a", "1") in headers


def test_error_body_and_head_errors():
    err = ServiceError("The specified key does not exist.", code="NoSuchKey", status=404, extra={"Key": "k"})
    status, _, body = serialize_restxml_error(err, "req-1", MODEL)
    assert status == 404
    assert b"<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key>" in body
    assert serialize_restxml_error(err, "req-1", MODEL, with_body=False)[2] == b""

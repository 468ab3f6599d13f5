"""Amazon S3 through boto3 only: buckets, objects, listings, conditions, ranges, checksums, multipart."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
import zlib

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client


@pytest.fixture(scope="module")
def s3(endpoint):
    return make_client(endpoint, "s3")


@pytest.fixture
def bucket(s3):
    name = f"bkt-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=obj["Key"])
    for upload in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
    s3.delete_bucket(Bucket=name)


def code_of(exc) -> str:
    return exc.value.response["Error"]["Code"]


# --- buckets -------------------------------------------------------------------------------------------

def test_bucket_lifecycle(s3):
    name = f"bkt-{uuid.uuid4().hex[:12]}"
    assert s3.create_bucket(Bucket=name)["Location"] == f"/{name}"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.head_bucket(Bucket=name)
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.create_bucket(Bucket=name)   # us-east-1: re-creating your own bucket answers 200
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=name)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=name)
    assert code_of(exc) == "NoSuchBucket"


def test_location_constraint_rules(s3, endpoint):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=f"bkt-{uuid.uuid4().hex[:12]}",
                         CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert code_of(exc) == "InvalidLocationConstraint"
    west = make_client(endpoint, "s3", region="us-west-2")
    with pytest.raises(ClientError) as exc:
        west.create_bucket(Bucket=f"bkt-{uuid.uuid4().hex[:12]}")
    assert code_of(exc) == "IllegalLocationConstraintException"
    with pytest.raises(ClientError) as exc:
        west.create_bucket(Bucket=f"bkt-{uuid.uuid4().hex[:12]}",
                           CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert exc.value.response["Error"]["Message"] == ("The eu-west-1 location constraint is incompatible for the "
                                                      "region specific endpoint this request was sent to.")
    name = f"bkt-{uuid.uuid4().hex[:12]}"
    west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert west.get_bucket_location(Bucket=name)["LocationConstraint"] == "us-west-2"
    with pytest.raises(ClientError) as exc:
        west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert code_of(exc) == "BucketAlreadyOwnedByYou"
    west.delete_bucket(Bucket=name)


def test_invalid_bucket_name(s3):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="ab")
    assert code_of(exc) == "InvalidBucketName"


def test_delete_non_empty_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert code_of(exc) == "BucketNotEmpty"
    assert exc.value.response["Error"]["Message"] == "The bucket you tried to delete is not empty"


# --- objects -------------------------------------------------------------------------------------------

def test_put_get_head_with_metadata(s3, bucket):
    body = b"hello world"
    put = s3.put_object(Bucket=bucket, Key="dir/hello.txt", Body=body, ContentType="text/plain",
                        ContentEncoding="identity", CacheControl="max-age=60", Metadata={"Owner": "me"})
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/hello.txt")
    assert got["Body"].read() == body
    assert (got["ContentType"], got["ContentEncoding"], got["CacheControl"]) == ("text/plain", "identity",
                                                                                  "max-age=60")
    assert got["Metadata"] == {"owner": "me"}
    head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
    assert head["ContentLength"] == len(body) and head["ETag"] == put["ETag"]
    default = s3.put_object(Bucket=bucket, Key="plain", Body=b"")
    assert s3.head_object(Bucket=bucket, Key="plain")["ContentType"] == "binary/octet-stream"
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == b""
    assert default["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def test_keys_with_odd_characters(s3, bucket):
    keys = ["a b/c+d", "ü/ñ%20x", "trailing/", "q?x=1&y", "~tilde"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    for key in keys:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == sorted(keys, key=lambda k: k.encode())


def test_missing_key_and_delete_is_idempotent(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="nope")
    assert code_of(exc) == "NoSuchKey"
    assert exc.value.response["Error"]["Message"] == "The specified key does not exist."
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="nope")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert s3.delete_object(Bucket=bucket, Key="nope")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_ranges(s3, bucket):
    body = bytes(range(100))
    s3.put_object(Bucket=bucket, Key="r", Body=body)
    for header, want, content_range in [("bytes=0-9", body[:10], "bytes 0-9/100"),
                                        ("bytes=90-", body[90:], "bytes 90-99/100"),
                                        ("bytes=-5", body[-5:], "bytes 95-99/100"),
                                        ("bytes=95-200", body[95:], "bytes 95-99/100")]:
        got = s3.get_object(Bucket=bucket, Key="r", Range=header)
        assert got["Body"].read() == want
        assert got["ContentRange"] == content_range
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=100-")
    assert code_of(exc) == "InvalidRange"
    assert s3.get_object(Bucket=bucket, Key="r", Range="lines=1-2")["Body"].read() == body


def test_conditional_reads_and_writes(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"v1")["ETag"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"v1"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert code_of(exc) == "PreconditionFailed"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c", IfModifiedSince=modified)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="c", Body=b"v2", IfNoneMatch="*")
    assert code_of(exc) == "PreconditionFailed"
    s3.put_object(Bucket=bucket, Key="c", Body=b"v2", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="c")["Body"].read() == b"v2"


def test_response_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"x", ContentType="text/plain")
    got = s3.get_object(Bucket=bucket, Key="o", ResponseContentType="application/json",
                        ResponseContentDisposition="attachment; filename=o.json")
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "attachment; filename=o.json"


def test_copy_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data", ContentType="text/plain", Metadata={"a": "1"})
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copied["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"data").hexdigest()}"'
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert (head["ContentType"], head["Metadata"]) == ("text/plain", {"a": "1"})
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   ContentType="application/octet-stream", Metadata={"b": "2"})
    head = s3.head_object(Bucket=bucket, Key="dst2")
    assert (head["ContentType"], head["Metadata"]) == ("application/octet-stream", {"b": "2"})
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"})
    assert code_of(exc) == "InvalidRequest"
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "src"},
                       CopySourceIfMatch='"nope"')
    assert code_of(exc) == "PreconditionFailed"


def test_delete_objects(s3, bucket):
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "zz"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["a", "b", "zz"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["c"]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in quiet


# --- listings ------------------------------------------------------------------------------------------

def test_list_objects_v2_prefix_delimiter_and_pages(s3, bucket):
    keys = ["a/1", "a/2", "a/b/3", "b/4", "c", "d"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "b/"]
    assert [o["Key"] for o in top["Contents"]] == ["c", "d"]
    assert top["KeyCount"] == 4
    inner = s3.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in inner["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in inner["CommonPrefixes"]] == ["a/b/"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, StartAfter="b/4")["Contents"]] == ["c", "d"]
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=bucket, MaxKeys=2, Delimiter="/", **kwargs)
        pages += 1
        seen += [o["Key"] for o in page.get("Contents", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert sorted(seen) == ["a/", "b/", "c", "d"] and pages == 2
    paged = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={
        "PageSize": 4}) for o in p["Contents"]]
    assert paged == keys


def test_list_objects_v1(s3, bucket):
    for key in ("a/1", "a/2", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    page = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert page["IsTruncated"] and page["NextMarker"] == "b"
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/"]
    rest = s3.list_objects(Bucket=bucket, Delimiter="/", Marker=page["NextMarker"])
    assert [o["Key"] for o in rest["Contents"]] == ["c"] and not rest["IsTruncated"]
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket, Prefix="a/")["Contents"]] == ["a/1", "a/2"]


# --- checksums -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_checksums_stored_and_returned(s3, bucket, algorithm):
    body = os.urandom(1000)
    put = s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm=algorithm)
    expected = {"CRC32": zlib.crc32(body).to_bytes(4, "big"), "SHA1": hashlib.sha1(body).digest(),
                "SHA256": hashlib.sha256(body).digest()}[algorithm]
    assert put[f"Checksum{algorithm}"] == base64.b64encode(expected).decode()
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == put[f"Checksum{algorithm}"]
    assert got["ChecksumType"] == "FULL_OBJECT"
    assert got["Body"].read() == body


@pytest.mark.parametrize("algorithm", ["CRC32C", "CRC64NVME"])
def test_crc_checksums_sent_as_values(s3, bucket, algorithm):
    # boto3 without awscrt cannot compute these; the values are the published check values of "123456789".
    value = {"CRC32C": "4waSgw==", "CRC64NVME": "rosUhgp5mIg="}[algorithm]
    s3.put_object(Bucket=bucket, Key="k", Body=b"123456789", **{f"Checksum{algorithm}": value})
    assert s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")[f"Checksum{algorithm}"] == value
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k2", Body=b"12345678", **{f"Checksum{algorithm}": value})
    assert code_of(exc) == "BadDigest"
    assert exc.value.response["Error"]["Message"] == (f"The {algorithm} you specified did not match the "
                                                      "calculated checksum.")


def test_content_md5_mismatch(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"abc", ContentMD5=base64.b64encode(b"0" * 16).decode())
    assert code_of(exc) == "BadDigest"


# --- multipart -----------------------------------------------------------------------------------------

def test_multipart_upload_20mb_with_checksums(s3, bucket):
    part_size = 5 * 1024 * 1024
    parts_data = [os.urandom(part_size) for _ in range(3)] + [os.urandom(5 * 1024 * 1024 // 2)]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="application/x-big",
                                        ChecksumAlgorithm="CRC32")
    assert upload["ChecksumAlgorithm"] == "CRC32"
    uid = upload["UploadId"]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [uid]
    done = []
    for number, data in enumerate(parts_data, start=1):
        part = s3.upload_part(Bucket=bucket, Key="big", UploadId=uid, PartNumber=number, Body=data,
                              ChecksumAlgorithm="CRC32")
        assert part["ChecksumCRC32"] == base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        done.append({"PartNumber": number, "ETag": part["ETag"], "ChecksumCRC32": part["ChecksumCRC32"]})
    listed = s3.list_parts(Bucket=bucket, Key="big", UploadId=uid)
    assert [p["Size"] for p in listed["Parts"]] == [len(d) for d in parts_data]
    out = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=uid, MultipartUpload={"Parts": done})
    md5s = b"".join(hashlib.md5(d).digest() for d in parts_data)
    assert out["ETag"] == f'"{hashlib.md5(md5s).hexdigest()}-4"'
    crcs = b"".join(zlib.crc32(d).to_bytes(4, "big") for d in parts_data)
    assert out["ChecksumCRC32"] == base64.b64encode(zlib.crc32(crcs).to_bytes(4, "big")).decode() + "-4"
    assert out["ChecksumType"] == "COMPOSITE"
    whole = b"".join(parts_data)
    got = s3.get_object(Bucket=bucket, Key="big", ChecksumMode="ENABLED")
    assert got["ContentLength"] == len(whole) and got["ContentType"] == "application/x-big"
    assert hashlib.sha256(got["Body"].read()).digest() == hashlib.sha256(whole).digest()
    second = s3.get_object(Bucket=bucket, Key="big", PartNumber=2)
    assert second["Body"].read() == parts_data[1] and second["PartsCount"] == 4
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads") is None


def test_transfer_manager_round_trip(s3, bucket, tmp_path):
    from boto3.s3.transfer import TransferConfig

    data = os.urandom(12 * 1024 * 1024 + 17)
    src = tmp_path / "in.bin"
    src.write_bytes(data)
    config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_file(str(src), bucket, "t/obj", Config=config)
    assert s3.head_object(Bucket=bucket, Key="t/obj")["ETag"].endswith('-3"')
    dst = tmp_path / "out.bin"
    s3.download_file(bucket, "t/obj", str(dst), Config=config)
    assert dst.read_bytes() == data


def test_multipart_errors(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="m", UploadId=uid, PartNumber=1, Body=b"tiny")
    last = s3.upload_part(Bucket=bucket, Key="m", UploadId=uid, PartNumber=2, Body=b"end")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": small["ETag"]}, {"PartNumber": 2, "ETag": last["ETag"]}]})
    assert code_of(exc) == "EntityTooSmall"
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 2, "ETag": last["ETag"]}, {"PartNumber": 1, "ETag": small["ETag"]}]})
    assert code_of(exc) == "InvalidPartOrder"
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": '"0123"'}]})
    assert code_of(exc) == "InvalidPart"
    single = s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": small["ETag"]}]})
    assert single["ETag"].endswith('-1"')
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"tiny"
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="m", UploadId=uid, PartNumber=3, Body=b"x")
    assert code_of(exc) == "NoSuchUpload"
    uid2 = s3.create_multipart_upload(Bucket=bucket, Key="m2")["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key="m2", UploadId=uid2)
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="m2", UploadId=uid2)
    assert code_of(exc) == "NoSuchUpload"


def test_presigned_get(s3, bucket):
    import urllib.request

    s3.put_object(Bucket=bucket, Key="p", Body=b"presigned")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "p"})
    with urllib.request.urlopen(url) as resp:
        assert resp.read() == b"presigned"


def test_not_implemented_operation(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_acl(Bucket=bucket)
    assert code_of(exc) == "NotImplemented"


# --- tags and policies ---------------------------------------------------------------------------------

def test_bucket_tagging(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code_of(exc) == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "streams"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "streams"}]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"},
                                                                 {"Key": "a", "Value": "2"}]})
    assert code_of(exc) == "InvalidTag"
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_tagging(Bucket=bucket)


def test_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="env=test&owner=me")
    assert s3.get_object(Bucket=bucket, Key="t")["TagCount"] == 2
    assert sorted(t["Key"] for t in s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"]) == ["env", "owner"]
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "k", "Value": "v"}]
    s3.copy_object(Bucket=bucket, Key="t2", CopySource={"Bucket": bucket, "Key": "t"})
    assert s3.get_object_tagging(Bucket=bucket, Key="t2")["TagSet"] == [{"Key": "k", "Value": "v"}]
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": f"k{i}", "Value": "v"}
                                                                          for i in range(11)]})
    assert code_of(exc) == "BadRequest"


def test_bucket_policy(s3, bucket):
    import json

    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert code_of(exc) == "NoSuchBucketPolicy"
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                                 "Action": "s3:GetObject",
                                                                 "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy="not json")
    assert code_of(exc) == "MalformedPolicy"
    s3.delete_bucket_policy(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_policy(Bucket=bucket)

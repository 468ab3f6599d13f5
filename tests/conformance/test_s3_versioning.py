"""S3 versioning through boto3 only: bucket states, version ids, delete markers, the "null" version, listings."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client


@pytest.fixture(scope="module")
def s3(endpoint):
    return make_client(endpoint, "s3")


@pytest.fixture
def bucket(s3):
    name = f"ver-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        for v in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=name, Key=v["Key"], VersionId=v["VersionId"])
    s3.delete_bucket(Bucket=name)


def error_of(exc) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"].get("Message", "")


def enable(s3, bucket, status="Enabled"):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def test_versioning_status(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    enable(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    enable(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    with pytest.raises(ClientError) as exc:
        enable(s3, bucket, "Disabled")
    assert error_of(exc)[0] == "MalformedXML"
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_versioning(Bucket="no-such-bucket-" + uuid.uuid4().hex[:8])
    assert error_of(exc)[0] == "NoSuchBucket"


def test_versions_on_put_and_get_by_version(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2 and len(v1) == 32
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    got = s3.get_object(Bucket=bucket, Key="k", VersionId=v1)
    assert got["Body"].read() == b"one" and got["VersionId"] == v1
    assert s3.head_object(Bucket=bucket, Key="k", VersionId=v2)["ContentLength"] == 3
    listed = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in listed] == [(v2, True), (v1, False)]


def test_delete_marker_hides_key_and_removing_it_restores(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(exc)[0] == "NoSuchKey"
    headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true" and headers["x-amz-version-id"] == marker
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", VersionId=marker)
    assert error_of(exc) == ("MethodNotAllowed", "The specified method is not allowed against this resource.")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    page = s3.list_object_versions(Bucket=bucket)
    assert [(m["VersionId"], m["IsLatest"]) for m in page["DeleteMarkers"]] == [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in page["Versions"]] == [(v1, False)]
    gone = s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    assert gone["DeleteMarker"] is True and gone["VersionId"] == marker
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"


def test_delete_a_version_promotes_the_previous(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    out = s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert out["VersionId"] == v2 and "DeleteMarker" not in out
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == v1
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", VersionId=v2)
    assert error_of(exc) == ("NoSuchVersion", "The specified version does not exist.")


def test_invalid_version_ids(s3, bucket):
    enable(s3, bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", VersionId="dsf")
    assert error_of(exc) == ("InvalidArgument", "Invalid version id specified")
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=bucket, Key="k", VersionId="dsf")
    assert error_of(exc)[0] == "InvalidArgument"
    with pytest.raises(ClientError) as exc:
        s3.list_object_versions(Bucket=bucket, VersionIdMarker="x" * 32)
    assert error_of(exc)[0] == "InvalidArgument"


def test_null_version_before_and_under_suspended(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"plain")   # before versioning: the "null" version
    assert "VersionId" not in s3.put_object(Bucket=bucket, Key="other", Body=b"x")
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"plain"
    enable(s3, bucket, "Suspended")
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"s1")["VersionId"] == "null"   # replaces the old null
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"s2")["VersionId"] == "null"
    ids = [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket, Prefix="k")["Versions"]]
    assert ids == ["null", v1]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"s2"
    marker = s3.delete_object(Bucket=bucket, Key="k")
    assert marker["DeleteMarker"] is True and marker["VersionId"] == "null"
    page = s3.list_object_versions(Bucket=bucket, Prefix="k")
    assert [v["VersionId"] for v in page["Versions"]] == [v1]
    assert [m["VersionId"] for m in page["DeleteMarkers"]] == ["null"]


def test_copy_and_multipart_get_versions(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=bucket, Key="src", Body=b"new")
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src", "VersionId": v1})
    assert copied["CopySourceVersionId"] == v1 and len(copied["VersionId"]) == 32
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"old"
    marker = s3.delete_object(Bucket=bucket, Key="src")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "src", "VersionId": marker})
    assert error_of(exc)[0] == "InvalidRequest"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"p" * 10)["ETag"]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.head_object(Bucket=bucket, Key="mp")["VersionId"] == done["VersionId"]


def test_list_object_versions_pages(s3, bucket):
    enable(s3, bucket)
    expected = []
    for key in ("a", "b", "c/d", "c/e"):
        for _ in range(3):
            expected.append((key, s3.put_object(Bucket=bucket, Key=key, Body=b"x")["VersionId"]))
    order = sorted(expected, key=lambda kv: kv[0])
    want = [kv for k in ("a", "b", "c/d", "c/e") for kv in reversed([e for e in order if e[0] == k])]
    seen = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 5}):
        assert len(page.get("Versions", [])) <= 5
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
    assert seen == want
    rolled = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["c/"]
    assert len(rolled["Versions"]) == 6


def test_bucket_with_versions_is_not_empty(s3, bucket):
    enable(s3, bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="k")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(exc)[0] == "BucketNotEmpty"


def test_delete_objects_with_versions(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": v1}, {"Key": "j"},
                                                             {"Key": "k", "VersionId": "abc"}]})
    deleted = {d["Key"]: d for d in out["Deleted"]}
    assert deleted["k"]["VersionId"] == v1
    assert deleted["j"]["DeleteMarker"] is True and len(deleted["j"]["DeleteMarkerVersionId"]) == 32
    assert out["Errors"] == [{"Key": "k", "VersionId": "abc", "Code": "NoSuchVersion",
                              "Message": "The specified version does not exist."}]


def test_tags_belong_to_a_version(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one", Tagging="a=1")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v1)["TagSet"] == [{"Key": "a", "Value": "1"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    out = s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=v1, Tagging={"TagSet": [{"Key": "b", "Value": "2"}]})
    assert out["VersionId"] == v1
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v1)["TagSet"] == [{"Key": "b", "Value": "2"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v2)["TagSet"] == []
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"

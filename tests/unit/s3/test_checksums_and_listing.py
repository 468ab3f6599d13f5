"""S3's pure parts: checksum algorithms (published check values), the listing walk, ranges, multipart ETags."""

from __future__ import annotations

import hashlib

import pytest

from riverbed.core import checksums
from riverbed.errors import ServiceError
from riverbed.services.s3 import buckets, listing, multipart, objects


@pytest.mark.parametrize(("algorithm", "hex_value"), [
    ("CRC32", "cbf43926"), ("CRC32C", "e3069283"), ("CRC64NVME", "ae8b14860a799888"),
    ("SHA1", hashlib.sha1(b"123456789").hexdigest()), ("SHA256", hashlib.sha256(b"123456789").hexdigest()),
])
def test_check_values(algorithm, hex_value):
    h = checksums.hasher(algorithm)
    h.update(b"1234")
    h.update(b"56789")
    assert h.digest().hex() == hex_value


def test_walk_rolls_keys_into_common_prefixes_and_pages():
    docs = [{"Key": k} for k in ["a/1", "a/2", "b", "c/1", "d"]]
    page = listing.walk(docs, "", "/", "", 2)
    assert (page.prefixes, [d["Key"] for d in page.contents], page.truncated, page.last) == (["a/"], ["b"], True, "b")
    page = listing.walk(docs, "", "/", page.last, 2)
    assert (page.prefixes, [d["Key"] for d in page.contents], page.truncated) == (["c/"], ["d"], False)
    assert listing.encode("a b/ü", "url") == "a+b/%C3%BC"


def test_byte_ranges():
    assert objects.byte_range("bytes=0-0", 10) == (0, 0)
    assert objects.byte_range("bytes=-20", 10) == (0, 9)
    assert objects.byte_range("bytes=5-2", 10) is None
    assert objects.byte_range("garbage", 10) is None
    with pytest.raises(ServiceError):
        objects.byte_range("bytes=10-", 10)


def test_multipart_etag():
    md5a, md5b = hashlib.md5(b"a").hexdigest(), hashlib.md5(b"b").hexdigest()
    want = hashlib.md5(hashlib.md5(b"a").digest() + hashlib.md5(b"b").digest()).hexdigest()
    assert multipart.multipart_etag([f'"{md5a}"', f'"{md5b}"']) == f'"{want}-2"'


@pytest.mark.parametrize("name", ["ab", "Upper", "a..b", "192.168.1.1", "-ab", "xn--abc", "abc-s3alias"])
def test_bad_bucket_names(name):
    with pytest.raises(ServiceError) as exc:
        buckets.check_name(name)
    assert exc.value.code == "InvalidBucketName"

"""50 MB through a real `riverbed serve`: one PUT, a boto3 multipart upload and the AWS CLI, with checksums,
read back byte for byte; and the server's peak memory while the uploads arrive (bodies are spooled to disk)."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import zlib

import pytest

from tests.e2e.test_durability import _client, _free_port, _start

pytestmark = pytest.mark.xdist_group("real-server")

MB = 1024 * 1024


def _kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(field)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the server's peak RSS from /proc")
def test_50mb_uploads_are_spooled_and_read_back(tmp_path):
    data = os.urandom(50 * MB + 123)
    src = tmp_path / "in.bin"
    src.write_bytes(data)
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    port = _free_port()
    proc = _start(str(tmp_path / "data"), port)
    try:
        s3 = _client("s3", port)
        s3.create_bucket(Bucket="large")
        s3.put_object(Bucket="large", Key="small", Body=b"warm up")
        before = _kib(proc.pid, "VmRSS")

        # One PUT of 50 MB with a SHA-256 checksum, verified by the server as the body arrived.
        with open(src, "rb") as fh:
            put = s3.put_object(Bucket="large", Key="single", Body=fh, ChecksumSHA256=sha)
        assert put["ETag"] == f'"{hashlib.md5(data).hexdigest()}"' and put["ChecksumSHA256"] == sha

        # boto3's transfer manager: ten 5 MB parts with CRC32 checksums, uploaded concurrently.
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=8 * MB, multipart_chunksize=5 * MB, max_concurrency=4)
        s3.upload_file(str(src), "large", "multi", Config=config, ExtraArgs={"ChecksumAlgorithm": "CRC32"})
        peak = _kib(proc.pid, "VmHWM")
        # Held in memory, one 50 MB body costs well over 100 MB (chunks, joined, parsed); spooled, the server
        # grows by its buffers only.
        assert peak - before < 40 * 1024, f"peak RSS grew by {(peak - before) // 1024} MB"

        head = s3.head_object(Bucket="large", Key="multi", ChecksumMode="ENABLED")
        assert head["ContentLength"] == len(data) and head["ETag"].endswith('-11"')
        assert head["ChecksumCRC32"].endswith("-11")   # composite: a checksum of the parts' checksums
        whole = s3.head_object(Bucket="large", Key="single", ChecksumMode="ENABLED")
        assert whole["ChecksumSHA256"] == sha
        assert s3.get_object(Bucket="large", Key="single")["Body"].read() == data
        dst = tmp_path / "out.bin"
        s3.download_file("large", "multi", str(dst), Config=config)
        assert dst.read_bytes() == data
        assert os.listdir(tmp_path / "data" / "s3" / "tmp") == []   # every spooled body adopted or removed

        if shutil.which("aws"):
            env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                       AWS_DEFAULT_REGION="us-east-1")

            def aws(*args: str) -> None:
                done = subprocess.run(["aws", *args, "--endpoint-url", f"http://127.0.0.1:{port}"], env=env,
                                      capture_output=True, text=True, timeout=300)
                assert done.returncode == 0, done.stderr

            aws("s3", "cp", str(src), "s3://large/cli.bin", "--checksum-algorithm", "CRC32")
            aws("s3", "cp", "s3://large/cli.bin", str(tmp_path / "cli-back.bin"))
            assert (tmp_path / "cli-back.bin").read_bytes() == data
            cli = s3.head_object(Bucket="large", Key="cli.bin", ChecksumMode="ENABLED")
            assert cli["ContentLength"] == len(data) and cli["ETag"].endswith('-7"')   # the CLI's 8 MB parts
            crcs = [zlib.crc32(data[i:i + 8 * MB]) for i in range(0, len(data), 8 * MB)]
            parts = b"".join(c.to_bytes(4, "big") for c in crcs)
            assert cli["ChecksumCRC32"] == base64.b64encode(zlib.crc32(parts).to_bytes(4, "big")).decode() + "-7"
    finally:
        proc.terminate()
        proc.wait()


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the server's peak RSS from /proc")
def test_large_gets_are_sent_from_the_file_as_they_are_read(tmp_path):
    data = os.urandom(30 * MB + 7)
    port = _free_port()
    proc = _start(str(tmp_path / "data"), port)
    try:
        s3 = _client("s3", port)
        s3.create_bucket(Bucket="large")
        s3.put_object(Bucket="large", Key="obj", Body=data)
        assert s3.get_object(Bucket="large", Key="obj")["Body"].read(10) == data[:10]   # warm up
        with open(f"/proc/{proc.pid}/clear_refs", "w") as fh:
            fh.write("5")   # reset the peak RSS to the current RSS
        before = _kib(proc.pid, "VmHWM")

        # A GET in progress keeps sending the bytes it started with when the object is replaced meanwhile.
        answer = s3.get_object(Bucket="large", Key="obj")
        assert answer["ContentLength"] == len(data)
        first = answer["Body"].read(MB)
        s3.put_object(Bucket="large", Key="obj", Body=b"replaced")
        assert first + answer["Body"].read() == data
        assert s3.get_object(Bucket="large", Key="obj")["Body"].read() == b"replaced"

        s3.put_object(Bucket="large", Key="again", Body=data)
        ranged = s3.get_object(Bucket="large", Key="again", Range=f"bytes=1000-{20 * MB}")
        assert ranged["ContentRange"] == f"bytes 1000-{20 * MB}/{len(data)}"
        assert ranged["Body"].read() == data[1000:20 * MB + 1]
        # Held in memory, a 30 MB answer costs at least its 30 MB; sent from the file, a few chunks.
        grown = _kib(proc.pid, "VmHWM") - before
        assert grown < 15 * 1024, f"peak RSS grew by {grown // 1024} MB"
    finally:
        proc.terminate()
        proc.wait()

"""The AWS CLI against riverbed's S3: ``aws s3 mb/cp/sync/ls/rm/rb`` and ``aws s3api``, multipart included."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")


def test_cli_round_trip(server, tmp_path):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")

    def aws(*args: str) -> str:
        done = subprocess.run(["aws", *args, "--endpoint-url", server.app.endpoint_url], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("a")
    big = os.urandom(9 * 1024 * 1024)      # over the CLI's 8 MB multipart threshold
    (src / "sub" / "b.bin").write_bytes(big)
    aws("s3", "mb", "s3://cli-bucket")
    aws("s3", "sync", str(src), "s3://cli-bucket/sync")
    listing = aws("s3", "ls", "s3://cli-bucket", "--recursive")
    assert "sync/a.txt" in listing and "sync/sub/b.bin" in listing
    head = json.loads(aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "sync/sub/b.bin"))
    assert head["ContentLength"] == len(big) and head["ETag"].endswith('-2"')
    aws("s3", "cp", "s3://cli-bucket/sync/sub/b.bin", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == big
    aws("s3", "rm", "s3://cli-bucket", "--recursive")
    aws("s3", "rb", "s3://cli-bucket")

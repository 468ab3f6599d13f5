"""``--auth sigv4`` against the AWS SDK for JavaScript v3 (its own SigV4 signer), through node.

Skipped only when node is missing; the SDK itself comes from ``tests/e2e/js/package.json`` (.ci/run runs
``npm ci`` there; locally: ``npm ci --prefix tests/e2e/js``).
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import pytest

import riverbed

JS = pathlib.Path(__file__).parent / "js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run(rb, key, secret, table):
    if not (JS / "node_modules" / "@aws-sdk" / "client-dynamodb").is_dir():
        pytest.fail("the JS SDK is not installed: npm ci --prefix tests/e2e/js")
    assert NODE is not None
    out = subprocess.run([NODE, str(JS / "sigv4.mjs"), rb.endpoint_url, key, secret, table], capture_output=True,
                         text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_js_sdk_is_accepted_and_a_wrong_secret_refused():
    with riverbed.Riverbed(clock="system", auth="sigv4") as rb:
        rb.client("dynamodb").create_table(
            TableName="js-sdk", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        answer = run(rb, "test", "test", "js-sdk")
        assert answer == {"ok": True, "tables": ["js-sdk"], "item": {"pk": {"S": "js"}, "note": {"S": "é ünïcode"}}}
        refused = run(rb, "test", "wrong", "js-sdk")
        assert refused["error"] == "InvalidSignatureException"

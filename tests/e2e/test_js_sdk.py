"""``--auth sigv4`` against the AWS SDK for JavaScript v3 (its own SigV4 signer), through node.

The SDK comes from ``tests/e2e/js/package.json``: .ci/run installs node when missing and runs ``npm ci`` there
(locally: ``npm ci --prefix tests/e2e/js``).  Outside CI the test is skipped when node or the SDK is missing, so
the README's quick start needs neither; in CI (``CI`` set) it fails instead, as the browser tests do.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess

import pytest

import riverbed

JS = pathlib.Path(__file__).parent / "js"
NODE = shutil.which("node")

SDK = JS / "node_modules" / "@aws-sdk" / "client-dynamodb"

if not os.environ.get("CI") and (NODE is None or not SDK.is_dir()):
    pytest.skip("node or the JS SDK is missing (npm ci --prefix tests/e2e/js); CI fails instead",
                allow_module_level=True)


def run(rb, key, secret, table):
    if NODE is None or not SDK.is_dir():
        pytest.fail("node or the JS SDK is not installed: npm ci --prefix tests/e2e/js")
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

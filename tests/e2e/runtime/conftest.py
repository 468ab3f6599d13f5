"""Fixtures for tests that start real worker processes: zips built in memory, one Runtime per test."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import textwrap
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from riverbed.clock import SystemClock
from riverbed.runtime import FunctionSpec, Runtime

ENDPOINT = "http://127.0.0.1:45666"


def build_zip(files: dict[str, str]) -> tuple[bytes, str]:
    """A zip of ``files`` (dedented) and its CodeSha256 (base64 SHA-256, as Lambda reports it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, source in files.items():
            archive.writestr(name, textwrap.dedent(source))
    data = buffer.getvalue()
    return data, base64.b64encode(hashlib.sha256(data).digest()).decode()


def make_spec(name: str, files: dict[str, str], handler: str = "app.handler", **overrides: Any) -> FunctionSpec:
    code_zip, sha = build_zip(files)
    fields: dict[str, Any] = {
        "name": name, "arn": f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
        "version": "$LATEST", "handler": handler, "runtime": "python3.12", "timeout": 3,
        "memory_size": 128, "environment": {}, "code_sha256": sha, "code_zip": code_zip,
        "revision": "rev-1", "region": "us-east-1", "account": "000000000000",
        "log_group": f"/aws/lambda/{name}",
    }
    fields.update(overrides)
    return FunctionSpec(**fields)


Scenario = Callable[[Runtime], Awaitable[Any]]


@pytest.fixture
def with_runtime(tmp_path: Path) -> Callable[..., Any]:
    """``with_runtime(scenario, **runtime_kwargs)`` runs ``await scenario(runtime)`` on a fresh loop."""

    def run(scenario: Scenario, **kwargs: Any) -> Any:
        async def main() -> Any:
            runtime = Runtime(clock=SystemClock(), work_dir=tmp_path / "code", endpoint_url=lambda: ENDPOINT,
                              **kwargs)
            try:
                return await scenario(runtime)
            finally:
                await runtime.close()

        return asyncio.run(main())

    return run


@pytest.fixture(name="make_spec")
def make_spec_fixture() -> Callable[..., FunctionSpec]:
    return make_spec


@pytest.fixture
def endpoint() -> str:
    """The AWS_ENDPOINT_URL the runtime under test hands to workers."""
    return ENDPOINT

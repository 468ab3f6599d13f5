"""The pytest plugin (entry point ``pytest11: riverbed``): fixtures ``riverbed`` and ``riverbed_client``.

``riverbed`` is a fresh in-process :class:`riverbed.Riverbed` with a manual
clock for each test; set ``riverbed_scope = module`` (or session) in the
pytest ini to share one (it is reset between tests then).  Works under
pytest-xdist: every worker process starts its own instance on its own port.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, cast

import pytest


def pytest_addoption(parser: Any) -> None:
    parser.addini("riverbed_scope", "scope of the riverbed fixture (function, module, session)", default="function")
    parser.addini("riverbed_clock", "clock of the riverbed fixture (manual or system)", default="manual")


_Scope = Literal["session", "package", "module", "class", "function"]


def _scope(fixture_name: str, config: pytest.Config) -> _Scope:
    # An ini value: pytest itself rejects a name that is not one of the scopes above.
    return cast(_Scope, config.getini("riverbed_scope") or "function")


@pytest.fixture(scope=_scope)
def _riverbed_instance(request: Any) -> Iterator[Any]:
    from riverbed.testing.api import Riverbed

    rb = Riverbed(clock=request.config.getini("riverbed_clock") or "manual")
    with rb:
        yield rb


@pytest.fixture
def riverbed(_riverbed_instance: Any, request: Any) -> Iterator[Any]:
    yield _riverbed_instance
    if (request.config.getini("riverbed_scope") or "function") != "function":
        _riverbed_instance.reset()


@pytest.fixture
def riverbed_client(riverbed: Any) -> Any:
    """``riverbed_client("dynamodb")`` -> a boto3 client wired to the test's riverbed."""

    def factory(service: str, region: str | None = None, **kwargs: Any) -> Any:
        return riverbed.client(service, region=region, **kwargs)

    return factory

"""The house rules of the architecture, checked on the source: who may import whom.

Layers, bottom up: ``core`` (context, service descriptions, interfaces, models) and the shared
utilities (clock, errors, ids, config, filtering) know no service; ``storage`` knows no AWS
semantics; ``streams`` (the change log) knows no service; ``services``, ``triggers`` and ``runtime``
never see the wire layer (``protocol``) or the composition root (``app``); only ``app``, ``control``,
``server``, ``testing`` and ``cli`` stand above everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src" / "riverbed"

# package (relative to riverbed) -> riverbed packages it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": ("protocol", "services", "triggers", "runtime", "streams", "app", "control", "testing", "cli",
             "dashboard"),
    "filtering": ("protocol", "services", "triggers", "runtime", "streams", "storage", "app"),
    "storage": ("protocol", "services", "triggers", "runtime", "streams", "app", "core.service"),
    "streams": ("protocol", "services", "triggers", "runtime", "app"),
    "services": ("protocol", "app", "control", "testing", "cli", "dashboard"),
    "triggers": ("protocol", "services", "app", "control", "testing", "cli", "dashboard"),
    "runtime": ("protocol", "services", "triggers", "app", "control", "testing"),
    "protocol": ("services", "triggers", "runtime", "app", "dashboard"),
    # The dashboard reads through the app's services and the operations bound on its gateway, never
    # through the wire layer or the client commands.
    "dashboard": ("protocol", "testing", "cli"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name == "riverbed" or name.startswith("riverbed.")]


def _violations(package: str) -> list[str]:
    out = []
    for path in sorted((SRC / package).rglob("*.py")):
        for line, name in _imports(path):
            target = name.removeprefix("riverbed.")
            for banned in FORBIDDEN[package]:
                if target == banned or target.startswith(banned + "."):
                    out.append(f"{path.relative_to(SRC.parent)}:{line} imports {name}")
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports(package: str) -> None:
    assert (SRC / package).is_dir()
    assert _violations(package) == []


def test_services_do_not_import_each_other_except_through_core() -> None:
    """A service reaches another only through the interfaces the composition root hands over."""
    services = {p.name for p in (SRC / "services").iterdir() if p.is_dir() and not p.name.startswith("_")}
    out = []
    for service in sorted(services):
        for path in sorted((SRC / "services" / service).rglob("*.py")):
            for line, name in _imports(path):
                parts = name.split(".")
                if len(parts) > 2 and parts[1] == "services" and parts[2] != service:
                    out.append(f"{path.relative_to(SRC.parent)}:{line} imports {name}")
    assert out == []


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from riverbed.protocol.gateway import Gateway\nimport riverbed.app\n", encoding="utf-8")
    assert [name for _, name in _imports(bad)] == ["riverbed.protocol.gateway", "riverbed.app"]

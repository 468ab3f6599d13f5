"""One settings table (riverbed.config.SETTINGS) drives ``riverbed serve --help``, the environment
variables load_settings reads and docs/settings.md; these tests fail when any of them drifts."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from riverbed.cli.main import build_parser
from riverbed.config import SETTINGS, Settings, load_settings, settings_markdown

ROOT = Path(__file__).resolve().parents[2]
# RIVERBED_* names that are not server settings: the client commands' endpoint.
NOT_SETTINGS = {"RIVERBED_ENDPOINT_URL"}


def test_every_settings_field_has_exactly_one_row():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    assert set(names) == {f.name for f in fields(Settings)} - {"extra"}


def test_docs_settings_page_is_the_generated_table():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "settings-doc.py"), "--check"])
    assert result.returncode == 0, "docs/settings.md is stale: run python scripts/settings-doc.py"
    assert settings_markdown() in (ROOT / "docs" / "settings.md").read_text()


def test_serve_help_lists_every_flag_and_variable():
    serve = build_parser()._subparsers._group_actions[0].choices["serve"]   # type: ignore[union-attr]
    text = serve.format_help()
    for setting in SETTINGS:
        assert setting.flag in text and setting.env in text, setting.name


def test_every_variable_the_code_mentions_is_in_the_table():
    mentioned: set[str] = set()
    for path in (ROOT / "src" / "riverbed").rglob("*.py"):
        mentioned |= set(re.findall(r"\bRIVERBED_[A-Z][A-Z_]*[A-Z]\b", path.read_text()))
    assert mentioned - NOT_SETTINGS <= {s.env for s in SETTINGS}


def test_flags_beat_variables_which_beat_defaults():
    env = {"RIVERBED_ESM_POLL_INTERVAL": "0.5", "RIVERBED_IN_MEMORY": "yes", "RIVERBED_STREAM_SHARDS": "3"}
    settings = load_settings({"stream_shards": 2}, environ=env)
    assert (settings.esm_poll_interval, settings.in_memory, settings.stream_shards) == (0.5, True, 2)
    parsed = build_parser().parse_args(["serve", "--esm-poll-interval", "0.75", "--in-memory", "--iam", "off"])
    assert (parsed.esm_poll_interval, parsed.in_memory, parsed.iam, parsed.port) == (0.75, True, "off", None)

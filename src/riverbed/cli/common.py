"""What every client command shares: the endpoint, boto3 clients, riverbed's own routes, and output.

Owns: reaching a running riverbed (``--endpoint-url``, default ``$RIVERBED_ENDPOINT_URL`` or
http://127.0.0.1:4566), boto3 clients with test credentials, JSON calls to ``/_riverbed/...``, and
:class:`Output`: rich tables and colours when stdout is a terminal, plain text otherwise, one JSON
document with ``--json``.

Must not: hold command logic, or touch a store (the server owns it).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any, TextIO

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


class CommandError(Exception):
    """A failure to report in one line with exit status 1 (server unreachable, resource missing)."""


def endpoint(value: str | None) -> str:
    return (value or os.environ.get("RIVERBED_ENDPOINT_URL") or DEFAULT_ENDPOINT).rstrip("/")


def client(service: str, endpoint_url: str, region: str | None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=endpoint_url, region_name=region or "us-east-1",
                        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
                        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=70))


def call(endpoint_url: str, path: str, body: dict[str, Any] | None = None, timeout: float = 70.0) -> Any:
    """``GET`` (no body) or ``POST`` a riverbed route; the decoded JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(endpoint_url + path, data=data, method="POST" if data is not None else "GET",
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("message", exc.reason)
        except ValueError:
            message = exc.reason
        raise CommandError(f"{path}: HTTP {exc.code}: {message}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise CommandError(f"cannot reach riverbed at {endpoint_url}: {getattr(exc, 'reason', exc)}") from exc


class Output:
    """Prints for people (rich on a terminal, plain text in a pipe) or one JSON document (``--json``)."""

    def __init__(self, as_json: bool, out: TextIO | None = None) -> None:
        self.json = as_json
        self.out = out or sys.stdout
        self.rich = not as_json and self.out.isatty()
        self._console: Any = None
        if self.rich:
            from rich.console import Console

            self._console = Console(file=self.out, highlight=False)

    def document(self, value: Any) -> None:
        self.out.write(json.dumps(value, indent=2, default=str) + "\n")
        self.out.flush()

    def line(self, text: str, style: str | None = None) -> None:
        """One line; ``style`` is a rich style used only on a terminal."""
        if self._console is not None:
            from rich.text import Text

            self._console.print(Text(text, style=style or ""))
        else:
            self.out.write(text + "\n")
            self.out.flush()

    @contextlib.contextmanager
    def status(self, text: str) -> Iterator[None]:
        """A spinner with ``text`` while a long step runs (terminal only)."""
        if self._console is None:
            yield
            return
        with self._console.status(text):
            yield

    def step(self, text: str) -> None:
        """A finished step of a longer command (not printed with ``--json``)."""
        if not self.json:
            self.line(f"✓ {text}", "green")

    def table(self, title: str, columns: list[str], rows: list[list[Any]],
              styles: list[str | None] | None = None) -> None:
        """A titled table; ``styles`` gives each row a rich style (a PROBLEM in red)."""
        if self._console is not None:
            from rich.table import Table

            table = Table(title=title, title_justify="left", title_style="bold")
            for column in columns:
                table.add_column(column.lstrip("#"), justify="right" if column.startswith("#") else "left")
            for i, row in enumerate(rows):
                table.add_row(*["" if c is None else str(c) for c in row], style=(styles or [None] * len(rows))[i])
            if not rows:
                table.add_row(*(["(none)"] + [""] * (len(columns) - 1)))
            self._console.print(table)
            return
        headers = [c.lstrip("#") for c in columns]
        cells = [["" if c is None else str(c) for c in row] for row in rows]
        widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
        self.out.write(f"{title}\n")
        head = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))
        self.out.write("  " + head.rstrip() + "\n")
        for row in cells:
            self.out.write("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
        if not cells:
            self.out.write("  (none)\n")
        self.out.write("\n")
        self.out.flush()

"""``riverbed logs FUNCTION [--follow]``: print a function's invocation logs from a running riverbed.

Owns: fetching ``GET /_riverbed/logs/<function>?since=N`` and printing each invocation's log (START,
output, END, REPORT) as it arrives; with ``--follow``, polling every half second until interrupted.

Must not: talk to the store or the runtime directly (the server owns them).
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from typing import Any, TextIO
from urllib.parse import quote

from riverbed.clock import SystemClock

POLL_SECONDS = 0.5


def fetch(endpoint_url: str, function: str, since: int, timeout: float = 10.0) -> dict[str, Any]:
    url = f"{endpoint_url.rstrip('/')}/_riverbed/logs/{quote(function, safe='')}?since={since}"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        payload: dict[str, Any] = json.loads(response.read().decode("utf-8"))  # the logs route answers an object
        return payload


def run_logs(function: str, follow: bool, endpoint_url: str, *, out: TextIO | None = None,
             max_polls: int | None = None) -> int:
    """Print the logs; returns the process exit code (1 when the server cannot be reached)."""
    out = out or sys.stdout
    clock = SystemClock()
    since = 0
    polls = 0
    try:
        while True:
            try:
                answer = fetch(endpoint_url, function, since)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                print(f"riverbed logs: cannot read logs from {endpoint_url}: {exc}", file=sys.stderr)
                return 1
            for entry in answer.get("entries", ()):
                out.write(entry["text"])
            out.flush()
            since = int(answer.get("next", since))
            polls += 1
            if not follow or (max_polls is not None and polls >= max_polls):
                return 0
            clock.sleep_blocking_real(POLL_SECONDS)
    except KeyboardInterrupt:
        return 0

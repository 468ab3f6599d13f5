"""``riverbed logs FUNCTION [--follow] [--since 10m]``: print a function's logs from a running riverbed.

Owns: reading the function's log group (``/aws/lambda/FUNCTION``) through the CloudWatch Logs API
(FilterLogEvents, as ``aws logs tail`` does) and printing each event as it arrives; with ``--follow``,
polling every half second from the newest timestamp seen until interrupted.

Must not: talk to the store or the runtime directly (the server owns them).
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from riverbed.clock import SystemClock

POLL_SECONDS = 0.5


def _client(endpoint_url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("logs", endpoint_url=endpoint_url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10))


def fetch(client: Any, group: str, start_ms: int | None) -> list[dict[str, Any]]:
    """Every event of ``group`` from ``start_ms`` on, oldest first ([] while the group does not exist)."""
    from botocore.exceptions import ClientError

    params: dict[str, Any] = {"logGroupName": group}
    if start_ms is not None:
        params["startTime"] = start_ms
    events: list[dict[str, Any]] = []
    try:
        for page in client.get_paginator("filter_log_events").paginate(**params):
            events.extend(page["events"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return []
        raise
    return events


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str) -> float:
    """Seconds in ``--since``: a number and a unit, ``30s``, ``10m``, ``2h``, ``1d``, ``1w`` (as ``aws logs tail``)."""
    value, unit = text[:-1], text[-1:].lower()
    if unit not in _UNITS or not value.isdigit():
        raise ValueError(f"--since takes a number and a unit s, m, h, d or w (e.g. 10m), not {text!r}")
    return int(value) * _UNITS[unit]


def run_logs(function: str, follow: bool, endpoint_url: str, *, out: TextIO | None = None,
             max_polls: int | None = None, since: str | None = None) -> int:
    """Print the logs; returns the process exit code (1 when the server cannot be reached, 2 for a bad --since).

    ``since`` limits the output to events of the last so many seconds, minutes ... of this machine's time.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    out = out or sys.stdout
    clock = SystemClock()
    client = _client(endpoint_url)
    group = f"/aws/lambda/{function}"
    start: int | None = None
    if since is not None:
        try:
            start = int((clock.now() - parse_since(since)) * 1000)
        except ValueError as exc:
            print(f"riverbed logs: {exc}", file=sys.stderr)
            return 2
    seen: set[str] = set()
    polls = 0
    try:
        while True:
            try:
                events = fetch(client, group, start)
            except (BotoCoreError, ClientError, OSError) as exc:
                print(f"riverbed logs: cannot read logs from {endpoint_url}: {exc}", file=sys.stderr)
                return 1
            for event in events:
                if event["eventId"] in seen:
                    continue
                seen.add(event["eventId"])
                message = event["message"]
                out.write(message if message.endswith("\n") else message + "\n")
                start = max(start or 0, event["timestamp"])
            out.flush()
            polls += 1
            if not follow or (max_polls is not None and polls >= max_polls):
                return 0
            clock.sleep_blocking_real(POLL_SECONDS)
    except KeyboardInterrupt:
        return 0

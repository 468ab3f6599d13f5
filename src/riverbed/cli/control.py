"""``riverbed reset``, ``riverbed clock [advance SECONDS]`` and ``riverbed drain``: the control routes.

Owns: calling ``/_riverbed/reset``, ``/_riverbed/clock`` and ``/_riverbed/drain`` of a server started
with ``--control`` (or ``--clock manual``) and printing the answer.

Must not: do more than the routes do.
"""

from __future__ import annotations

from riverbed.cli.common import Output, call


def run_reset(endpoint_url: str, out: Output) -> int:
    answer = call(endpoint_url, "/_riverbed/reset", {})
    if out.json:
        out.document(answer)
    else:
        out.line("reset: every table, stream, function, mapping and queue is gone", "green")
    return 0


def run_clock(endpoint_url: str, advance: float | None, out: Output) -> int:
    answer = call(endpoint_url, "/_riverbed/clock", {"advance": advance} if advance is not None else None)
    if out.json:
        out.document(answer)
    else:
        from datetime import UTC, datetime

        when = datetime.fromtimestamp(answer["now"], UTC).isoformat(timespec="milliseconds")
        out.line(f"clock {'manual' if answer.get('manual') else 'system'}: {answer['now']:.3f} ({when})")
    return 0


def run_drain(endpoint_url: str, timeout: float, out: Output) -> int:
    answer = call(endpoint_url, "/_riverbed/drain", {"timeout": timeout}, timeout=timeout + 10)
    if out.json:
        out.document(answer)
    else:
        out.line("drained: every mapping has delivered everything", "green")
    return 0

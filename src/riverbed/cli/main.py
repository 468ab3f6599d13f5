"""The ``riverbed`` command: ``serve`` and the client commands (status, tail, logs, invoke, deploy,
reset, clock, drain).

``serve``'s flags are generated from the settings table (:data:`riverbed.config.SETTINGS`), so
``riverbed serve --help``, docs/settings.md and the code cannot disagree.  The client commands talk
to a running riverbed (``--endpoint-url``, default ``$RIVERBED_ENDPOINT_URL`` or
http://127.0.0.1:4566); each also prints ``--json``.

Must not: contain behaviour beyond turning flags into Settings or calls, and calling the library.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

from riverbed import __version__


def _serve_flags(parser: argparse.ArgumentParser) -> None:
    from riverbed.config import SETTINGS

    for setting in SETTINGS:
        default = setting.default
        shown = "off" if default is False else default
        text = f"{setting.help} ({setting.env}; default {shown})"
        if setting.kind in ("bool", "<class 'bool'>"):
            parser.add_argument(setting.flag, dest=setting.name, action="store_true", default=None, help=text)
            continue
        kind: Any = {"int": int, "float": float}.get(setting.kind.replace("<class '", "").rstrip("'>"), str)
        parser.add_argument(setting.flag, dest=setting.name, type=kind, default=None, choices=setting.choices,
                            metavar=None if setting.choices else setting.name.upper(), help=text)


def _client_flags(parser: argparse.ArgumentParser, region: bool = True) -> None:
    parser.add_argument("--endpoint-url", default=None,
                        help="the riverbed to talk to ($RIVERBED_ENDPOINT_URL, default http://127.0.0.1:4566)")
    if region:
        parser.add_argument("--region", default=None, help="region (default us-east-1)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables and text")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="riverbed", description="Local DynamoDB + Streams + Lambda triggers.")
    parser.add_argument("--version", action="version", version=f"riverbed {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="start the server (default http://127.0.0.1:4566)",
                           description="Start riverbed. Flags beat RIVERBED_* variables, which beat defaults. "
                                       "The dashboard is at /_riverbed/ui.")
    _serve_flags(serve)

    status = sub.add_parser("status", help="what a running riverbed holds: tables, streams, mappings, queues")
    _client_flags(status)
    status.add_argument("--account", default=None, help="account (default the server's)")

    tail = sub.add_parser("tail", help="print a table's stream records as they arrive, with old/new diffs")
    tail.add_argument("table")
    tail.add_argument("--from", dest="start", choices=["trim_horizon", "latest"], default="latest",
                      help="start at the oldest record kept (trim_horizon) or only new ones (latest, default)")
    tail.add_argument("--count", type=int, default=None, help="stop after this many records")
    tail.add_argument("--idle", type=float, default=None, help="stop after this many seconds without a record")
    _client_flags(tail)

    nodes = sub.add_parser("nodes", help="the nodes sharing a store, their health and their leases")
    nodes.add_argument("--store", default=None, help="the store to inspect (RIVERBED_STORE, default sqlite)")
    nodes.add_argument("--data-dir", default=None, help="the SQLite store's directory (RIVERBED_DATA_DIR)")

    logs = sub.add_parser("logs", help="print a Lambda function's logs from a running riverbed")
    logs.add_argument("function")
    logs.add_argument("--follow", "-f", action="store_true")
    logs.add_argument("--since", default=None, help="only events of the last N s/m/h/d/w, e.g. 10m")
    logs.add_argument("--endpoint-url", default=None)

    invoke = sub.add_parser("invoke", help="invoke a function and print its answer and log tail")
    invoke.add_argument("function")
    invoke.add_argument("--payload", default=None, help="the event as JSON, or @file")
    _client_flags(invoke)

    deploy = sub.add_parser("deploy", help="zip a directory into a function (role made for you) and wire tables to it")
    deploy.add_argument("directory")
    deploy.add_argument("--handler", required=True, help="module.function, e.g. app.handler")
    deploy.add_argument("--name", default=None, help="function name (default: the directory's name)")
    deploy.add_argument("--runtime", default="python3.12")
    deploy.add_argument("--role", default=None,
                        help="execution role ARN (default: riverbed-NAME-role with AWSLambdaDynamoDBExecutionRole)")
    deploy.add_argument("--table", dest="tables", action="append", default=[],
                        help="a table whose stream triggers the function (repeatable)")
    deploy.add_argument("--starting-position", choices=["LATEST", "TRIM_HORIZON"], default="LATEST")
    deploy.add_argument("--batch-size", type=int, default=None)
    deploy.add_argument("--timeout", type=int, default=None, help="function timeout in seconds")
    deploy.add_argument("--memory", type=int, default=None, help="memory size in MB")
    _client_flags(deploy)

    reset = sub.add_parser("reset", help="drop all state (server started with --control or --clock manual)")
    _client_flags(reset, region=False)
    clock = sub.add_parser("clock", help="show the server's clock, or move a manual clock forward")
    clock_sub = clock.add_subparsers(dest="clock_command")
    advance = clock_sub.add_parser("advance", help="move a manual clock forward")
    advance.add_argument("seconds", type=float)
    _client_flags(advance, region=False)
    _client_flags(clock, region=False)
    drain = sub.add_parser("drain", help="wait until every mapping has delivered everything")
    drain.add_argument("--timeout", type=float, default=30.0)
    _client_flags(drain, region=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (``riverbed status | head``): stop quietly, as Unix tools do; what is still
        # buffered for stdout goes nowhere instead of raising again when the interpreter flushes it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "nodes":
        from riverbed.cli.nodes import run_nodes
        from riverbed.config import load_settings

        return run_nodes(load_settings({"store": args.store, "data_dir": args.data_dir}), sys.stdout)
    if args.command is None:
        parser.print_help()
        return 2
    from riverbed.cli.common import CommandError, Output, endpoint

    url = endpoint(args.endpoint_url)
    if args.command == "logs":
        from riverbed.cli.logs import run_logs

        return run_logs(args.function, args.follow, url, since=args.since)
    out = Output(args.json)
    try:
        return _client_command(args, url, out)
    except CommandError as exc:
        print(f"riverbed {args.command}: {exc}", file=sys.stderr)
        return 1


def _client_command(args: Any, url: str, out: Any) -> int:
    if args.command == "status":
        from riverbed.cli.status import run_status

        return run_status(url, args.region, args.account, out)
    if args.command == "tail":
        from riverbed.cli.tail import run_tail

        return run_tail(url, args.table, args.region, args.start, out, count=args.count, idle=args.idle)
    if args.command == "invoke":
        from riverbed.cli.functions import run_invoke

        return run_invoke(url, args.function, args.payload, args.region, out)
    if args.command == "deploy":
        from riverbed.cli.functions import run_deploy

        return run_deploy(url, args.directory, args.handler, out, name=args.name, runtime=args.runtime,
                          role=args.role, tables=args.tables, starting_position=args.starting_position,
                          batch_size=args.batch_size, timeout=args.timeout, memory=args.memory, region=args.region)
    from riverbed.cli import control

    if args.command == "reset":
        return control.run_reset(url, out)
    if args.command == "clock":
        return control.run_clock(url, args.seconds if args.clock_command == "advance" else None, out)
    return control.run_drain(url, args.timeout, out)


def _serve(args: Any) -> int:
    from riverbed.config import SETTINGS, load_settings
    from riverbed.server import serve

    overrides = {setting.name: getattr(args, setting.name) for setting in SETTINGS}
    settings = load_settings(overrides)
    if settings.clock == "manual" and args.control is None:
        settings = settings.replace(control=True)
    return serve(settings)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""``riverbed serve`` (and friends): parse flags, build settings, run.

Must not: contain behaviour beyond turning flags into Settings and calling the library.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from riverbed import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="riverbed", description="Local DynamoDB + Streams + Lambda triggers.")
    parser.add_argument("--version", action="version", version=f"riverbed {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="start the server (default http://127.0.0.1:4566)")
    serve.add_argument("--host", default=None, help="bind address (RIVERBED_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (RIVERBED_PORT, default 4566)")
    serve.add_argument("--data-dir", default=None, help="where state is kept (RIVERBED_DATA_DIR, default ./.riverbed)")
    serve.add_argument("--in-memory", action="store_true", default=None,
                       help="keep nothing on disk (RIVERBED_IN_MEMORY)")
    serve.add_argument("--store", default=None,
                       help="sqlite (default) or postgresql://user:pass@host/db (RIVERBED_STORE)")
    serve.add_argument("--region", default=None, help="default region (RIVERBED_REGION, default us-east-1)")
    serve.add_argument("--clock", choices=["system", "manual"], default=None,
                       help="manual: time moves only through POST /_riverbed/clock (RIVERBED_CLOCK)")
    serve.add_argument("--control", action="store_true", default=None,
                       help="enable /_riverbed/clock, /drain, /reset (on by default with --clock manual)")
    serve.add_argument("--log-level", default=None, help="warning (default), info, debug")
    serve.add_argument("--iam", choices=["enforce", "strict", "off"], default=None,
                       help="permission checks: enforce (default; unknown roles pass with a warning), strict, off "
                            "(RIVERBED_IAM)")

    status = sub.add_parser("status", help="the nodes sharing a store, their health and their leases")
    status.add_argument("--store", default=None, help="the store to inspect (RIVERBED_STORE, default sqlite)")
    status.add_argument("--data-dir", default=None, help="the SQLite store's directory (RIVERBED_DATA_DIR)")

    logs = sub.add_parser("logs", help="print a Lambda function's logs from a running riverbed")
    logs.add_argument("function")
    logs.add_argument("--follow", "-f", action="store_true")
    logs.add_argument("--endpoint-url", default="http://127.0.0.1:4566")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "status":
        from riverbed.cli.status import run_status
        from riverbed.config import load_settings

        return run_status(load_settings({"store": args.store, "data_dir": args.data_dir}), sys.stdout)
    if args.command == "logs":
        from riverbed.cli.logs import run_logs

        return run_logs(args.function, args.follow, args.endpoint_url)
    parser.print_help()
    return 2


def _serve(args: Any) -> int:
    from riverbed.config import load_settings
    from riverbed.server import serve

    overrides = {"host": args.host, "port": args.port, "data_dir": args.data_dir, "in_memory": args.in_memory,
                 "store": args.store, "region": args.region, "clock": args.clock,
                 "control": args.control, "log_level": args.log_level, "iam": args.iam}
    settings = load_settings(overrides)
    if settings.clock == "manual" and args.control is None:
        settings = settings.replace(control=True)
    serve(settings)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""`ocpp-toolkit`: the command-line entry point, a small dispatcher.

Each command is a module of this package named in `COMMANDS`, with
`add_parser(subparsers, parents)` (which registers its options and sets `run`) and
`run(args) -> int`. Command modules must be cheap to import: they import the codec,
asyncio and the like inside `run`, so `--help` and `--version` stay fast.

Exit statuses: 0 ok, 1 a check failed, 2 usage error (bad option, unreadable input),
3 internal error (a bug: the traceback is printed so it can be reported).
"""

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from ocpp_cli.usage import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    UsageError,
)

PROG = "ocpp-toolkit"
COMMANDS = ("validate", "demo", "csms", "station")


def _version() -> str:
    # importlib.metadata is only imported for --version: it costs a few ms.
    from importlib import metadata

    try:
        return metadata.version("ocpp-toolkit")
    except metadata.PackageNotFoundError:  # running from a source tree, not installed
        return "0+unknown"


class _VersionAction(argparse.Action):
    # argparse's "version" action needs the string up front; reading the installed
    # version costs importlib.metadata (~50 ms), paid only when --version is given.
    def __init__(self, option_strings: "list[str]", dest: str, **kwargs: "Any") -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(
        self, parser: "Any", namespace: "Any", values: "Any", option: "Any" = None
    ) -> None:
        sys.stdout.write(f"{parser.prog} {_version()}\n")
        parser.exit()


def _verbosity_parent(default: object) -> argparse.ArgumentParser:
    # -v is accepted before and after the command name. The command's copy defaults to
    # SUPPRESS so that it does not overwrite a -v given before the command.
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="log to stderr: -v progress (INFO), -vv details (DEBUG)",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Strict OCPP 1.6 / 2.0.1 / 2.1 tools: validate logs of OCPP-J traffic, simulate a CSMS and stations.",
        parents=[_verbosity_parent(0)],
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    parents = [_verbosity_parent(argparse.SUPPRESS)]
    for name in COMMANDS:
        importlib.import_module("ocpp_cli." + name).add_parser(subparsers, parents)
    return parser


def _configure_logging(verbosity: int) -> None:
    # Logging is opt-in: without -v only warnings reach stderr. Imported here, after
    # parsing, so that --help does not pay for it.
    import logging

    level = logging.WARNING
    if verbosity == 1:
        level = logging.INFO
    elif verbosity >= 2:
        level = logging.DEBUG
    logging.basicConfig(
        stream=sys.stderr, level=level, format=PROG + ": %(levelname)s %(name)s: %(message)s"
    )


def main(argv: "Sequence[str] | None" = None) -> int:
    """Run the command line; returns the exit status (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 itself on a usage error
    _configure_logging(args.verbose)
    command = args.command
    try:
        status: int = args.run(args)
    except UsageError as exc:
        sys.stderr.write(f"{PROG} {command}: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG} {command}: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`). Point stdout at /dev/null so the interpreter's
        # final flush does not raise a second time while exiting.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception:
        # Not the user's mistake: a bug in ocpp-toolkit. Keep the traceback for the report.
        sys.stderr.write(f"{PROG} {command}: internal error, please report it:\n")
        traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL
    return status


if __name__ == "__main__":
    sys.exit(main())

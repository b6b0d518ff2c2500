"""`ocpp-toolkit station`: one simulated station (or a fleet, `--count N`) running a
scenario against a CSMS; exit 0 when every answer was valid and accepting.

Scenarios (`ocpp_cli.simstation`): boot, charge, remote. A fleet runs the same
scenario on N stations started at `--rate` per second, with a progress display on
stderr (only on a terminal), and ends with a summary: calls sent, calls/s, latency
p50/p99, errors by OCPP error code.
"""

import argparse
import re
from typing import Any

from ocpp_cli.offline_store import add_offline_options, check_offline_options, offline_options
from ocpp_cli.simcli import (
    VERSION_CHOICES,
    add_tls_options,
    client_ssl,
    open_log,
    positive_float,
    positive_int,
)
from ocpp_cli.usage import UsageError

SCENARIOS = ("boot", "charge", "remote")


def add_parser(subparsers: "Any", parents: "list[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "station",
        parents=parents,
        help="run a simulated charging station (or a fleet) against a CSMS",
        description=(
            "A simulated charging station running one scenario against a CSMS: "
            "boot (BootNotification, Heartbeat, StatusNotification), charge (boot, "
            "Authorize, a transaction with meter values, stop) or remote (boot, then "
            "wait for the CSMS's remote start, accept it and charge for the id token "
            "received); load (Heartbeat and MeterValues in a loop, for benchmarks); "
            "bad (a battery of invalid frames, each with the CALLERROR the spec "
            "prescribes); or a scenario FILE (YAML or TOML). --count N runs N stations."
        ),
        epilog="exit status: 0 every answer valid and accepting, 1 otherwise, 2 usage error",
    )
    parser.add_argument(
        "--csms",
        required=True,
        metavar="URL",
        help="the CSMS endpoint without the identity, e.g. ws://127.0.0.1:9000/ocpp",
    )
    parser.add_argument(
        "--id",
        default="CP1",
        metavar="IDENTITY",
        help="station identity (default CP1); with --count, the first of a numbered series",
    )
    parser.add_argument(
        "--ocpp",
        required=True,
        choices=VERSION_CHOICES,
        metavar="VERSION",
        help="OCPP version: " + ", ".join(VERSION_CHOICES),
    )
    parser.add_argument(
        "--scenario",
        default="charge",
        metavar="SCENARIO",
        help="what to do: " + ", ".join(SCENARIOS) + " (default charge); load: see "
        "--duration; bad: the negative "
        "battery (bad frames, the CALLERROR each gets); or a scenario FILE (.yaml, .toml)",
    )
    parser.add_argument(
        "--count",
        type=positive_int,
        default=1,
        metavar="N",
        help="run N stations (identities CP1..CPN, counting from --id's number)",
    )
    parser.add_argument(
        "--rate",
        type=positive_float,
        default=10.0,
        metavar="R",
        help="with --count: start R stations per second (default 10)",
    )
    parser.add_argument(
        "--password",
        metavar="P",
        help="Basic-auth password (security profiles 1 and 2; 2.x: 16 to 40 characters)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        metavar="SECONDS",
        help="wait at most this long for each answer and for a remote start (default 30)",
    )
    add_tls_options(parser, "station")
    add_offline_options(parser)
    load = parser.add_argument_group("--scenario load (ocpp_cli.simload)")
    load.add_argument(
        "--duration",
        type=positive_float,
        default=None,  # None: not given (10 s); given without load is a usage error
        metavar="SECONDS",
        help="load: boot once, then Heartbeat and MeterValues in a loop, one call in flight "
        "per station, for this long (default 10)",
    )
    load.add_argument("--json", action="store_true", help="load: print the summary as JSON")
    parser.add_argument(
        "--log", metavar="FILE", help="write every frame in and out as JSON lines to FILE"
    )
    # None tells "not given" from "given": check_combinations refuses the options a
    # scenario would ignore; fill_defaults then puts the documented defaults in.
    for name in OFFLINE_DEFAULTS:
        OFFLINE_DEFAULTS[name] = parser.get_default(name)
    parser.set_defaults(run=run, **dict.fromkeys(OFFLINE_DEFAULTS))


# The options of add_offline_options whose default hides whether the user gave them:
# name -> the default (read from the parser, so offline_store stays the one source).
OFFLINE_DEFAULTS: "dict[str, Any]" = {
    "max_reconnect_delay": None,
    "meter_values": None,
    "meter_interval": None,
}
DEFAULT_DURATION = 10.0
_TRANSACTION_OPTIONS = ("--meter-values", "--meter-interval")
_RETRY_OPTIONS = ("--max-reconnect-delay", "--message-attempts", "--message-retry-interval")


def _given(args: argparse.Namespace, *options: str) -> "list[str]":
    """Those of `options` (as typed: --meter-values) the user gave."""
    given = []
    for option in options:
        value = getattr(args, option[2:].replace("-", "_"))
        if value is not None and value is not False:
            given.append(option)
    return given


def check_combinations(args: argparse.Namespace) -> None:
    """Refuse (UsageError, exit 2) the options the chosen scenario would silently ignore,
    before anything is opened or created: a refused run leaves --log and --state-dir as
    they were."""
    scenario = args.scenario
    is_file = scenario.lower().endswith((".yaml", ".yml", ".toml"))
    if scenario not in SCENARIOS and scenario not in ("load", "bad") and not is_file:
        raise UsageError(
            f"--scenario: unknown scenario {scenario!r} (choose from {', '.join(SCENARIOS)}, "
            "load, bad, or a .yaml / .toml scenario file)"
        )
    ignored: list[str] = []
    if scenario == "load":
        if args.log is not None:
            raise UsageError(
                "--log is not available with --scenario load (it would measure the log)"
            )
        ignored = _given(args, "--state-dir", *_TRANSACTION_OPTIONS, *_RETRY_OPTIONS)
    else:
        ignored = _given(args, "--json", "--duration")
        if ignored:
            raise UsageError(f"{' and '.join(ignored)}: only with --scenario load")
        if scenario not in SCENARIOS:  # bad, or a scenario file: one station
            if args.count != 1:
                raise UsageError(
                    f"--scenario {scenario}: runs one station; --count is for "
                    f"{', '.join(SCENARIOS)}, load"
                )
            ignored = _given(args, "--state-dir", *_TRANSACTION_OPTIONS, *_RETRY_OPTIONS)
        elif scenario == "boot":  # no transaction
            ignored = _given(args, *_TRANSACTION_OPTIONS)
    if ignored:
        raise UsageError(f"--scenario {scenario} does not use {', '.join(ignored)}")
    if args.state_dir is None:
        without = _given(args, *_RETRY_OPTIONS)
        if without:
            raise UsageError(f"{', '.join(without)}: need --state-dir")


def fill_defaults(args: argparse.Namespace) -> None:
    """After check_combinations: the documented defaults of the options not given."""
    for name, default in OFFLINE_DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    if args.duration is None:
        args.duration = DEFAULT_DURATION


def identities(first: str, count: int) -> "list[str]":
    """`count` identities: `first` alone, or a series counting from the number `first`
    ends with (CP1 -> CP1, CP2, ...; CP -> CP1, CP2, ...; CP09 -> CP09, CP10, ...)."""
    if count == 1:
        return [first]
    match = re.match(r"^(.*?)(\d*)$", first)
    assert match is not None
    stem, digits = match.group(1), match.group(2)
    start = int(digits) if digits else 1
    width = len(digits)  # keep zero padding: BAY-07 -> BAY-07, BAY-08
    return [f"{stem}{start + n:0{width}d}" for n in range(count)]


def run(args: argparse.Namespace) -> int:
    import asyncio

    from ocpp_core.ws import StationConfig

    check_combinations(args)
    fill_defaults(args)
    names = identities(args.id, args.count)
    try:
        for name in (names[0], names[-1]):
            config = StationConfig(
                url=args.csms, identity=name, versions=(args.ocpp,), password=args.password
            )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    ssl = client_ssl(args, config.secure)
    check_offline_options(args, names)
    stream = open_log(args.log)
    try:
        if args.scenario == "load":
            from ocpp_cli.simload import run_load_command

            return run_load_command(args, names, ssl)
        if args.scenario not in SCENARIOS:  # bad, or a scenario file
            from ocpp_cli.scenario_run import run_station_special

            return asyncio.run(run_station_special(args, SCENARIOS, ssl, stream))
        return asyncio.run(_run(args, names, ssl, stream))
    finally:
        if stream is not None:
            stream.close()


async def _run(args: argparse.Namespace, names: "list[str]", ssl: Any, stream: Any) -> int:
    import sys

    from ocpp_cli.fleet import run_fleet, summary_lines
    from ocpp_cli.sim import FrameLog, Stats
    from ocpp_cli.simstation import StationRun

    stats = Stats()
    frame_log = FrameLog(stream) if stream is not None else None

    def make(identity: str) -> StationRun:
        return StationRun(
            args.csms,
            identity,
            args.ocpp,
            args.scenario,
            stats=stats,
            password=args.password,
            ssl=ssl,
            frame_log=frame_log,
            timeout=args.timeout,
            **offline_options(args),
        )

    results, elapsed = await run_fleet(make, names, args.rate, show_progress=len(names) > 1)
    failed = [(name, failure) for name, failure in results if failure is not None]
    for name, failure in failed[:10]:
        sys.stderr.write(f"{name}: {failure}\n")
    if len(failed) > 10:
        sys.stderr.write(f"... and {len(failed) - 10} more stations failed\n")
    if len(names) == 1:
        verdict = "passed" if not failed else "FAILED"
        sys.stdout.write(f"{names[0]} (OCPP {args.ocpp}) {args.scenario}: {verdict}\n")
    for line in summary_lines(stats, len(names), len(failed), elapsed):
        sys.stdout.write(line + "\n")
    return 1 if failed else 0

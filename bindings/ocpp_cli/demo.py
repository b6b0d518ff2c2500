"""`ocpp-toolkit demo`: the CSMS simulator and one station per version and scenario on
loopback, and a table of what happened.

For each of OCPP 1.6, 2.0.1 and 2.1: a `charge` station (boot, heartbeat, Available,
authorize, a transaction with meter values, stop) and a `remote` station (the CSMS
sends the remote start right after its boot; the station accepts and charges for the
id token it got). The same simulator code runs every version (`ocpp_core.generic`).
Exit status 0 only when every run passed.
"""

import argparse
import time
from typing import Any

from ocpp_cli.simcli import positive_float
from ocpp_cli.usage import UsageError

SCENARIOS = ("charge", "remote")
VERSIONS = ("1.6", "2.0.1", "2.1")


def add_parser(subparsers: "Any", parents: "list[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "demo",
        parents=parents,
        help="run the CSMS and station simulators on loopback, every version",
        description=(
            "Start the CSMS simulator on 127.0.0.1 (a free port) and, for each of OCPP "
            "1.6, 2.0.1 and 2.1, one station running a charging session and one taking "
            "a remote start; print a table version x scenario -> result."
        ),
        epilog="exit status: 0 every run passed, 1 some run failed",
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=20.0,
        metavar="SECONDS",
        help="give up on the whole demo after this long (default 20)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    rows = asyncio.run(_demo(args.timeout))
    _print_table(rows)
    return 0 if all(row["ok"] for row in rows) else 1


async def _demo(timeout: float) -> "list[dict[str, Any]]":
    import asyncio

    import ocpp_asyncio

    from ocpp_cli.simcsms import CsmsSimulator
    from ocpp_cli.simstation import StationRun
    from ocpp_core.ws import CsmsConfig

    csms = CsmsSimulator(
        VERSIONS,
        remote_start_after=0.0,
        remote_start_for=lambda identity: identity.endswith("-remote"),
        call_timeout=timeout,
    )
    config = CsmsConfig(path_prefix="/ocpp/", versions=VERSIONS)
    try:
        server = await ocpp_asyncio.serve(
            config,
            host="127.0.0.1",
            port=0,
            router=csms.router,
            on_connect=csms.on_connect,
            on_connected=csms.on_connected,
        )
    except OSError as exc:  # no loopback here: nothing the demo can do
        raise UsageError(f"cannot listen on 127.0.0.1: {exc.strerror or exc}") from None
    url = f"ws://127.0.0.1:{server.port}/ocpp"
    runs = [
        StationRun(
            url, f"demo{version.replace('.', '')}-{scenario}", version, scenario, timeout=timeout
        )
        for version in VERSIONS
        for scenario in SCENARIOS
    ]

    async def timed(station: StationRun) -> "tuple[bool, float]":
        started = time.perf_counter()
        ok = await station.run()
        return ok, time.perf_counter() - started

    try:
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(timed(station) for station in runs)), timeout
        )
    except asyncio.TimeoutError:
        outcomes = [(False, timeout)] * len(runs)
        for station in runs:
            station.failure = station.failure or f"not finished within {timeout:g} s"
    finally:
        await csms.close()
        await server.close()
    rows = []
    for station, (ok, seconds) in zip(runs, outcomes, strict=True):
        stats = station.stats
        rows.append(
            {
                "version": station.version,
                "scenario": station.scenario,
                "ok": ok and station.failure is None,
                "failure": station.failure,
                "sent": stats.calls,
                "received": stats.calls_received,
                "frames": stats.frames_in + stats.frames_out,
                "ms": seconds * 1000.0,
            }
        )
    return rows


def _print_table(rows: "list[dict[str, Any]]") -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="ocpp-toolkit demo: simulators on loopback")
    table.add_column("OCPP")
    table.add_column("scenario")
    table.add_column("result")
    table.add_column("CALLs station->CSMS", justify="right")
    table.add_column("CALLs CSMS->station", justify="right")
    table.add_column("frames", justify="right")
    table.add_column("ms", justify="right")
    for row in rows:
        result = "[green]PASS[/green]" if row["ok"] else f"[red]FAIL[/red] {row['failure']}"
        table.add_row(
            row["version"],
            row["scenario"],
            result,
            str(row["sent"]),
            str(row["received"]),
            str(row["frames"]),
            f"{row['ms']:.0f}",
        )
    console = Console(width=max(100, Console().width))
    console.print(table)
    passed = sum(1 for row in rows if row["ok"])
    console.print(f"{passed}/{len(rows)} passed")

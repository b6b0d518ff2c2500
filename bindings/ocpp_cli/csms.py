"""`ocpp-toolkit csms`: the CSMS simulator, until Ctrl-C or SIGTERM.

Accepts stations of every enabled version on one port (any path, or only those under
`--path-prefix`; the identity is the last segment), answers every station-initiated
action with a valid accepting response (`ocpp_cli.simcsms`), and with
`--remote-start-after` sends each booted station a remote start. One line per notable
event on stdout; `--log FILE` writes every frame as JSON lines that
`ocpp-toolkit validate` reads.
"""

import argparse
from typing import Any

from ocpp_cli.simcli import (
    add_tls_options,
    non_negative_float,
    open_log,
    port_number,
    server_ssl,
    versions_list,
)
from ocpp_cli.usage import UsageError


def add_parser(subparsers: "Any", parents: "list[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "csms",
        parents=parents,
        help="run a CSMS simulator that accepts stations of every version",
        description=(
            "A CSMS simulator: accepts OCPP 1.6, 2.0.1 and 2.1 stations on one port at "
            "ws://HOST:PORT/ANY/PATH/<identity>, answers every station-initiated action "
            "with a valid accepting response (BootNotification Accepted, Authorize "
            "Accepted, increasing 1.6 transaction ids, empty confirmations), and "
            "optionally sends each station a remote start after its boot. Runs until "
            "Ctrl-C or SIGTERM."
        ),
        epilog="exit status: 0 stopped by Ctrl-C / SIGTERM, 2 usage error (e.g. port in use)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=port_number, default=9000, help="TCP port (default 9000; 0 picks a free one)"
    )
    parser.add_argument(
        "--path-prefix",
        metavar="PATH",
        help="accept only PATH/<identity> (default: any path, the identity is its last "
        "segment, e.g. /ocpp/CP1)",
    )
    parser.add_argument(
        "--versions",
        type=versions_list,
        default=("1.6", "2.0.1", "2.1"),
        metavar="LIST",
        help="OCPP versions accepted, comma separated, preferred first (default 1.6,2.0.1,2.1)",
    )
    parser.add_argument(
        "--remote-start-after",
        type=non_negative_float,
        metavar="SECONDS",
        help="send each station a remote start this long after its BootNotification",
    )
    parser.add_argument(
        "--id-tag",
        default="REMOTE01",
        metavar="TAG",
        help="the id tag / id token of the remote start (default REMOTE01)",
    )
    add_tls_options(parser, "csms")
    parser.add_argument(
        "--log", metavar="FILE", help="write every frame in and out as JSON lines to FILE"
    )
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="run the scenario FILE (.yaml/.toml: call, expect, wait, raw steps) against "
        "the first station that connects, print PASS/FAIL per step and exit: 0 all "
        "passed, 1 a step failed, 2 an invalid file",
    )
    parser.add_argument(
        "--identity",
        metavar="IDENTITY",
        help="with --scenario: run it against this station, not the first one",
    )
    parser.set_defaults(run=run)


def _prefix(text: str) -> str:
    if any(char in text for char in "?# %\\") or any(ord(char) < 0x21 for char in text):
        raise UsageError(f"--path-prefix: not a plain URL path: {text!r}")
    prefix = text if text.startswith("/") else "/" + text
    return prefix if prefix.endswith("/") else prefix + "/"


def run(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from ocpp_core.ws import CsmsConfig

    if not args.id_tag or len(args.id_tag) > 20:
        raise UsageError("--id-tag must be 1 to 20 characters (1.6 idTag)")
    scenario = None
    if args.scenario is not None:
        from ocpp_cli.scenario_run import prepare_csms

        scenario = prepare_csms(args)  # a bad file is a usage error before listening
    elif args.identity is not None:
        raise UsageError("--identity needs --scenario")
    try:
        prefix = None if args.path_prefix is None else _prefix(args.path_prefix)
        config = CsmsConfig(path_prefix=prefix, versions=args.versions)
    except ValueError as exc:
        raise UsageError(f"--path-prefix: {exc}") from None
    ssl = server_ssl(args)
    stream = open_log(args.log)
    # Until the event loop takes SIGTERM over, it stops us like Ctrl-C does.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        if scenario is not None:
            from ocpp_cli.scenario_run import serve_scenario

            return asyncio.run(serve_scenario(args, scenario, config, ssl, stream))
        return asyncio.run(_serve(args, config, ssl, stream))
    except KeyboardInterrupt:
        # Ctrl-C / SIGTERM before the simulator listened: nothing to shut down.
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if stream is not None:
            stream.close()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


async def listen(
    args: argparse.Namespace, config: Any, ssl: Any, **serve_options: Any
) -> "tuple[Any, Any, str]":
    """Start the CSMS server of `csms` and `csms --scenario`: (server, an asyncio.Event
    set by SIGINT / SIGTERM, the "ws://HOST:PORT/PATH<identity> (...)" text to show).
    A port that cannot be bound is the user's mistake: UsageError, exit 2."""
    import asyncio
    import signal

    import ocpp_asyncio

    try:
        server = await ocpp_asyncio.serve(
            config, host=args.host, port=args.port, ssl=ssl, **serve_options
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    scheme = "wss" if ssl is not None else "ws"
    host = f"[{args.host}]" if ":" in args.host else args.host
    # Without --path-prefix any path works; /ocpp/ is shown as an example.
    where = (
        f"{scheme}://{host}:{server.port}{config.path_prefix or '/ocpp/'}<identity> "
        f"({'' if config.path_prefix else 'any path; '}OCPP {', '.join(args.versions)})"
    )
    return server, stop, where


async def _serve(args: argparse.Namespace, config: Any, ssl: Any, stream: Any) -> int:
    import asyncio
    import signal
    import sys

    from ocpp_cli.sim import FrameLog
    from ocpp_cli.simcsms import CsmsSimulator

    def report(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    csms = CsmsSimulator(
        args.versions,
        remote_start_after=args.remote_start_after,
        id_tag=args.id_tag,
        frame_log=FrameLog(stream) if stream is not None else None,
        report=report,
    )
    server, stop, where = await listen(
        args,
        config,
        ssl,
        router=csms.router,
        on_connect=csms.on_connect,
        on_connected=csms.on_connected,
    )
    report(f"listening on {where}")
    loop = asyncio.get_running_loop()
    try:
        await stop.wait()
    finally:
        # The handlers stay while shutting down: a second Ctrl-C does not interrupt it.
        await csms.close()
        await server.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    stats = csms.stats
    report(
        f"stopped: {stats.calls_received} CALLs answered, {stats.calls} sent, "
        f"{stats.frames_in + stats.frames_out} frames"
    )
    return 0

"""The load scenario of the fleet simulator: N stations boot once, then send Heartbeat
and MeterValues in turn for a fixed time, one CALL in flight per station, as fast as
the CSMS answers. The summary: calls, calls/s, latency p50/p99, errors by label.

    ocpp-toolkit station --csms ws://127.0.0.1:9000/ocpp --ocpp 1.6 \\
        --scenario load --count 100 --duration 10 --json

It speaks the typed API of `ocpp_asyncio` (no generic-model mapping per call), and the
requests are built once per run, so that the generator costs as little as it can while
still validating every answer it gets (about 200 µs of CPU per call: one generator
process saturates a server that costs more than that per call). Stations connect
CONNECTING_AT_ONCE at a time (`--rate` does not apply). bench/e2e.py drives `LoadRun`
phase by phase (bench/e2e_load.py), next to a cheaper, non-validating generator.
"""

import argparse
import asyncio
import datetime
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Optional

import ocpp_asyncio

from ocpp_core.handlers import messages_of
from ocpp_core.ws import StationConfig

# Handshakes in flight at once while the fleet connects: a listening socket's backlog
# is small (asyncio's default is 100), and a dropped SYN costs a one-second retry.
CONNECTING_AT_ONCE = 64
CONNECT_FAILED = "ConnectFailed"
NOT_ACCEPTED = "NotAccepted"


class Workload:
    """The typed requests of one version, built once: BootNotification, StatusNotification,
    and the loop's Heartbeat and MeterValues (one reading of the energy register)."""

    def __init__(self, version: str) -> None:
        m = messages_of(version)
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        if version == "1.6":
            self.boot: Any = m.BootNotificationRequest(
                charge_point_vendor="ocpp-toolkit", charge_point_model="LoadSim"
            )
            self.status: Any = m.StatusNotificationRequest(
                connector_id=1, error_code="NoError", status="Available", timestamp=now
            )
            sample = m.SampledValue(
                value="1234.5", measurand="Energy.Active.Import.Register", unit="Wh"
            )
            self.meter_values: Any = m.MeterValuesRequest(
                connector_id=1, meter_value=[m.MeterValue(timestamp=now, sampled_value=[sample])]
            )
        else:
            station = m.ChargingStation(model="LoadSim", vendor_name="ocpp-toolkit")
            self.boot = m.BootNotificationRequest(charging_station=station, reason="PowerUp")
            self.status = m.StatusNotificationRequest(
                timestamp=now, connector_status="Available", evse_id=1, connector_id=1
            )
            sample = m.SampledValue(value=1234.5, measurand="Energy.Active.Import.Register")
            self.meter_values = m.MeterValuesRequest(
                evse_id=1, meter_value=[m.MeterValue(timestamp=now, sampled_value=[sample])]
            )
        self.heartbeat: Any = m.HeartbeatRequest()
        self.loop: tuple[Any, ...] = (self.heartbeat, self.meter_values)


class LoadStats:
    """What a fleet's load produced. The counters run from the start; `open_window()`
    (every station has had its first answer: the ramp is over) sets them back to zero
    and `close_window()` freezes what the window counted, so that the summary is the
    sustained rate, not the start-up burst nor the drain of the last calls."""

    def __init__(self) -> None:
        self.connected = 0
        self.calls = 0  # answered with a valid CALLRESULT
        self.latencies: list[float] = []  # seconds, one per answered call
        self.errors: Counter[str] = Counter()  # over the whole run, ramp and drain too
        self.warm = 0  # stations past their first call (answered, failed or gone)
        self.started = 0.0  # perf_counter when the window opened
        self.ended = 0.0  # ... and when it closed
        self.window: Optional[tuple[int, list[float]]] = None  # (calls, latencies)
        self.last_answer = 0.0  # perf_counter of the newest valid answer
        self.duration = 0.0  # the window asked for (--duration)
        self.ended_early = False  # every station stopped before the window's end

    def open_window(self) -> None:
        self.calls = 0
        self.latencies = []
        self.started = time.perf_counter()

    def close_window(self, early: bool = False) -> None:
        """`early`: the stations all stopped (the CSMS went away) before `duration`:
        the window ends at the last answer, so the rate is over the time there was
        load, not over seconds with nobody calling."""
        self.ended_early = early
        self.ended = time.perf_counter()
        if early and self.last_answer > self.started:  # (bench/e2e_load.py does not set it)
            self.ended = self.last_answer
        self.window = (self.calls, self.latencies)
        self.latencies = []  # the drain counts on, apart

    @property
    def elapsed(self) -> float:
        return max(0.0, self.ended - self.started)

    def summary(self, stations: int, version: str) -> "dict[str, Any]":
        calls, latencies = self.window if self.window is not None else (0, [])
        elapsed = self.elapsed
        p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
        return {
            "scenario": "load",
            "ocpp": version,
            "stations": stations,
            "connected": self.connected,
            "seconds": round(elapsed, 3),
            "calls": calls,
            "calls_per_s": round(calls / elapsed, 1) if elapsed > 0 else 0.0,
            "p50_ms": None if p50 is None else round(p50 * 1000, 3),
            "p99_ms": None if p99 is None else round(p99 * 1000, 3),
            "errors": dict(sorted(self.errors.items())),
            "duration": self.duration,
            "ended_early": self.ended_early,
        }


def percentile(values: "list[float]", fraction: float) -> Optional[float]:
    """Nearest rank: the smallest value with at least `fraction` of them at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


async def measure_window(
    stats: LoadStats,
    loops: "Sequence[asyncio.Future[None]]",
    duration: float,
    ramp_timeout: float,
    stop: "Callable[[], None]",
    on_open: "Optional[Callable[[], None]]" = None,
    on_close: "Optional[Callable[[], None]]" = None,
) -> None:
    """Run the started station `loops`: wait for the ramp (every station answered once,
    at most `ramp_timeout`), count `duration` seconds, `stop()` them and wait for them
    to end. `on_open` / `on_close` run right at the window's edges (bench/e2e.py reads
    the server's CPU time there)."""
    ramp_end = time.perf_counter() + ramp_timeout
    while stats.warm < len(loops) and time.perf_counter() < ramp_end:
        if all(loop.done() for loop in loops):
            break
        await asyncio.sleep(0.005)
    stats.duration = duration
    stats.open_window()
    if on_open is not None:
        on_open()
    early = False
    if loops:  # ends sooner when every station stopped (its connection lost)
        _done, running = await asyncio.wait(loops, timeout=duration)
        early = not running
    stats.close_window(early)
    if on_close is not None:
        on_close()
    stop()
    await asyncio.gather(*loops)


class LoadRun:
    """N stations against one CSMS: `connect_all()`, then `load(duration)`, `close_all()`."""

    def __init__(
        self,
        url: str,
        names: "list[str]",
        version: str,
        password: Optional[str] = None,
        ssl: Any = None,
        timeout: float = 30.0,
    ) -> None:
        self.url = url
        self.names = names
        self.version = version
        self.password = password
        self.ssl = ssl
        self.timeout = timeout
        self.work = Workload(version)
        self.stats = LoadStats()
        self.connections: list[ocpp_asyncio.Connection] = []
        self.failures: list[str] = []
        self.stopping = False

    async def connect_all(self) -> None:
        """Open every connection and boot it (BootNotification Accepted, then
        StatusNotification Available); a station that fails is left out of the load."""
        gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
        opened = await asyncio.gather(*(self._connect(name, gate) for name in self.names))
        self.connections = [conn for conn in opened if conn is not None]
        self.stats.connected = len(self.connections)

    async def _connect(
        self, name: str, gate: asyncio.Semaphore
    ) -> "Optional[ocpp_asyncio.Connection]":
        config = StationConfig(
            url=self.url, identity=name, versions=(self.version,), password=self.password
        )
        async with gate:
            try:
                conn = await ocpp_asyncio.connect(config, ssl=self.ssl, auto_heartbeat=False)
            except (OSError, ocpp_asyncio.HandshakeError, asyncio.TimeoutError) as exc:
                self._fail(CONNECT_FAILED, f"{name}: cannot connect: {exc}")
                return None
            try:
                answer = await conn.call(self.work.boot, timeout=self.timeout)
                if str(answer.status.value) != "Accepted":
                    self._fail(NOT_ACCEPTED, f"{name}: BootNotification {answer.status.value}")
                    await conn.close()
                    return None
                await conn.call(self.work.status, timeout=self.timeout)
            except Exception as exc:
                self._fail(_label(exc), f"{name}: boot failed: {exc}")
                await conn.close()
                return None
        return conn

    def _fail(self, label: str, reason: str) -> None:
        self.stats.errors[label] += 1
        self.failures.append(reason)

    async def load(
        self,
        duration: float,
        on_open: "Optional[Callable[[], None]]" = None,
        on_close: "Optional[Callable[[], None]]" = None,
    ) -> None:
        """Every connected station calls in a loop: the ramp, `duration` seconds
        counted, then the drain (see `measure_window`)."""
        self.stopping = False
        loops = [asyncio.ensure_future(self._loop(conn)) for conn in self.connections]
        await measure_window(
            self.stats, loops, duration, self.timeout, self._stop, on_open, on_close
        )

    def _stop(self) -> None:
        self.stopping = True

    async def _loop(self, conn: "ocpp_asyncio.Connection") -> None:
        stats = self.stats
        requests = self.work.loop
        timeout = self.timeout
        clock = time.perf_counter
        turn = 0
        warm = False
        while not self.stopping:
            started = clock()
            try:
                await conn.call(requests[turn & 1], timeout=timeout)
            except Exception as exc:
                stats.errors[_label(exc)] += 1
                if conn.closed:
                    self.failures.append(f"{conn.identity}: {exc}")
                    if not warm:  # a lost station ends its part of the ramp
                        stats.warm += 1
                    return
            else:
                ended = clock()
                stats.last_answer = ended
                stats.calls += 1
                stats.latencies.append(ended - started)
            if not warm:  # its first answer, whatever it was: its ramp is over
                warm = True
                stats.warm += 1
            turn += 1

    async def close_all(self) -> None:
        await asyncio.gather(*(conn.close() for conn in self.connections), return_exceptions=True)


def _label(exc: BaseException) -> str:
    if isinstance(exc, ocpp_asyncio.CallError):
        return exc.code
    if isinstance(exc, ocpp_asyncio.CallTimeout):
        return "Timeout"
    if isinstance(exc, ocpp_asyncio.InvalidResponse):
        return "InvalidResponse"
    if isinstance(exc, ocpp_asyncio.ConnectionClosedError):
        return "ConnectionClosed"
    return type(exc).__name__


def summary_lines(summary: "dict[str, Any]") -> "list[str]":
    """The human summary of `LoadStats.summary()`, in the fleet summary's wording."""
    failed = summary["stations"] - summary["connected"]
    lines = [
        f"stations: {summary['stations']} ({summary['connected']} loaded, {failed} failed), "
        f"OCPP {summary['ocpp']}, {summary['seconds']:.2f} s under load",
        f"calls answered: {summary['calls']} ({summary['calls_per_s']:.1f} calls/s)",
    ]
    if summary["p50_ms"] is None:
        lines.append("latency: no answered calls")
    else:
        lines.append(f"latency: p50 {summary['p50_ms']:.1f} ms, p99 {summary['p99_ms']:.1f} ms")
    errors = summary["errors"]
    lines.append(
        "errors: " + (", ".join(f"{code} {count}" for code, count in errors.items()) or "none")
    )
    if summary.get("ended_early"):
        lines.append(
            f"ended early: no station was loading after {summary['seconds']:.2f} s "
            f"of --duration {summary['duration']:g}"
        )
    return lines


async def run_load(
    url: str,
    names: "list[str]",
    version: str,
    duration: float,
    password: Optional[str] = None,
    ssl: Any = None,
    timeout: float = 30.0,
) -> "tuple[dict[str, Any], list[str]]":
    """The `station --scenario load` run: (summary, failure reasons)."""
    run = LoadRun(url, names, version, password, ssl, timeout)
    await run.connect_all()
    try:
        await run.load(duration)
    finally:
        await run.close_all()
    return run.stats.summary(len(names), version), run.failures


def run_load_command(args: argparse.Namespace, names: "list[str]", ssl: Any) -> int:
    """`ocpp-toolkit station --scenario load`: the summary on stdout (lines, or one JSON
    object with --json); exit 0 when every station connected, booted and had every
    call answered with a valid CALLRESULT, 1 otherwise."""
    from ocpp_cli.usage import UsageError

    if args.log is not None:
        raise UsageError("--log is not available with --scenario load (it would measure the log)")
    summary, failures = asyncio.run(
        run_load(args.csms, names, args.ocpp, args.duration, args.password, ssl, args.timeout)
    )
    for reason in failures[:10]:
        sys.stderr.write(reason + "\n")
    if len(failures) > 10:
        sys.stderr.write(f"... and {len(failures) - 10} more failures\n")
    if args.json:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        for line in summary_lines(summary):
            sys.stdout.write(line + "\n")
    ok = summary["connected"] == summary["stations"] and not summary["errors"]
    return 0 if ok and summary["calls"] > 0 else 1

"""End-to-end CSMS benchmark: our asyncio CSMS, mobilityhouse's and a bare echo server,
each serving N concurrent stations that send Heartbeat and MeterValues in a loop.

    .venv/bin/python bench/e2e.py                     # N = 100 and 1000, 5 s of load each
    .venv/bin/python bench/e2e.py --n 100,1000,10000  # 10 000 if RLIMIT_NOFILE allows
    .venv/bin/python bench/e2e.py --quick             # 10 stations, 1 s windows
    .venv/bin/python bench/e2e.py --json              # one JSON document on stdout
    .venv/bin/python bench/e2e.py --servers ours,shared,proto,lean  # bench/e2e_sketch.py
    .venv/bin/python bench/e2e.py --profile ours.prof # cProfile our server meanwhile
    .venv/bin/python bench/e2e.py --py-spy ours.folded --servers ours  # sampled, by layer

Not a test: it prints numbers and never fails on them. Per server and per N:

- the server (bench/e2e_servers.py) runs in its own process pinned to one CPU, the load
  (bench/e2e_load.py: the fleet simulator's load scenario, phase by phase) in another
  process pinned to the other CPUs;
- a short warm-up load (2 stations), then RSS with no connection (`VmRSS` of
  /proc/<pid>/status); the N stations connect and boot (BootNotification,
  StatusNotification), RSS again once they are idle: (idle - empty) / N is the memory
  per idle connection;
- then every station calls in a loop, one CALL in flight; once each has had its first
  answer (the ramp: with 10 000 stations the first round takes seconds) a window of
  `--duration` seconds is counted: the load reports the calls answered in it, calls/s
  and latency p50/p99; the server's CPU time over the same window (utime + stime of
  /proc/<pid>/stat) divided by those calls is its CPU cost per call. On a shared
  machine calls/s moves with the neighbours, CPU per call much less; `busy` (server CPU
  seconds per second) says whether the server was the bottleneck (1.0 = its core was
  saturated);
- `--wire raw` (default) is the load generator that sends pre-encoded frames and checks
  each answer's id only: ~30 µs of CPU per call, so one process saturates even the echo
  server. `--wire typed` is the validating ocpp_asyncio station (what `ocpp-toolkit
  station --scenario load` runs): ~200 µs per call, it saturates only mobilityhouse.
"""

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any, Optional

ROOT = Path(__file__).resolve().parent.parent
SERVERS = ("ours", "mh", "echo")  # the default run; bench/e2e_sketch.py adds three more
LABELS = {
    "ours": "ocpp-toolkit asyncio",
    "mh": "mobilityhouse ocpp",
    "echo": "bare websockets echo",
    "shared": "sketch: shared codec",
    "proto": "sketch: Protocol",
    "lean": "sketch: Protocol+framing",
}
TARGET_VS_MH = 10.0  # ours calls/s >= 10x mobilityhouse's
TARGET_VS_ECHO = 0.5  # ... and >= half the echo server's
TICKS = os.sysconf("SC_CLK_TCK")


def env() -> "dict[str, str]":
    environ = dict(os.environ)
    paths = [str(ROOT / "bindings"), str(ROOT)]
    if environ.get("PYTHONPATH"):
        paths.append(environ["PYTHONPATH"])
    environ["PYTHONPATH"] = os.pathsep.join(paths)
    return environ


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def pin(pid: int, cpus: "set[int]") -> None:
    try:
        os.sched_setaffinity(pid, cpus)
    except (AttributeError, OSError):  # not Linux, or not allowed: run unpinned
        pass


def raise_fd_limit() -> int:
    """Raise RLIMIT_NOFILE's soft limit to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 1 << 20)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


class Server:
    """One bench/e2e_servers.py process."""

    def __init__(self, kind: str, version: str, cpus: "set[int]", profile: Optional[str]) -> None:
        command = [sys.executable, str(ROOT / "bench" / "e2e_servers.py"), kind, "--ocpp", version]
        if profile:
            command += ["--profile", profile]
        # stderr to a file: a chatty server must never block on a full pipe.
        self.errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self.errors, text=True, env=env()
        )
        pin(self.process.pid, cpus)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("listening "):
            raise RuntimeError(f"{kind} server did not start: {line}{self.stop()}")
        self.port = int(line.split()[1])
        self.pid = self.process.pid

    def stop(self) -> str:
        """SIGTERM, wait; what it wrote on stderr (warnings, tracebacks)."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
        self.errors.seek(0)
        errors = self.errors.read()
        self.errors.close()
        return errors


class Load:
    """One bench/e2e_load.py process."""

    def __init__(
        self,
        url: str,
        count: int,
        duration: float,
        version: str,
        wire: str,
        cpus: "set[int]",
        prefix: str,
    ) -> None:
        command = [
            sys.executable, str(ROOT / "bench" / "e2e_load.py"),
            "--csms", url, "--count", str(count), "--duration", str(duration),
            "--ocpp", version, "--wire", wire, "--prefix", prefix,
        ]  # fmt: skip
        self.errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env=env(),
        )
        pin(self.process.pid, cpus)

    def expect(self, event: str) -> "dict[str, Any]":
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=60)
            self.errors.seek(0)
            raise RuntimeError(f"the load ended before {event!r}: {self.errors.read()}")
        report: dict[str, Any] = json.loads(line)
        if report.get("event") != event:
            raise RuntimeError(f"the load said {report!r}, expected {event!r}")
        return report

    def go_on(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()

    def finish(self) -> None:
        self.expect("closed")
        self.process.wait(timeout=60)
        self.errors.close()


def measure(
    kind: str, count: int, args: argparse.Namespace, cpus: "tuple[set[int], set[int]]"
) -> "dict[str, Any]":
    server_cpus, load_cpus = cpus
    profile = args.profile if kind == "ours" else None
    server = Server(kind, args.ocpp, server_cpus, profile)
    url = f"ws://127.0.0.1:{server.port}/ocpp"
    loads: list[Load] = []
    try:
        # Warm-up: code and caches that load on first use belong to the empty baseline.
        warm = Load(url, 2, args.warm_up, args.ocpp, args.wire, load_cpus, "WARM")
        loads.append(warm)
        warm.expect("ready")
        warm.go_on()
        for event in ("window", "window closed", "loaded"):
            warm.expect(event)
        warm.go_on()
        warm.finish()
        time.sleep(args.settle)
        empty = rss_kb(server.pid)

        load = Load(url, count, args.duration, args.ocpp, args.wire, load_cpus, "CP")
        loads.append(load)
        ready = load.expect("ready")
        time.sleep(args.settle)
        idle = rss_kb(server.pid)
        load.go_on()
        load.expect("window")  # the ramp is over: every station has had an answer
        before = cpu_seconds(server.pid)
        load_before = cpu_seconds(load.process.pid)
        spy = start_py_spy(args, server.pid) if kind == "ours" else None
        load.expect("window closed")
        server_cpu = cpu_seconds(server.pid) - before
        load_cpu = cpu_seconds(load.process.pid) - load_before
        loaded = load.expect("loaded")
        load.go_on()
        load.finish()
        if spy is not None:
            spy.wait(timeout=60)
    finally:
        for started in loads:  # a run that failed half-way leaves no process behind
            if started.process.poll() is None:
                started.process.kill()
                started.process.wait()
        problems = server.stop()
    calls = loaded["calls"]
    seconds = loaded["seconds"]
    connected = ready["connected"]
    return {
        "server": kind,
        "stations": count,
        "connected": connected,
        "calls": calls,
        "seconds": seconds,
        "calls_per_s": loaded["calls_per_s"],
        "p50_ms": loaded["p50_ms"],
        "p99_ms": loaded["p99_ms"],
        "errors": loaded["errors"],
        "server_cpu_us_per_call": round(server_cpu / calls * 1e6, 1) if calls else None,
        "server_busy": round(server_cpu / seconds, 2) if seconds else None,
        "load_cpu_us_per_call": round(load_cpu / calls * 1e6, 1) if calls else None,
        "rss_empty_kb": empty,
        "rss_idle_kb": idle,
        "kb_per_connection": round((idle - empty) / connected, 1) if connected else None,
        "failures": ready.get("failures", []) + loaded.get("failures", []),
        "server_stderr": _interesting(problems),
    }


def start_py_spy(args: argparse.Namespace, pid: int) -> "Optional[subprocess.Popen[bytes]]":
    """py-spy sampling our server over the loaded window (raw folded stacks), or None."""
    if not args.py_spy:
        return None
    binary = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if binary is None:
        raise SystemExit("--py-spy: no py-spy on PATH (pip install py-spy, or set PY_SPY)")
    seconds = str(max(1, math.floor(args.duration)))
    return subprocess.Popen(
        [binary, "record", "--pid", str(pid), "--duration", seconds, "--rate", "250",
         "--nonblocking", "--format", "raw", "--output", args.py_spy],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _interesting(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return "\n".join(lines[-10:])


def _ratio(numerator: Any, denominator: Any) -> Optional[float]:
    if not numerator or not denominator:
        return None
    return round(float(numerator) / float(denominator), 2)


def ratios(rows: "list[dict[str, Any]]") -> "dict[str, Any]":
    by = {row["server"]: row for row in rows}
    ours, mh, echo = by.get("ours"), by.get("mh"), by.get("echo")
    result: dict[str, Any] = {"stations": rows[0]["stations"]}
    if ours is not None and mh is not None:
        result["ours_vs_mh_calls_per_s"] = _ratio(ours["calls_per_s"], mh["calls_per_s"])
        result["mh_vs_ours_cpu_per_call"] = _ratio(
            mh["server_cpu_us_per_call"], ours["server_cpu_us_per_call"]
        )
    if ours is not None and echo is not None:
        result["ours_vs_echo_calls_per_s"] = _ratio(ours["calls_per_s"], echo["calls_per_s"])
        result["echo_vs_ours_cpu_per_call"] = _ratio(
            echo["server_cpu_us_per_call"], ours["server_cpu_us_per_call"]
        )
        result["ours_vs_echo_kb_per_connection"] = _ratio(
            ours["kb_per_connection"], echo["kb_per_connection"]
        )
    return result


def _fmt(value: Any, width: int, digits: int = 1) -> str:
    if value is None:
        return f"{'n/a':>{width}}"
    if isinstance(value, float):
        return f"{value:>{width}.{digits}f}"
    return f"{value:>{width}}"


def print_table(rows: "list[dict[str, Any]]", out: "IO[str]") -> None:
    out.write(
        f"  {'server':<24} {'N':>6} {'calls':>8} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'CPU µs/call':>11} {'busy':>5} {'KB/conn':>8} {'load µs/call':>12}  errors\n"
    )
    for row in rows:
        errors = ", ".join(f"{k} {v}" for k, v in row["errors"].items()) or "none"
        if row["connected"] < row["stations"]:
            errors += f"; {row['stations'] - row['connected']} not connected"
        out.write(
            f"  {LABELS[row['server']]:<24} {row['stations']:>6} {row['calls']:>8}"
            f" {_fmt(row['calls_per_s'], 9)} {_fmt(row['p50_ms'], 8, 2)}"
            f" {_fmt(row['p99_ms'], 8, 2)} {_fmt(row['server_cpu_us_per_call'], 11)}"
            f" {_fmt(row['server_busy'], 5, 2)} {_fmt(row['kb_per_connection'], 8)}"
            f" {_fmt(row['load_cpu_us_per_call'], 12)}  {errors}\n"
        )


def print_ratios(result: "dict[str, Any]", out: "IO[str]") -> None:
    def show(value: Any, suffix: str = "x") -> str:
        return "n/a" if value is None else f"{value:.2f}{suffix}"

    n = result["stations"]
    if "ours_vs_mh_calls_per_s" in result:
        out.write(
            f"  N={n}: calls/s ours / mobilityhouse = {show(result['ours_vs_mh_calls_per_s'])}"
            f" (target >= {TARGET_VS_MH:.0f}x); CPU per call mobilityhouse / ours = "
            f"{show(result['mh_vs_ours_cpu_per_call'])}\n"
        )
    if "ours_vs_echo_calls_per_s" in result:
        out.write(
            f"  N={n}: calls/s ours / echo = {show(result['ours_vs_echo_calls_per_s'], '')}"
            f" (target >= {TARGET_VS_ECHO}); CPU per call echo / ours = "
            f"{show(result['echo_vs_ours_cpu_per_call'], '')}; KB per idle connection"
            f" ours / echo = {show(result['ours_vs_echo_kb_per_connection'], '')}"
            " (target <= 1)\n"
        )


def print_profile(path: str, out: "IO[str]", top: int = 25) -> None:
    import io
    import pstats

    text = io.StringIO()
    stats = pstats.Stats(path, stream=text)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    out.write("\nWhere our server's time goes (cProfile, by own time; profiling slows it):\n")
    out.write(text.getvalue())


def _counts(text: str) -> "list[int]":
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("station counts must be at least 1")
    return counts


def _servers(text: str) -> "list[str]":
    names = [part.strip() for part in text.split(",") if part.strip()]
    for name in names:
        if name not in LABELS:
            raise argparse.ArgumentTypeError(f"unknown server {name!r} ({', '.join(LABELS)})")
    return names


def main(argv: "Optional[list[str]]" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=_counts, default=None, help="station counts (default 100,1000)")
    parser.add_argument("--duration", type=float, help="seconds of load per run (default 5)")
    parser.add_argument(
        "--servers",
        type=_servers,
        default=list(SERVERS),
        help="ours,mh,echo (default); sketches (bench/e2e_sketch.py): shared, proto, lean",
    )
    parser.add_argument("--ocpp", default="1.6", choices=("1.6", "2.0.1", "2.1"))
    parser.add_argument("--wire", default="raw", choices=("raw", "typed"), help="load generator")
    parser.add_argument("--quick", action="store_true", help="10 stations, 1 s of load")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--profile", metavar="FILE", help="cProfile our server into FILE")
    parser.add_argument(
        "--py-spy", metavar="FILE", help="sample our server with py-spy under load into FILE"
    )
    args = parser.parse_args(argv)
    counts = args.n or ([10] if args.quick else [100, 1000])
    args.duration = args.duration or (1.0 if args.quick else 5.0)
    args.warm_up = 0.2 if args.quick else 0.5
    args.settle = 0.2 if args.quick else 0.5

    out = sys.stdout
    fd_limit = raise_fd_limit()
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) >= 2:
        placement = ({cpus[0]}, set(cpus[1:]))
        pin(os.getpid(), placement[1])  # this process reads the pipes: off the server's CPU
        where = f"server on CPU {cpus[0]}, load on CPU {','.join(map(str, cpus[1:]))}"
    else:
        placement = (set(cpus), set(cpus))
        where = "server and load share one CPU (calls/s are not meaningful, CPU per call is)"
    header = (
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs"
        f" ({where}); OCPP {args.ocpp}; {args.duration:g} s of load per run; load generator"
        f" --wire {args.wire}; load average {os.getloadavg()[0]:.2f}"
    )
    if not args.json:
        out.write(header + "\n")
    rows: list[dict[str, Any]] = []
    skipped: list[int] = []
    summary: list[dict[str, Any]] = []
    for count in counts:
        if count + 256 > fd_limit:
            skipped.append(count)
            if not args.json:
                out.write(f"\nN={count}: skipped, RLIMIT_NOFILE is {fd_limit}\n")
            continue
        group = [measure(kind, count, args, placement) for kind in args.servers]
        rows.extend(group)
        result = ratios(group)
        summary.append(result)
        if not args.json:
            out.write(f"\nN={count} stations\n")
            print_table(group, out)
            print_ratios(result, out)
            for row in group:
                if row["failures"] or row["server_stderr"]:
                    out.write(f"  {row['server']}: {row['failures'][:3]} {row['server_stderr']}\n")
            out.flush()
    if args.json:
        document = {
            "header": header,
            "rows": rows,
            "ratios": summary,
            "skipped": skipped,
            "targets": {"ours_vs_mh": TARGET_VS_MH, "ours_vs_echo": TARGET_VS_ECHO},
        }
        out.write(json.dumps(document, indent=1) + "\n")
    elif args.profile and "ours" in args.servers:
        print_profile(args.profile, out)
    if args.py_spy and "ours" in args.servers and not args.json:
        from e2e_profile import summarize

        out.write(f"\nWhere our server's CPU goes under load (py-spy, last N, {args.py_spy}):\n")
        with open(args.py_spy, encoding="utf-8") as lines:
            summarize(lines, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`ocpp-toolkit station --scenario load` as a user runs it: N stations against the CSMS
simulator (a subprocess on loopback), Heartbeat and MeterValues in a loop, and the
summary it prints (lines, or JSON with --json)."""

import json
import signal
import socket
import subprocess
import sys
import time

import pytest
from test_cli_sim_support import BackgroundCsms, cli, no_traceback
from test_cli_support import ROOT, cli_env


@pytest.fixture(scope="module")
def csms():
    server = BackgroundCsms("--versions", "1.6,2.0.1")
    yield server
    status, output = server.stop(signal.SIGINT)
    assert status == 0, output
    assert "Traceback" not in output


@pytest.mark.timeout(60)
@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_load_summary_as_json(csms, version):
    identity = "LOAD" + version.replace(".", "") + "-1"
    process = cli(
        "station", "--csms", csms.url, "--ocpp", version, "--id", identity,
        "--scenario", "load", "--count", "3", "--duration", "0.6", "--json",
    )  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr
    assert no_traceback(process)
    summary = json.loads(process.stdout)
    assert summary["scenario"] == "load"
    assert summary["ocpp"] == version
    assert (summary["stations"], summary["connected"]) == (3, 3)
    assert summary["errors"] == {}
    # One call in flight per station for ~0.6 s: many calls, each answered.
    assert summary["calls"] >= 6
    assert summary["seconds"] >= 0.6
    assert summary["calls_per_s"] == pytest.approx(summary["calls"] / summary["seconds"], rel=0.01)
    assert 0 < summary["p50_ms"] <= summary["p99_ms"]


@pytest.mark.timeout(60)
def test_load_summary_as_lines(csms):
    process = cli(
        "station", "--csms", csms.url, "--ocpp", "1.6", "--id", "LINES-1",
        "--scenario", "load", "--count", "2", "--duration", "0.3",
    )  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr
    lines = process.stdout.splitlines()
    assert lines[0].startswith("stations: 2 (2 loaded, 0 failed), OCPP 1.6, ")
    assert lines[1].startswith("calls answered: ")
    assert lines[2].startswith("latency: p50 ")
    assert lines[3] == "errors: none"


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.timeout(60)
def test_load_without_a_csms_fails_with_the_reason():
    url = f"ws://127.0.0.1:{_unused_port()}/ocpp"
    process = cli(
        "station", "--csms", url, "--ocpp", "1.6", "--scenario", "load",
        "--count", "2", "--duration", "0.2", "--json",
    )  # fmt: skip
    assert process.returncode == 1
    summary = json.loads(process.stdout)
    assert summary["connected"] == 0
    assert summary["calls"] == 0
    assert summary["errors"] == {"ConnectFailed": 2}
    assert "cannot connect" in process.stderr
    assert no_traceback(process)


def test_load_refuses_a_frame_log(tmp_path):
    process = cli(
        "station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6", "--scenario", "load",
        "--log", str(tmp_path / "frames.jsonl"),
    )  # fmt: skip
    assert process.returncode == 2
    assert "--log is not available with --scenario load" in process.stderr


@pytest.mark.timeout(60)
def test_a_csms_that_goes_away_ends_the_window_early():
    # The rate is over the time there was load, not over all of --duration; the summary
    # says the run ended early.
    server = BackgroundCsms("--versions", "1.6")
    started = time.monotonic()
    station = subprocess.Popen(
        [sys.executable, "-m", "ocpp_cli", "station", "--csms", server.url, "--ocpp", "1.6",
         "--id", "GONE-1", "--scenario", "load", "--count", "2", "--duration", "20", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=cli_env(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # both stations connected and loading
            server.output.seek(0)
            if server.output.read().count(": connected (OCPP") == 2:
                break
            time.sleep(0.05)
        time.sleep(0.5)
        server.stop(signal.SIGINT)
        out, err = station.communicate(timeout=30)
    finally:
        if station.poll() is None:
            station.kill()
            station.wait()
    assert time.monotonic() - started < 15  # not the 20 s of --duration
    summary = json.loads(out)
    assert summary["ended_early"] is True, out + err
    assert summary["calls"] > 0
    assert 0 < summary["seconds"] < 10
    assert summary["calls_per_s"] == pytest.approx(summary["calls"] / summary["seconds"], rel=0.01)
    assert station.returncode == 1
    assert "Traceback" not in err


@pytest.mark.timeout(60)
def test_the_lines_say_the_run_ended_early():
    from ocpp_cli.simload import summary_lines

    summary = {
        "stations": 1, "connected": 1, "ocpp": "1.6", "seconds": 1.25, "calls": 10,
        "calls_per_s": 8.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": {"ConnectionClosed": 1},
        "duration": 20.0, "ended_early": True,
    }  # fmt: skip
    assert summary_lines(summary)[-1] == (
        "ended early: no station was loading after 1.25 s of --duration 20"
    )

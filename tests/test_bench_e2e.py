"""Smoke run of bench/e2e.py --quick (`make bench-e2e` in small): the three real servers
and the three sketches of bench/e2e_sketch.py, each in a subprocess, each loaded by the
generator in another subprocess. Checked: every row is
there, every call was answered, and the measurements are sane numbers; the timings
themselves are not checked (the machine is shared)."""

import io
import json
import subprocess
import sys

import pytest
from test_cli_support import ROOT, cli_env

SERVERS = ("ours", "mh", "echo")
SKETCHES = ("shared", "proto", "lean")  # bench/e2e_sketch.py: the proposals, measured


@pytest.fixture(scope="module")
def quick_run():
    process = subprocess.run(
        [
            sys.executable,
            "bench/e2e.py",
            "--quick",
            "--json",
            "--servers",
            ",".join(SERVERS + SKETCHES),
        ],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout)


@pytest.mark.timeout(200)
def test_every_server_answers_every_call(quick_run):
    rows = quick_run["rows"]
    assert [row["server"] for row in rows] == list(SERVERS + SKETCHES)
    for row in rows:
        name = row["server"]
        assert row["stations"] == row["connected"] == 10, name
        assert row["errors"] == {} and row["failures"] == [], name
        assert row["calls"] > 0 and row["seconds"] >= 1.0, name
        assert row["calls_per_s"] == pytest.approx(row["calls"] / row["seconds"], rel=0.01)
        assert 0 < row["p50_ms"] <= row["p99_ms"], name
        assert row["server_cpu_us_per_call"] > 0, name
        assert row["load_cpu_us_per_call"] > 0, name
        assert 0 < row["server_busy"] <= 1.5, name  # CPU seconds per second of one process
        assert row["rss_idle_kb"] > 0 and row["rss_empty_kb"] > 0, name
        assert row["kb_per_connection"] is not None, name
        assert "Traceback" not in row["server_stderr"], row["server_stderr"]


@pytest.mark.timeout(200)
def test_ratios_are_those_of_the_rows(quick_run):
    (ratios,) = quick_run["ratios"]
    by = {row["server"]: row for row in quick_run["rows"]}
    assert ratios["stations"] == 10
    assert ratios["ours_vs_mh_calls_per_s"] == pytest.approx(
        by["ours"]["calls_per_s"] / by["mh"]["calls_per_s"], abs=0.01
    )
    assert ratios["echo_vs_ours_cpu_per_call"] == pytest.approx(
        by["echo"]["server_cpu_us_per_call"] / by["ours"]["server_cpu_us_per_call"], abs=0.01
    )
    assert quick_run["skipped"] == []
    assert quick_run["targets"] == {"ours_vs_mh": 10.0, "ours_vs_echo": 0.5}


@pytest.mark.timeout(200)
def test_the_table_shows_every_row_and_the_ratios(quick_run):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import e2e
    finally:
        sys.path.remove(str(ROOT / "bench"))
    out = io.StringIO()
    e2e.print_table(quick_run["rows"], out)
    e2e.print_ratios(quick_run["ratios"][0], out)
    text = out.getvalue()
    for label in ("ocpp-toolkit asyncio", "mobilityhouse ocpp", "bare websockets echo"):
        assert f"  {label}" in text
    assert "calls/s ours / mobilityhouse = " in text
    assert "(target >= 10x)" in text
    assert "KB per idle connection ours / echo = " in text

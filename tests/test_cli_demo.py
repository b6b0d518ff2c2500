"""`ocpp-toolkit demo` as a user runs it: a subprocess on loopback, a table, exit 0."""

import re
import time

from test_cli_sim_support import cli, no_traceback


def test_demo_passes_every_version_and_scenario_quickly():
    started = time.monotonic()
    process = cli("demo")
    elapsed = time.monotonic() - started
    assert process.returncode == 0, process.stdout + process.stderr
    assert no_traceback(process)
    assert elapsed < 20  # "a few seconds" (generous: interpreter start, a busy machine)
    rows = [line for line in process.stdout.splitlines() if "PASS" in line or "FAIL" in line]
    seen = set()
    for row in rows:
        cells = [cell.strip() for cell in re.split(r"[│|]", row) if cell.strip()]
        version, scenario, result, sent, received, frames, ms = cells[:7]
        assert result == "PASS"
        assert float(ms) < 5000
        seen.add((version, scenario))
        # charge: boot, heartbeat, 3 status, authorize, 3 transaction events = 9 CALLs;
        # remote: the same without authorize, plus the CSMS's remote start.
        expected = {"charge": (9, 0), "remote": (8, 1)}[scenario]
        assert (int(sent), int(received)) == expected
        assert int(frames) == 2 * (int(sent) + int(received))  # every CALL answered
    assert seen == {(v, s) for v in ("1.6", "2.0.1", "2.1") for s in ("charge", "remote")}
    assert "6/6 passed" in process.stdout


def test_demo_help():
    process = cli("demo", "--help")
    assert process.returncode == 0
    assert "usage: ocpp-toolkit demo" in process.stdout


def test_demo_rejects_a_bad_option():
    process = cli("demo", "--timeout", "-1")
    assert process.returncode == 2
    assert no_traceback(process)
    assert "--timeout" in process.stderr

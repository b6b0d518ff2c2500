"""`ocpp-toolkit csms --scenario FILE` and `station --scenario FILE` as a user runs them:
subprocesses on loopback, against our simulators and against the mobilityhouse `ocpp`
package (an independent implementation standing in for a real charger)."""

import asyncio
import json
import os
import re
import socket

import pytest
from test_cli_scenario_support import EXAMPLES, ScenarioCsms, run_their_station
from test_cli_sim_support import BackgroundCsms, cli, no_traceback

pytestmark = pytest.mark.timeout(90)

CSMS_EXAMPLES = {
    "2.0.1": EXAMPLES / "csms-remote-start.yaml",
    "1.6": EXAMPLES / "csms-remote-start-16.toml",
}


def step_lines(output: str) -> "list[tuple[int, str, str]]":
    """(number, PASS/FAIL, rest) of every step line."""
    found = []
    for line in output.splitlines():
        match = re.match(r"^\s*(\d+) (PASS|FAIL)  (.*)$", line)
        if match:
            found.append((int(match.group(1)), match.group(2), match.group(3)))
    return found


@pytest.mark.parametrize("version", sorted(CSMS_EXAMPLES))
def test_csms_scenario_passes_against_our_station(version):
    csms = ScenarioCsms("--scenario", str(CSMS_EXAMPLES[version]))
    station = cli(
        "station", "--csms", csms.url, "--id", "OURS", "--ocpp", version,
        "--scenario", "remote", "--timeout", "10",
    )  # fmt: skip
    status, output = csms.finish()
    assert status == 0, output + station.stdout + station.stderr
    assert "Traceback" not in output
    assert f"OURS (OCPP {version})" in output
    steps = step_lines(output)
    assert [(number, verdict) for number, verdict, _ in steps] == [
        (1, "PASS"), (2, "PASS"), (3, "PASS"), (4, "PASS"),
    ]  # fmt: skip
    assert "CALLERROR NotImplemented" in steps[1][2]
    assert "CALLRESULT status Accepted" in steps[2][2]
    assert output.rstrip().endswith("4/4 steps passed")


@pytest.mark.parametrize("version", sorted(CSMS_EXAMPLES))
def test_csms_scenario_finds_what_their_station_does_differently(version):
    # mobilityhouse answers an unknown action with NotSupported; OCPP-J says
    # NotImplemented ("Requested Action is not known by receiver"): step 2 fails.
    csms = ScenarioCsms("--scenario", str(CSMS_EXAMPLES[version]))
    asyncio.run(run_their_station(csms.url, version, "THEIRS"))
    status, output = csms.finish()
    assert status == 1, output
    assert "Traceback" not in output
    assert "THEIRS (OCPP " + version + ")" in output
    steps = step_lines(output)
    assert [verdict for _, verdict, _ in steps] == ["PASS", "FAIL", "PASS", "PASS"]
    assert "expected CALLERROR NotImplemented, got CALLERROR NotSupported" in steps[1][2]
    assert "3/4 steps passed, 1 FAILED" in output


def test_csms_scenario_passes_against_their_station(tmp_path):
    # The 2.0.1 example with a bad frame both implementations answer alike: a wrong
    # type in a CALL their station handles.
    bad = {"idToken": {"idToken": "X", "type": "Central"}, "remoteStartId": "one"}
    raw = json.dumps([2, "r1", "RequestStartTransaction", bad], separators=(",", ":"))
    text = (EXAMPLES / "csms-remote-start.yaml").read_text(encoding="utf-8")
    text = text.replace("""'[2,"scenario-raw-1","NoSuchAction",{}]'""", f"'{raw}'")
    text = text.replace("error: NotImplemented", "error: TypeConstraintViolation")
    path = tmp_path / "theirs.yaml"
    path.write_text(text, encoding="utf-8")
    csms = ScenarioCsms("--scenario", str(path))
    asyncio.run(run_their_station(csms.url, "2.0.1", "THEIRS"))
    status, output = csms.finish()
    assert status == 0, output
    assert [verdict for _, verdict, _ in step_lines(output)] == ["PASS"] * 4


FAILING_CSMS_SCENARIO = """
ocpp: "2.1"
name: expected to fail
steps:
  - expect: BootNotification
  - call: RequestStartTransaction
    payload: {idToken: {idToken: R1, type: Central}, remoteStartId: 1}
    status: Rejected
  - raw: '[2,"fail-raw-1","NoSuchAction",{}]'
    error: FormatViolation
    within: 1
  - expect: Authorize
    within: 0.3
  - wait: 0.05
"""


def test_csms_scenario_reports_failed_steps_and_exits_1(tmp_path):
    path = tmp_path / "failing.yaml"
    path.write_text(FAILING_CSMS_SCENARIO, encoding="utf-8")
    csms = ScenarioCsms("--scenario", str(path), "--identity", "WANTED")

    async def two_stations():
        # The first station is not the one asked for: it is served, not tested.
        other = asyncio.ensure_future(run_their_station(csms.url, "2.1", "NOTME", linger=1))
        await asyncio.sleep(0.3)
        await run_their_station(csms.url, "2.1", "WANTED")
        await other

    asyncio.run(two_stations())
    status, output = csms.finish()
    assert status == 1, output
    assert "Traceback" not in output
    assert "WANTED (OCPP 2.1)" in output and "NOTME (OCPP" not in output
    steps = step_lines(output)
    assert [verdict for _, verdict, _ in steps] == ["PASS", "FAIL", "FAIL", "FAIL", "PASS"]
    assert "CALLRESULT status Accepted, expected status Rejected" in steps[1][2]
    # (mobilityhouse 2.1 does not answer an unknown action at all)
    assert "expected CALLERROR FormatViolation, got no answer" in steps[2][2]
    assert "no Authorize within 0.3 s" in steps[3][2]
    assert "2/5 steps passed, 3 FAILED" in output


def test_station_scenario_passes_against_our_csms():
    csms = BackgroundCsms("--remote-start-after", "0.2")
    try:
        process = cli(
            "station", "--csms", csms.url, "--id", "SCEN21", "--ocpp", "2.1",
            "--scenario", str(EXAMPLES / "station-check-csms.yaml"),
        )  # fmt: skip
    finally:
        csms_status, csms_output = csms.stop()
    assert process.returncode == 0, process.stdout + process.stderr
    assert no_traceback(process)
    steps = step_lines(process.stdout)
    assert [verdict for _, verdict, _ in steps] == ["PASS"] * 6
    assert 'CALLERROR RpcFrameworkError (id "-1")' in steps[3][2]
    assert "6/6 steps passed" in process.stdout
    # The CSMS saw the station's answer to its remote start: Accepted (our respond).
    assert "SCEN21: remote start for REMOTE01: Accepted" in csms_output
    assert csms_status == 0


FAILING_STATION_SCENARIO = """
ocpp = "1.6"

[[steps]]
call = "BootNotification"
payload = { chargePointVendor = "ACME", chargePointModel = "X" }
status = ["Rejected", "Pending"]

[[steps]]
call = "Authorize"
payload = { idTag = "TAG1" }
match = { "idTagInfo.status" = "Blocked" }

[[steps]]
raw = '[2,"s-raw-1","Authorize",{}]'
error = "OccurenceConstraintViolation"

[[steps]]
expect = "Reset"
within = 0.3

[[steps]]
call = "StatusNotification"
payload = { connectorId = 1, errorCode = "NoError", status = "Available", timestamp = 2026-01-01T00:00:00Z }
"""


def test_station_scenario_reports_failed_steps_and_exits_1(tmp_path):
    path = tmp_path / "failing.toml"
    path.write_text(FAILING_STATION_SCENARIO, encoding="utf-8")
    csms = BackgroundCsms()
    try:
        process = cli(
            "station", "--csms", csms.url, "--ocpp", "1.6", "--scenario", str(path),
            "--timeout", "5",
        )  # fmt: skip
    finally:
        csms.stop()
    assert process.returncode == 1, process.stdout + process.stderr
    assert no_traceback(process)
    steps = step_lines(process.stdout)
    assert [verdict for _, verdict, _ in steps] == ["FAIL", "FAIL", "PASS", "FAIL", "PASS"]
    assert "CALLRESULT status Accepted, expected status Rejected or Pending" in steps[0][2]
    assert "idTagInfo.status is 'Accepted', not 'Blocked'" in steps[1][2]
    assert "no Reset within 0.3 s" in steps[3][2]


def test_station_scenario_for_another_version_is_a_usage_error():
    process = cli(
        "station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6",
        "--scenario", str(EXAMPLES / "station-check-csms.yaml"),
    )  # fmt: skip
    assert process.returncode == 2
    assert "the scenario is for OCPP 2.1, not 1.6" in process.stderr
    assert no_traceback(process)


def test_unknown_builtin_scenario_is_a_usage_error():
    process = cli("station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6",
                  "--scenario", "chrage")  # fmt: skip
    assert process.returncode == 2
    assert "unknown scenario 'chrage'" in process.stderr
    assert no_traceback(process)


PIPELINED_SCENARIO = """
ocpp: "2.0.1"
name: boot in the upgrade's write
steps:
  - expect: BootNotification
    match: {reason: PowerUp}
    within: 3
"""


def _masked_frame(opcode: int, data: bytes) -> bytes:
    assert len(data) < 126
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    return bytes([0x80 | opcode, 0x80 | len(data)]) + mask + masked


def test_csms_scenario_sees_a_call_sent_in_the_same_write_as_the_upgrade(tmp_path):
    # A station may send its BootNotification right behind its upgrade request, in one
    # TCP write: the server handles that CALL as soon as it accepts, before on_connected.
    path = tmp_path / "pipelined.yaml"
    path.write_text(PIPELINED_SCENARIO, encoding="utf-8")
    log = tmp_path / "csms.jsonl"
    csms = ScenarioCsms("--scenario", str(path), "--log", str(log))
    host, port = csms.url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    upgrade = (
        f"GET /ocpp/PIPE1 HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\n\r\n"
    ).encode()
    boot = json.dumps(
        [2, "b1", "BootNotification",
         {"reason": "PowerUp", "chargingStation": {"model": "m", "vendorName": "v"}}]
    )  # fmt: skip
    with socket.create_connection((host, int(port)), timeout=10) as station:
        station.sendall(upgrade + _masked_frame(0x1, boot.encode()))
        received = b""
        while b'"b1"' not in received:  # the CSMS's answer to the boot
            chunk = station.recv(65536)
            if not chunk:
                break
            received += chunk
        # The scenario done, the CSMS closes: answer its close frame as a station would.
        closing = received.split(b'"b1"', 1)[-1]  # JSON text: no 0x88 byte in it
        while b"\x88" not in closing:
            chunk = station.recv(65536)
            if not chunk:
                break
            closing += chunk
        station.sendall(_masked_frame(0x88, b"\x03\xe8"))
        status, output = csms.finish()
    assert b" 101 " in received.split(b"\r\n", 1)[0]
    assert b'[3,"b1"' in received
    assert status == 0, output
    assert "PIPE1 (OCPP 2.0.1)" in output
    assert [verdict for _, verdict, _ in step_lines(output)] == ["PASS"]
    assert "1/1 steps passed" in output
    # ... and the frame log has it, with the version chosen at the accept.
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(r["direction"], r["ocpp"], json.loads(r["frame"])[:2]) for r in records[:2]] == [
        ("cs->csms", "2.0.1", [2, "b1"]),
        ("csms->cs", "2.0.1", [3, "b1"]),
    ]

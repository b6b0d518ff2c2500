"""PyCodec and frames on MicroPython 1.27: the same verdicts as on CPython.

Runs one script on both interpreters (MicroPython through tests/micropython/run.mjs,
which needs node and `make micropython`; without them this test fails and says so)
and compares the printed lines: frame rules, salvage, not-JSON cases (NaN, trailing
data, lone surrogates), payload violations with their codes and paths, encoding.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RUNNER = REPO / "tests" / "micropython" / "run.mjs"

SCRIPT = r"""
# Runs on MicroPython and CPython: frames + PyCodec verdicts, one line per case.
from ocpp_core import frames
from ocpp_core.errors import LocalProtocolError, RemoteProtocolError
from ocpp_core.pycodec import PyCodec

CASES = [
    '[2,"1","Heartbeat",{}]',
    '[3,"1",{"currentTime":"2025-06-11T06:00:00Z"}]',
    '[3,"1",{"currentTime":"2025-06-11 06:00:00Z"}]',
    '[2,"abc","Heartbeat",{}] x',
    '[2,"abc","Heartbeat",{"a":NaN}]',
    "[2,'abc','Heartbeat',{}]",
    '[2,"abc","Heartbeat",{},1]',
    '[true,"abc","Heartbeat",{}]',
    '[5,"abc","X",{}]',
    '[2,"' + "x" * 37 + '","Heartbeat",{}]',
    '[4,"abc","FormatViolation","",{}]',
    '[4,"abc","GenericError","",[]]',
    '[2,"abc","Heartbeat",[]]',
    '[2,"a\\u00dfb","BootNotification",{"chargePointVendor":"v"}]',
    '[2,"abc","Heartbeat",{"a":"\\ud800"}]',
    '[2,"abc","Nope",{}]',
    '[2,"abc","BootNotification",{"chargePointVendor":"' + "v" * 21 + '","chargePointModel":"m"}]',
    '[2,"abc","SetChargingProfile",{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":8.15}]}}}]',
]

for version in ("1.6", "2.0.1"):
    codec = PyCodec(version)
    for text in CASES:
        try:
            frame = codec.decode_frame(text)
            if frame.kind == 2:
                codec.decode_request(frame.action, frame.payload, frame.message_id)
            elif frame.kind == 3:
                codec.decode_response("Heartbeat", frame.payload, frame.message_id)
            print(version, "ok", frame.kind, frame.message_id)
        except RemoteProtocolError as error:
            v = error.violation
            print(version, "error", v.kind, v.code, v.path, error.message_id, error.kind,
                  frames.answer_id(version, error.kind, error.message_id))
salvaged = frames.salvage_id(' [ 2 , "a\\"b\\u00e9"')
print(salvaged[0], [ord(c) for c in salvaged[1]])
print(codec.encode_call("m1", "Heartbeat", {}))
print(codec.encode_error("-1", "RpcFrameworkError"))
try:
    codec.encode_call("m1", "Heartbeat", {"x": 1})
except LocalProtocolError as error:
    print("local", error.violation.code, error.violation.path)
"""


def test_pycodec_on_micropython(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: MicroPython cannot run (see `make micropython`)")
    script = tmp_path / "codec_cases.py"
    script.write_text(SCRIPT, encoding="utf-8")
    on_mp = subprocess.run(
        [node, str(RUNNER), str(script)], capture_output=True, text=True, timeout=300, cwd=REPO
    )
    assert on_mp.returncode == 0, on_mp.stderr
    on_cpython = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert on_cpython.returncode == 0, on_cpython.stderr
    assert on_mp.stdout.splitlines() == on_cpython.stdout.splitlines()
    assert len(on_mp.stdout.splitlines()) == 40
    assert "2.0.1 error frame RpcFrameworkError  " + "x" * 37 + " 2 -1" in on_mp.stdout

"""The station-side core on MicroPython 1.27 (the WebAssembly port, run under node).

`node tests/micropython/run.mjs SCRIPT` runs a script on MicroPython with the
MicroPython-safe part of ocpp_core on its path (docs/micropython.md). These tests need
node and the npm package; when either is missing they FAIL and say how to install it
(`make micropython`): a skipped MicroPython test would hide exactly the regressions it
exists to catch.

Where a script also runs on CPython, both interpreters must print the same text.
"""

import functools
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "tests" / "micropython"
RUNNER = SCRIPTS / "run.mjs"
MPY_MJS = (
    REPO
    / ".micropython"
    / "node_modules"
    / "@micropython"
    / "micropython-webassembly-pyscript"
    / "micropython.mjs"
)
INSTALL = (
    "run `make micropython` in the repo root (needs node >= 18 and npm; it installs "
    "@micropython/micropython-webassembly-pyscript@1.27.0 into .micropython/)"
)

# The modules docs/architecture.md names as MicroPython-safe: each must be copied to
# MicroPython by the runner and import there.
REQUIRED_MODULES = {
    "ocpp_core",
    "ocpp_core.config",
    "ocpp_core.errors",
    "ocpp_core.events",
    "ocpp_core.frames",
    "ocpp_core.ids",
    "ocpp_core.pycodec",
    "ocpp_core.quirks",
    "ocpp_core.rpc",
    "ocpp_core.v16.schema",
    "ocpp_core.v201.schema",
    "ocpp_core.v21.schema",
    "ocpp_core.validator",
    "ocpp_core.versions",
}
# CPython-only (msgspec / wsproto / h11): the runner must leave them out.
CPYTHON_ONLY = {"ocpp_core.codec", "ocpp_core.ws", "ocpp_core.v16.messages"}


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail(
            "node is not installed, so MicroPython cannot run: install node, then " + INSTALL
        )
    if not MPY_MJS.is_file():
        pytest.fail("MicroPython 1.27 for node is missing (" + str(MPY_MJS) + "): " + INSTALL)
    return found


def run_mp(*args: str, timeout: float = 120) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [node(), str(RUNNER), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


def run_cpython(script: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


@functools.cache
def mp_output(script: str) -> str:
    """stdout of a tests/micropython script run on MicroPython (status 0 asserted).
    The scripts are deterministic: each runs once per test process."""
    return ok(run_mp(str(SCRIPTS / script)))


@functools.cache
def mp_listing() -> str:
    return ok(run_mp("--list-files"))


def ok(result: "subprocess.CompletedProcess[str]") -> str:
    assert result.returncode == 0, (
        f"exit status {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result.stdout


def module_name(rel_path: str) -> str:
    dotted = rel_path.removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


# --------------------------------------------------------------------------- the runner


def test_runner_runs_micropython_127(tmp_path: Path) -> None:
    script = tmp_path / "which.py"
    script.write_text(
        "import sys\n"
        "print(sys.implementation.name, sys.implementation.version[:3])\n"
        "print('argv', sys.argv[1:])\n"
        "sys.stdout.write('no newline at the end')\n"
    )
    out = ok(run_mp(str(script), "a", "b c"))
    assert out == "micropython (1, 27, 0)\nargv ['a', 'b c']\nno newline at the end"


def test_runner_exit_status_of_sys_exit(tmp_path: Path) -> None:
    script = tmp_path / "exit7.py"
    script.write_text("import sys\nprint('before')\nsys.exit(7)\nprint('after')\n")
    result = run_mp(str(script))
    assert (result.returncode, result.stdout) == (7, "before\n")


def test_runner_sys_exit_with_a_message_is_status_1(tmp_path: Path) -> None:
    script = tmp_path / "exitmsg.py"
    script.write_text("import sys\nsys.exit('it went wrong')\n")
    result = run_mp(str(script))
    assert result.returncode == 1
    assert "it went wrong" in result.stderr


def test_runner_uncaught_exception_is_status_1_with_traceback(tmp_path: Path) -> None:
    script = tmp_path / "boom.py"
    script.write_text("def f():\n    return 1 // 0\n\nprint('start')\nf()\n")
    result = run_mp(str(script))
    assert result.returncode == 1
    assert result.stdout == "start\n"
    assert "ZeroDivisionError" in result.stderr
    assert "boom.py" in result.stderr and "line 2" in result.stderr


def test_runner_times_out_a_busy_loop(tmp_path: Path) -> None:
    script = tmp_path / "busy.py"
    script.write_text("print('spinning')\nwhile True:\n    pass\n")
    started = time.monotonic()
    result = run_mp("--timeout", "2", str(script), timeout=200)
    assert result.returncode == 124
    assert "TIMEOUT" in result.stderr
    assert result.stdout == "spinning\n"
    assert time.monotonic() - started < 150


def test_runner_refuses_bad_usage() -> None:
    result = run_mp("--timeout", "zero", "x.py")
    assert result.returncode == 2
    assert "usage" in result.stderr
    assert run_mp("does-not-exist.py").returncode == 2


# --------------------------------------------------------------------------- (a) imports


def copied_modules() -> "list[str]":
    listing = mp_listing()
    return [module_name(line) for line in listing.splitlines()]


def test_runner_copies_the_micropython_safe_modules_only() -> None:
    copied = set(copied_modules())
    assert REQUIRED_MODULES <= copied, REQUIRED_MODULES - copied
    assert not [
        name
        for name in copied
        if name in CPYTHON_ONLY or name.startswith("ocpp_core.ws.") or name.endswith(".messages")
    ]


def test_every_copied_module_imports_on_micropython() -> None:
    expected = copied_modules()
    out = mp_output("import_all.py")
    imported = [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("imported ")]
    assert imported == sorted(expected)
    # The report ends with the heap in use after importing everything.
    assert re.search(r"^# total heap in use: \d+ bytes$", out, re.M)


def test_import_all_imports_the_same_modules_on_cpython() -> None:
    expected = copied_modules()
    out = ok(run_cpython(SCRIPTS / "import_all.py", *expected))
    imported = [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("imported ")]
    assert imported == sorted(expected)


# Heap each generated schema module keeps after its import on MicroPython 1.27, imported
# in this order in one interpreter: measured 113_648 / 238_176 / 401_200 bytes. The
# budget leaves about 25 % room; growing past it means a device needs more RAM
# (docs/micropython.md has the numbers per board class).
SCHEMA_HEAP_BUDGET = {
    "ocpp_core.v16.schema": 144 * 1024,
    "ocpp_core.v201.schema": 300 * 1024,
    "ocpp_core.v21.schema": 500 * 1024,
}


def test_generated_schemas_fit_their_heap_budget_on_micropython() -> None:
    out = mp_output("schema_cost.py")
    cost = {}
    for line in out.splitlines():
        name, size, unit, _ms, _ = line.split()
        assert unit == "bytes"
        cost[name] = int(size)
    assert set(cost) == set(SCHEMA_HEAP_BUDGET)
    for name, budget in SCHEMA_HEAP_BUDGET.items():
        assert 0 < cost[name] <= budget, (name, cost[name], budget)


# --------------------------------------------------------------------------- (b) validator

# label -> the (kind, code, path) list the validator must report, codes as
# spec/ERROR-CODES.md names them (a set where the spec allows several).
PROPERTY_OR_TYPE = {"PropertyConstraintViolation", "TypeConstraintViolation"}
EXPECTED_VIOLATIONS = {
    "1.6 BootNotificationRequest valid": [],
    "1.6 BootNotificationRequest missing-model": [
        ("required", "OccurenceConstraintViolation", "$.chargePointModel")
    ],
    "1.6 BootNotificationRequest long-vendor-int-model": [
        ("max-length", PROPERTY_OR_TYPE, "$.chargePointVendor"),
        ("type", "TypeConstraintViolation", "$.chargePointModel"),
    ],
    "1.6 BootNotificationRequest unexpected-field": [
        ("additional-property", "FormationViolation", "$.colour")
    ],
    # Name order on both interpreters (a MicroPython dict keeps no payload order).
    "1.6 BootNotificationRequest four-unexpected-fields": [
        ("additional-property", "FormationViolation", "$.alpha"),
        ("additional-property", "FormationViolation", "$.beta"),
        ("additional-property", "FormationViolation", "$.mid"),
        ("additional-property", "FormationViolation", "$.zeta"),
    ],
    "1.6 BootNotificationRequest not-an-object": [
        ("payload-not-object", {"FormationViolation", "TypeConstraintViolation"}, "$")
    ],
    "1.6 BootNotificationResponse valid": [],
    "1.6 BootNotificationResponse bad-status-bad-time": [
        ("enum", "PropertyConstraintViolation", "$.status"),
        ("format", PROPERTY_OR_TYPE, "$.currentTime"),
    ],
    "1.6 StatusNotificationRequest valid": [],
    # isinstance(True, int) is False on MicroPython and True on CPython: both must refuse.
    "1.6 StatusNotificationRequest bool-connector": [
        ("type", "TypeConstraintViolation", "$.connectorId")
    ],
    "1.6 StatusNotificationRequest float-connector": [
        ("type", "TypeConstraintViolation", "$.connectorId")
    ],
    "1.6 MeterValuesRequest valid": [],
    "1.6 MeterValuesRequest nested-errors": [
        ("type", "TypeConstraintViolation", "$.meterValue[0].sampledValue[1].value"),
        ("enum", "PropertyConstraintViolation", "$.meterValue[0].sampledValue[1].unit"),
    ],
    "1.6 HeartbeatRequest valid": [],
    "1.6 HeartbeatResponse missing-time": [
        ("required", "OccurenceConstraintViolation", "$.currentTime")
    ],
    "1.6 SetChargingProfileRequest limit-multiple-of-0.1": [
        (
            "multiple-of",
            "PropertyConstraintViolation",
            "$.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[1].limit",
        )
    ],
    "2.0.1 BootNotificationRequest valid": [],
    "2.0.1 BootNotificationRequest bad-reason-missing-model": [
        ("required", "OccurrenceConstraintViolation", "$.chargingStation.model"),
        ("enum", "PropertyConstraintViolation", "$.reason"),
    ],
    "2.0.1 BootNotificationRequest long-serial-unexpected": [
        ("max-length", PROPERTY_OR_TYPE, "$.chargingStation.serialNumber"),
        ("additional-property", {"ProtocolError", "FormatViolation"}, "$.chargingStation.colour"),
    ],
    "2.0.1 StatusNotificationRequest valid": [],
    "2.0.1 StatusNotificationRequest no-zone-time-string-evse": [
        ("format", PROPERTY_OR_TYPE, "$.timestamp"),
        ("type", "TypeConstraintViolation", "$.evseId"),
    ],
    "2.0.1 MeterValuesRequest value-not-number": [
        ("type", "TypeConstraintViolation", "$.meterValue[0].sampledValue[1].value")
    ],
    "2.0.1 HeartbeatResponse valid": [],
    "2.0.1 HeartbeatResponse null-time": [("type", "TypeConstraintViolation", "$.currentTime")],
    "2.1 BootNotificationRequest valid": [],
    # customData may carry extra members (E20 §3.8): only the two missing fields count.
    "2.1 BootNotificationRequest missing-both": [
        ("required", "OccurrenceConstraintViolation", "$.chargingStation"),
        ("required", "OccurrenceConstraintViolation", "$.reason"),
    ],
    "2.1 HeartbeatResponse valid": [],
    "2.1 StatusNotificationRequest negative-evse": [
        ("minimum", "PropertyConstraintViolation", "$.evseId")
    ],
}


def parse_cases(out: str) -> "dict[str, list[tuple[str, str, str]]]":
    cases: dict[str, list[tuple[str, str, str]]] = {}
    current: list[tuple[str, str, str]] = []
    for line in out.splitlines():
        if line.startswith("  "):
            kind, code, path = line.split(" | ", 1)[0].split()
            current.append((kind, code, path))
        elif line.startswith("cases: "):
            assert int(line.split()[1]) == len(cases)
            break  # the quirks part follows
        else:
            label, verdict = line.split(": ", 1)
            current = cases[label] = []
            assert verdict == "valid" or verdict.endswith(" violation(s)"), line
    return cases


def test_validator_on_micropython_names_the_spec_codes_and_paths() -> None:
    cases = parse_cases(mp_output("validator_cases.py"))
    for label, expected in EXPECTED_VIOLATIONS.items():
        got = cases[label]
        assert len(got) == len(expected), (label, got)
        for (kind, code, path), (want_kind, want_code, want_path) in zip(
            got, expected, strict=True
        ):
            codes = want_code if isinstance(want_code, set) else {want_code}
            assert (kind, path) == (want_kind, want_path), (label, got)
            assert code in codes, (label, code)


def test_quirks_fixups_on_micropython() -> None:
    out = mp_output("validator_cases.py")
    quirks = out.split("\ncases: ", 1)[1].splitlines()[1:]
    fixups = [line.split()[1:3] for line in quirks if line.startswith("  fixup ")]
    # Schema order, then unknown fields by name: the same on both interpreters.
    assert fixups == [
        ["numbers_as_strings", "$.connectorId"],
        ["null_optional", "$.info"],
        ["enum_case", "$.status"],
        ["zoneless_timestamps_utc", "$.timestamp"],
        ["overlong_strings", "$.vendorErrorCode"],
        ["unknown_fields", "$.colour"],
        ["numbers_as_strings", "$.evseId"],
        ["numbers_as_strings", "$.meterValue[0].sampledValue[0].value"],
        ["enum_case", "$.meterValue[0].sampledValue[0].measurand"],
        ["zoneless_timestamps_utc", "$.meterValue[0].timestamp"],
    ]
    assert '"connectorId": 1, "errorCode": "NoError", "status": "Available"' in quirks[0]
    assert [line.split()[1:4] for line in quirks if line.startswith("  left ")] == [
        ["format", "TypeConstraintViolation", "$.currentTime"]
    ]


def test_validator_prints_the_same_on_micropython_and_cpython() -> None:
    on_mp = mp_output("validator_cases.py")
    on_cpython = ok(run_cpython(SCRIPTS / "validator_cases.py"))
    assert on_mp == on_cpython


# --------------------------------------------------------------------------- frames


def test_frames_decode_the_same_on_micropython_and_cpython() -> None:
    on_mp = mp_output("frame_cases.py")
    on_cpython = ok(run_cpython(SCRIPTS / "frame_cases.py"))
    assert on_mp == on_cpython
    lines = on_mp.splitlines()
    assert len(lines) == 3 * 53
    # The texts from index 37 on are not JSON, though MicroPython's json.loads takes
    # every one of them (index 40, 1e308, is the one valid frame among them).
    for version, code in (("1.6", "FormationViolation"), ("2.1", "FormatViolation")):
        for index in (37, 38, 39, *range(41, 53)):
            line = next(x for x in lines if x.startswith(f"{version} #{index} "))
            if index in (41, 42):
                # No comma after the type: no id can be salvaged (2.x: RpcFrameworkError,
                # "MessageId could not be read").
                unread = "FormationViolation" if version == "1.6" else "RpcFrameworkError"
                assert line.endswith(f" error <not-json> <{unread}> <> None None"), line
            else:
                assert line.endswith(f" error <not-json-id> <{code}> <> <a1> 2"), line
    assert "2.0.1 #40 frame 2 <a1> <Heartbeat> None" in lines


# --------------------------------------------------------------------------- jsoncheck

NOT_JSON = [
    "[1,]", "[,1]", "[1,,2]", '{"a":1,}', '{,"a":1}', '{"a":1 "b":2}', "[1 2]", "01", "1.",
    ".5", "+1", "-", "1e", "1e+", "tru", "nul", "[true false]", '"a\x01b"', '"a\tb"',
    '"\\x41"', '"\\u00"', '"\\q"', "[1]]", "[1] [2]", "{'a':1}", '{"a" 1}', '{"a"::1}',
    "{1:2}", "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "[]x", "\ufeff[]",
    '{"a":[1,],}', "[-]", "[- 1]", "[1.e5]", "[0x10]", "[1_000]", "[0.5e]", '["a""b"]',
    "[[]", "[{]}", '{"a":1}}', '{"a"}', '{"a":}', "[1,2", '"abc', '"\\"', "[]\x00", "",
    "  ", "[-01]",
]  # fmt: skip
JSON = [
    "[]", "{}", " [ ] ", '{"a":1,"b":[1,2,{"c":null}],"d":"\\u00e9\\n\\"x"}', "0", "-0",
    "-0.5e-3", "1E+2", "true", "false", "null", '"é"', '["é", 1.5, -2, 3e10]', "1e308",
    "123456789012345678901234567890", '[2,"a","Heartbeat",{}]', '[{}, [], ""]', '""',
    '"\\/"', '{"a":1,"a":2}', "[1.0]", "[1.5E-2]", "[1e-400]", '"\\ud800"',
    "[" * 500 + "]" * 500,
]  # fmt: skip


def cpython_strict_loads_accepts(text: str) -> bool:
    from ocpp_core.frames import _probe_loads

    try:
        _probe_loads()(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("text", NOT_JSON + JSON)
def test_jsoncheck_agrees_with_cpython_json(text: str) -> None:
    from ocpp_core.jsoncheck import is_strict_json

    assert is_strict_json(text) == (text in JSON) == cpython_strict_loads_accepts(text)
    assert is_strict_json(text.encode()) == (text in JSON)


@settings(max_examples=300, deadline=None)
@given(
    value=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    ),
    data=st.data(),
)
def test_jsoncheck_agrees_with_cpython_json_on_mutated_text(
    value: object, data: "st.DataObject"
) -> None:
    from ocpp_core.jsoncheck import is_strict_json

    text = json.dumps(value, ensure_ascii=data.draw(st.booleans()), allow_nan=False)
    assert is_strict_json(text)
    # Delete, insert or replace one character: the verdict must match CPython's.
    at = data.draw(st.integers(0, len(text)))
    change = data.draw(st.sampled_from(["delete", "insert", "replace"]))
    char = data.draw(st.sampled_from(list(',:[]{}"\\ 0-.eE+tfnux\t')))
    if change == "delete":
        mutated = text[:at] + text[at + 1 :]
    elif change == "insert":
        mutated = text[:at] + char + text[at:]
    else:
        mutated = text[:at] + char + text[at + 1 :]
    assert is_strict_json(mutated) == cpython_strict_loads_accepts(mutated), mutated


# --------------------------------------------------------------------------- (c) RPC


def transcript_without_prose(out: str) -> str:
    return "".join(
        line for line in out.splitlines(keepends=True) if not line.startswith("    description: ")
    )


def test_rpc_exchange_on_micropython() -> None:
    """Boot / Heartbeat / StatusNotification / MeterValues plus a CSMS TriggerMessage
    (crossing calls), a 2.1 SEND and three bad frames, through two RpcSessions with
    PyCodec on MicroPython; the script asserts every event itself (status 1 if not)."""
    out = mp_output("rpc_exchange.py")
    expected = (SCRIPTS / "rpc_exchange.expected").read_text()
    assert transcript_without_prose(out) == expected
    for version in ("1.6", "2.0.1", "2.1"):
        assert "ok " + version + "\n" in out
    # Every CALLERROR carries a description the user can read.
    descriptions = [line for line in out.splitlines() if line.startswith("    description: ")]
    assert len(descriptions) == 9
    assert all(len(line) > len("    description: ") + 10 for line in descriptions)


def test_rpc_exchange_is_the_same_on_micropython_and_cpython() -> None:
    on_mp = mp_output("rpc_exchange.py")
    on_cpython = ok(run_cpython(SCRIPTS / "rpc_exchange.py"))
    assert on_mp == on_cpython


def test_rpc_edge_cases_on_micropython_and_cpython() -> None:
    """Timeouts, late replies, the queue, connection loss, refused sends, boot
    required, 2.1 CALLRESULTERROR, frozen values, UUID ids: asserted inside the script
    (status 1 on the first failure); both interpreters print the same lines."""
    on_mp = mp_output("rpc_edges.py")
    assert on_mp == ok(run_cpython(SCRIPTS / "rpc_edges.py"))
    lines = on_mp.splitlines()
    assert lines[-1] == "done"
    assert len([line for line in lines if line.startswith("ok ")]) == 3 * 26 + 4 + 7

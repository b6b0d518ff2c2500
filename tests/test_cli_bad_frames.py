"""`ocpp-toolkit station --scenario bad`: the negative battery, against our CSMS (every
case must get what spec/ERROR-CODES.md prescribes) and against the mobilityhouse `ocpp`
CSMS (it differs: the report says where, and the exit status is 1)."""

import re

import pytest
from ocpp_cli.badframes import UNREADABLE, cases
from test_cli_scenario_support import TheirCsms
from test_cli_sim_support import BackgroundCsms, cli, no_traceback

from ocpp_core.config import RpcConfig
from ocpp_core.errors import LocalProtocolError
from ocpp_core.testing import ConnectionPair
from ocpp_core.ws import CsmsConfig, StationConfig

pytestmark = pytest.mark.timeout(90)
VERSIONS = ("1.6", "2.0.1", "2.1")

# Where our own CSMS does not do what the spec prescribes: (version, case) -> what the
# report shows. Empty: every case matches on every version (the 1.6 too-long id, once
# unanswered, is now echoed: tests/test_rpc.py::test_too_long_id_is_echoed_on_16).
KNOWN_CORE_MISMATCHES: "dict[tuple[str, str], str]" = {}


def report(stdout: str) -> "dict[str, tuple[bool, str]]":
    """case name -> (matched, the rest of its line)."""
    found = {}
    for line in stdout.splitlines():
        match = re.match(r"^(match   |MISMATCH)  (\S+)\s+(.*)$", line)
        if match:
            found[match.group(2)] = (match.group(1) == "match   ", match.group(3))
    return found


@pytest.fixture(scope="module")
def csms():
    server = BackgroundCsms()
    yield server
    status, output = server.stop()
    assert status == 0, output


@pytest.mark.parametrize("version", VERSIONS)
def test_our_csms_answers_every_bad_frame_as_the_spec_says(csms, version):
    process = cli("station", "--csms", csms.url, "--id", f"BAD{version}", "--ocpp", version,
                  "--scenario", "bad", "--timeout", "5")  # fmt: skip
    assert no_traceback(process), process.stderr
    lines = report(process.stdout)
    names = [case.name for case in cases(version, "x")]
    assert list(lines) == names
    for name, (matched, rest) in lines.items():
        assert "survived: yes" in rest, (name, rest)
        known = KNOWN_CORE_MISMATCHES.get((version, name))
        if known is None:
            assert matched, (name, rest)
        else:
            assert not matched and known in rest, (name, rest)
    failing = sum((version, name) in KNOWN_CORE_MISMATCHES for name in names)
    assert process.returncode == (1 if failing else 0), process.stdout
    assert f"{len(names) - failing}/{len(names)} cases matched the spec" in process.stdout
    # The cases the task names, each with the code in the version's own spelling.
    assert {"unknown-action", "missing-required-field", "wrong-type", "string-too-long",
            "bad-enum-value", "bad-date-time", "invalid-json", "unknown-message-type",
            "message-id-too-long"} <= set(names)  # fmt: skip
    occurrence = (
        "OccurenceConstraintViolation" if version == "1.6" else "OccurrenceConstraintViolation"
    )
    assert f"got: CALLERROR {occurrence}" in lines["missing-required-field"][1]
    if version == "1.6":
        assert "got: CALLERROR FormationViolation" in lines["invalid-json"][1]
        assert "got: none" in lines["invalid-json-no-id"][1]
    else:
        assert "got: CALLERROR FormatViolation" in lines["invalid-json"][1]
        assert 'got: CALLERROR RpcFrameworkError (id "-1")' in lines["invalid-json-no-id"][1]
        assert 'got: CALLERROR RpcFrameworkError (id "-1")' in lines["message-id-too-long"][1]
    if version == "2.0.1":
        assert "got: CALLERROR MessageTypeNotSupported" in lines["unknown-message-type"][1]
    if version == "2.1":
        assert "got: none" in lines["send-frame"][1]


@pytest.mark.parametrize("version", VERSIONS)
def test_their_csms_differs_and_the_report_says_where(version):
    their = TheirCsms(version)
    try:
        process = cli("station", "--csms", their.url, "--ocpp", version, "--scenario", "bad",
                      "--timeout", "2")  # fmt: skip
    finally:
        their.close()
    assert process.returncode == 1, process.stdout + process.stderr
    assert no_traceback(process)
    lines = report(process.stdout)
    assert list(lines) == [case.name for case in cases(version, "x")]
    mismatched = [name for name, (matched, _) in lines.items() if not matched]
    assert mismatched
    assert re.search(
        rf"\n(\d+)/{len(lines)} cases matched the spec, {len(mismatched)} did not", process.stdout
    )
    # Both implementations agree where the spec leaves no room...
    assert lines["wrong-type"][0], lines["wrong-type"]
    # ...and theirs takes a CALL with a 37-character id as if it were valid.
    assert not lines["message-id-too-long"][0]
    assert "got: CALLRESULT" in lines["message-id-too-long"][1]


def test_the_expectations_follow_the_spec_tables():
    by_name = {case.name: case for case in cases("2.0.1", "p")}
    long_id = by_name["message-id-too-long"]
    assert len(long_id.frame_id) == 37 and long_id.expected.ids == (UNREADABLE,)
    assert by_name["unknown-message-type"].expected.silence is False  # P4 §4.4 SHALL
    v21 = {case.name: case for case in cases("2.1", "p")}
    assert v21["unknown-message-type"].expected.silence is True  # P4.21 §4.4: ignore
    assert v21["send-frame"].expected.codes == ()  # a SEND is never answered
    v16 = {case.name: case for case in cases("1.6", "p")}
    assert "FormatViolation" not in str([c.expected.codes for c in v16.values()])
    assert all("Formation" not in str(c.expected.codes) for c in v21.values())


@pytest.mark.parametrize("allowed", [False, True])
def test_send_raw_is_a_testing_tool_behind_a_flag(allowed):
    station = StationConfig(
        url="ws://csms/ocpp", identity="CP1", versions=("2.0.1",),
        rpc_config=RpcConfig(allow_send_raw=allowed),
    )  # fmt: skip
    pair = ConnectionPair(station, CsmsConfig(path_prefix="/ocpp/"))
    pair.connect()
    if not allowed:
        with pytest.raises(LocalProtocolError, match="allow_send_raw"):
            pair.station.send_raw('[2,"r1","NoSuchAction",{}]')
        return
    seen = []
    pair.csms.on_frame = lambda direction, text: seen.append((direction, text))
    pair.station.send_raw('[2,"r1","NoSuchAction",{}]')
    pair.pump()
    assert seen[0] == ("in", '[2,"r1","NoSuchAction",{}]')
    assert seen[1][0] == "out" and seen[1][1].startswith('[4,"r1","NotImplemented"')
    # The station's session tracked nothing: the answer matches no CALL of its own.
    events = [type(event).__name__ for event in pair.station.events()]
    assert events == ["UnmatchedResponse"]

"""Scenario files: what loads, and what a broken file says (the file, the step and the
field, exit status 2, never a traceback)."""

import pytest
from ocpp_cli.scenario import (
    CallStep,
    ExpectStep,
    RawStep,
    ScenarioError,
    WaitStep,
    load_scenario,
    mismatches,
)
from test_cli_scenario_support import EXAMPLES
from test_cli_sim_support import cli, no_traceback


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_examples_load():
    csms = load_scenario(str(EXAMPLES / "csms-remote-start.yaml"), "csms")
    assert csms.ocpp == "2.0.1"
    assert [type(step) for step in csms.steps] == [ExpectStep, RawStep, CallStep, ExpectStep]
    assert csms.steps[2].status == ("Accepted",)
    toml = load_scenario(str(EXAMPLES / "csms-remote-start-16.toml"), "csms")
    assert toml.ocpp == "1.6" and toml.steps[1].error == ("NotImplemented",)
    station = load_scenario(str(EXAMPLES / "station-check-csms.yaml"), "station")
    assert station.steps[4].respond == {"status": "Accepted"}
    assert isinstance(station.steps[5], WaitStep)


def test_yaml_and_toml_keep_date_times_as_written(tmp_path):
    yaml_path = write(
        tmp_path, "s.yaml", "steps:\n  - call: Heartbeat\n    payload: {t: 2026-01-01T00:00:00Z}\n"
    )
    assert load_scenario(yaml_path, "station").steps[0].payload == {"t": "2026-01-01T00:00:00Z"}
    toml_path = write(
        tmp_path,
        "s.toml",
        '[[steps]]\ncall = "Heartbeat"\npayload = { t = 2026-01-01T00:00:00Z }\n',
    )
    assert load_scenario(toml_path, "station").steps[0].payload == {"t": "2026-01-01T00:00:00Z"}
    # `ocpp: 2.1` unquoted is a YAML number: still the version 2.1.
    number = write(tmp_path, "n.yaml", "ocpp: 2.1\nsteps: [{wait: 0}]\n")
    assert load_scenario(number, "csms").ocpp == "2.1"


BROKEN = [
    (
        "s.yaml",
        "steps:\n  - cal: Heartbeat\n",
        "step 1: a step has exactly one of call, expect, wait, raw (found none)",
    ),
    (
        "s.yaml",
        "steps:\n  - wait: 1\n  - call: Heartbeat\n    wait: 2\n",
        "step 2: a step has exactly one of call, expect, wait, raw (found call and wait)",
    ),
    (
        "s.yaml",
        "steps:\n  - wait: 1\n  - call: Heartbeat\n    stauts: Accepted\n",
        "step 2 (call): field 'stauts': Extra inputs are not permitted (allowed: call, payload, status, error, match, timeout)",
    ),
    (
        "s.yaml",
        "steps:\n  - wait: soon\n",
        "step 1 (wait): field 'wait': Input should be a valid number",
    ),
    (
        "s.yaml",
        "steps:\n  - expect: Reset\n    within: -1\n",
        "step 1 (expect): field 'within': Input should be greater than 0",
    ),
    (
        "s.yaml",
        "steps:\n  - raw: 'x'\n    error: GenericError\n    no_answer: true\n",
        "step 1 (raw): field 'no_answer': cannot be true with 'error'",
    ),
    (
        "s.yaml",
        "steps:\n  - call: Heartbeat\n    payload: [1]\n",
        "step 1 (call): field 'payload': Input should be a valid dictionary",
    ),
    ("s.yaml", "steps: []\n", "field 'steps': List should have at least 1 item"),
    (
        "s.yaml",
        "ocpp: '3.0'\nsteps: [{wait: 0}]\n",
        "field 'ocpp': Value error, unknown OCPP version '3.0'",
    ),
    ("s.yaml", "stesp: [{wait: 0}]\n", "field 'steps': Field required"),
    ("s.yaml", "- wait: 1\n", "a scenario is a mapping with a 'steps' list"),
    ("s.yaml", "steps:\n  - call: [\n", "not valid YAML (line 3, column 1)"),
    ("s.toml", "[[steps]]\ncall = \n", "not valid TOML"),
    ("s.json", "{}", "a scenario file ends in .yaml, .yml or .toml"),
    # Checked against the declared version:
    (
        "s.yaml",
        "ocpp: '2.0.1'\nsteps:\n  - wait: 0\n  - call: RequestStartTransaction\n    payload: {remoteStartId: 1}\n",
        "step 2: field 'payload': not a valid OCPP 2.0.1 RequestStartTransaction request: missing required field $.idToken",
    ),
    (
        "s.yaml",
        "ocpp: '2.0.1'\nsteps:\n  - call: BootNotification\n",
        "step 1: field 'call': BootNotification is sent by the station in OCPP 2.0.1, not by the csms",
    ),
    (
        "s.yaml",
        "ocpp: '1.6'\nsteps:\n  - call: RequestStartTransaction\n",
        "step 1: field 'call': 'RequestStartTransaction' is not a CALL action of OCPP 1.6",
    ),
    (
        "s.yaml",
        "ocpp: '1.6'\nsteps:\n  - raw: 'x'\n    error: OccurrenceConstraintViolation\n",
        "step 1: field 'error': 'OccurrenceConstraintViolation' is not an OCPP 1.6 error code",
    ),
    (
        "s.yaml",
        "ocpp: '2.1'\nsteps:\n  - expect: BootNotification\n    respond: {status: Maybe}\n",
        "step 1: field 'respond': not a valid OCPP 2.1 BootNotification response",
    ),
    # Not text a message can carry: a lone surrogate has no UTF-8 (the field's path).
    (
        "s.yaml",
        'ocpp: "2.0.1"\nsteps:\n  - call: RequestStartTransaction\n    payload: {remoteStartId: 1, idToken: {idToken: "X\\ud800", type: Central}}\n',
        "step 1 (call): field 'payload.idToken.idToken': a lone surrogate (\\ud800) is not text",
    ),
    (
        "s.yaml",
        'steps:\n  - expect: Authorize\n    match: {"id\\udc00": 1}\n',
        "step 1 (expect): field 'match' (a key): a lone surrogate (\\udc00) is not text",
    ),
    (
        "s.yaml",
        'steps:\n  - raw: "[2,\\"1\\",\\"Heartbeat\\",{\\"x\\":\\"\\ud83d\\"}]"\n',
        "step 1 (raw): field 'raw': a lone surrogate (\\ud83d) is not text",
    ),
    # A key written twice: YAML keeps the last one silently; a scenario refuses it.
    (
        "s.yaml",
        "steps:\n  - call: Reset\n    payload: {type: Hard, type: Soft}\n",
        "not valid YAML (line 3, column 27): duplicate key 'type'",
    ),
    (
        "s.yaml",
        "steps:\n  - wait: 1\nsteps:\n  - wait: 2\n",
        "not valid YAML (line 3, column 1): duplicate key 'steps'",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BROKEN, ids=[m[:40] for _, _, m in BROKEN])
def test_a_broken_file_names_the_step_and_the_field(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path, "csms")
    assert str(raised.value).startswith(path + ": ")
    assert message in str(raised.value)


def test_a_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match=r"cannot read .*no-such\.yaml"):
        load_scenario(str(tmp_path / "no-such.yaml"), "station")


def test_broken_files_exit_2_without_a_traceback(tmp_path):
    path = write(tmp_path, "bad.yaml", "steps:\n  - wait: 1\n  - call: Heartbeat\n    timeout: 0\n")
    csms = cli("csms", "--port", "0", "--scenario", path)
    station = cli("station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "2.1", "--scenario", path)
    for process, command in ((csms, "csms"), (station, "station")):
        assert process.returncode == 2, process.stdout + process.stderr
        assert no_traceback(process)
        assert process.stderr == (
            f"ocpp-toolkit {command}: error: {path}: step 2 (call): field 'timeout': "
            "Input should be greater than 0\n"
        )
        assert process.stdout == ""


def test_match_uses_dotted_paths():
    payload = {"idTokenInfo": {"status": "Accepted"}, "list": [{"a": 1}]}
    assert mismatches(payload, {"idTokenInfo.status": "Accepted", "list.0.a": 1}) == []
    assert mismatches(payload, {"list.1.a": 1, "idTokenInfo.status": "Blocked"}) == [
        "list.1.a missing",
        "idTokenInfo.status is 'Accepted', not 'Blocked'",
    ]

"""`ocpp-toolkit validate`, run as a subprocess: good logs, bad frames, usage errors.

Bad frames are checked in one log per version and codec (one subprocess each, the
frames with unique ids so they do not interfere); each case is still its own test.
Expected codes are written out literally, in each version's exact spelling.
"""

import copy
import functools
import json
import subprocess
import sys

import pytest
from test_cli_support import (
    CODECS,
    CORPUS,
    CORPUS_FILES,
    ROOT,
    VERSIONS,
    cli_env,
    corpus_pair,
    corpus_records,
    results,
    run_cli,
)

# ------------------------------------------------------------------------------------
# good logs


def _slice(version: str, count: int = 120) -> "tuple[dict[str, str], ...]":
    return corpus_records(version)[:count]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("version", VERSIONS)
def test_corpus_slice_raw_frames(tmp_path, version, codec):
    records = _slice(version)
    log = tmp_path / "raw.log"
    log.write_text("".join(record["frame"] + "\n" for record in records), encoding="utf-8")
    process = run_cli("validate", "--codec", codec, "--ocpp", version, str(log))
    assert process.returncode == 0, process.stdout.decode() + process.stderr.decode()
    assert results(process) == [{"line": n, "valid": True} for n in range(1, len(records) + 1)]
    assert process.stderr == b""


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("version", VERSIONS)
def test_corpus_slice_jsonl_on_stdin(version, codec):
    records = _slice(version)
    text = "".join(json.dumps(record) + "\n" for record in records)
    process = run_cli("validate", "--codec", codec, "--ocpp", version, "-", stdin=text.encode())
    assert process.returncode == 0, process.stdout.decode() + process.stderr.decode()
    assert results(process) == [{"line": n, "valid": True} for n in range(1, len(records) + 1)]


def test_simulator_log_lines_with_in_out_directions_and_extra_keys():
    # The simulators' frame logs: "direction" in/out seen from the writer, plus
    # "time" and "identity". Read as the station's log.
    lines = [
        {"time": 1.0, "identity": "CS1", "direction": "out", "frame": '[2,"1","Heartbeat",{}]'},
        {
            "time": 1.1,
            "identity": "CS1",
            "direction": "in",
            "frame": '[3,"1",{"currentTime":"2025-06-11T06:00:00Z"}]',
        },
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines).encode()
    process = run_cli("validate", "--ocpp", "1.6", "--role", "station", "-", stdin=stdin)
    assert process.returncode == 0, process.stderr.decode()
    assert results(process) == [{"line": 1, "valid": True}, {"line": 2, "valid": True}]


def test_blank_lines_are_skipped_but_lines_keep_their_physical_numbers():
    stdin = b'\n[2,"1","Heartbeat",{}]\r\n   \n\n[3,"1",{"currentTime":"2025-06-11T06:00:00Z"}]\n'
    process = run_cli("validate", "--ocpp", "1.6", "-", stdin=stdin)
    assert process.returncode == 0, process.stderr.decode()
    assert results(process) == [{"line": 2, "valid": True}, {"line": 5, "valid": True}]


def test_byte_order_mark_at_the_start_of_a_file_is_not_part_of_the_first_frame(tmp_path):
    log = tmp_path / "bom.log"
    log.write_bytes(b'\xef\xbb\xbf[2,"1","Heartbeat",{}]\n')
    process = run_cli("validate", "--ocpp", "2.0.1", str(log))
    assert process.returncode == 0, process.stdout.decode()
    assert results(process) == [{"line": 1, "valid": True}]


def test_empty_log_is_valid():
    process = run_cli("validate", "--ocpp", "2.1", "--summary", "-", stdin=b"")
    assert process.returncode == 0
    assert process.stdout == b""
    assert b"0 frames, 0 valid, 0 invalid" in process.stderr


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("version", VERSIONS)
def test_whole_corpus_file_is_valid(version, codec):
    path = CORPUS / CORPUS_FILES[version]
    process = run_cli("validate", "--codec", codec, "--ocpp", version, "--summary", str(path))
    assert process.returncode == 0, process.stderr.decode()
    lines = results(process)
    with path.open(encoding="utf-8") as corpus:
        count = sum(1 for _ in corpus)
    assert len(lines) == count
    assert all(line == {"line": n, "valid": True} for n, line in enumerate(lines, 1))
    assert f"{count} frames, {count} valid, 0 invalid".encode() in process.stderr


def test_corpus_validated_as_another_version_fails():
    # 1.6 traffic is not 2.0.1 traffic: BootNotification etc. differ. Guards against a
    # validator that accepts anything.
    path = CORPUS / CORPUS_FILES["1.6"]
    process = run_cli("validate", "--ocpp", "2.0.1", "--invalid-only", str(path))
    assert process.returncode == 1
    first = results(process)[0]
    assert first["line"] == 1 and first["valid"] is False
    assert first["error_code"] == "OccurrenceConstraintViolation"


# ------------------------------------------------------------------------------------
# bad logs: every case is (lines, expected) with expected None (valid) or (code, path)

_2X = ("2.0.1", "2.1")


def _c(version: str, code16: str, code2x: str) -> str:
    return code16 if version == "1.6" else code2x


def _call(message_id: str, action: str, payload: object) -> str:
    return json.dumps([2, message_id, action, payload], separators=(",", ":"))


def _result(message_id: str, payload: object) -> str:
    return json.dumps([3, message_id, payload], separators=(",", ":"))


def _line(frame: str, direction: str) -> str:
    return json.dumps({"direction": direction, "frame": frame})


def _with(payload: "dict[str, object]", path: "list[object]", value: object) -> object:
    """A deep copy of `payload` with the value at `path` replaced (None path = delete)."""
    changed = copy.deepcopy(payload)
    target: object = changed
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    return changed


def _without(payload: "dict[str, object]", key: str) -> object:
    changed = copy.deepcopy(payload)
    del changed[key]
    return changed


@functools.cache
def framing_cases(version: str) -> "dict[str, list[tuple[str, object]]]":
    frame_code = _c(version, "FormationViolation", "RpcFrameworkError")
    unmatched = _c(version, "FormationViolation", "RpcFrameworkError")
    duplicate = _c(version, "FormationViolation", "RpcFrameworkError")
    not_json_id = _c(version, "FormationViolation", "FormatViolation")
    type_code = _c(version, "FormationViolation", "MessageTypeNotSupported")
    heartbeat_answer = _result("x", {"currentTime": "2025-06-11T06:00:00Z"})
    cases: dict[str, list[tuple[str, object]]] = {
        "not-json": [("this is not JSON", (frame_code, ""))],
        "not-json-id-readable": [('[2,"f2","Heartbeat",{}', (not_json_id, ""))],
        "trailing-garbage": [('[2,"f3","Heartbeat",{}] x', (not_json_id, ""))],
        "not-an-array": [('{"messageTypeId": 2}', (frame_code, ""))],
        "a-string": [('"[2,\\"f5\\",\\"Heartbeat\\",{}]"', (frame_code, ""))],
        "empty-array": [("[]", (frame_code, ""))],
        "type-not-integer": [('["2","f7","Heartbeat",{}]', (frame_code, ""))],
        "unknown-type-7": [('[7,"f8","Heartbeat",{}]', (type_code, ""))],
        "unknown-type-1": [('[1,"f9","Heartbeat",{}]', (type_code, ""))],
        "id-too-long": [(_call("i" * 37, "Heartbeat", {}), (frame_code, ""))],
        "id-36-is-fine": [
            (_call("j" * 36, "Heartbeat", {}), None),
            (heartbeat_answer.replace('"x"', '"' + "j" * 36 + '"'), None),
        ],
        "id-not-string": [('[2,11,"Heartbeat",{}]', (frame_code, ""))],
        "call-5-elements": [('[2,"f12","Heartbeat",{},{}]', (frame_code, ""))],
        "call-3-elements": [('[2,"f13","Heartbeat"]', (frame_code, ""))],
        "result-2-elements": [('[3,"f14"]', (frame_code, ""))],
        "action-not-string": [('[2,"f15",15,{}]', (frame_code, ""))],
        "payload-not-object": [('[2,"f16","Heartbeat",[]]', ("TypeConstraintViolation", "$"))],
        "error-code-unknown": [('[4,"f17","NoSuchCode","",{}]', (frame_code, ""))],
        # the other versions' spelling is not a code of this version
        "error-code-other-spelling": [
            (
                '[4,"f18","' + _c(version, "FormatViolation", "FormationViolation") + '","",{}]',
                (frame_code, ""),
            )
        ],
        "error-details-not-object": [('[4,"f19","GenericError","",[]]', (frame_code, ""))],
        "unmatched-callresult": [(_result("f20", {}), (unmatched, ""))],
        "unmatched-callerror": [('[4,"f21","GenericError","",{}]', (unmatched, ""))],
        "duplicate-callresult": [
            (_call("f22", "Heartbeat", {}), None),
            (heartbeat_answer.replace('"x"', '"f22"'), None),
            (heartbeat_answer.replace('"x"', '"f22"'), (unmatched, "")),
        ],
        "callerror-answers-call": [
            (_call("f23", "Heartbeat", {}), None),
            ('[4,"f23","NotImplemented","not today",{}]', None),
            ('[4,"f23","NotImplemented","",{}]', (unmatched, "")),
        ],
        "callerror-answers-invalid-call": [
            (
                _call("f24", "Heartbeat", {"x": 1}),
                (_c(version, "FormationViolation", "FormatViolation"), "$.x"),
            ),
            (
                '[4,"f24","' + _c(version, "FormationViolation", "FormatViolation") + '","",{}]',
                None,
            ),
        ],
        "callresult-answers-broken-call": [
            ('[2,"f25","Heartbeat",{},{}]', (frame_code, "")),
            (heartbeat_answer.replace('"x"', '"f25"'), (unmatched, "")),
        ],
        "duplicate-call-id-in-flight": [
            (_call("f26", "Heartbeat", {}), None),
            (_call("f26", "Heartbeat", {}), (duplicate, "")),
        ],
        "call-id-reusable-after-answer": [
            (_call("f27", "Heartbeat", {}), None),
            (heartbeat_answer.replace('"x"', '"f27"'), None),
            (_call("f27", "Heartbeat", {}), None),
        ],
    }
    # 2.x answers a frame whose id cannot be read with CALLERROR id "-1"; "not-json"
    # above is such a frame. 1.6 has no such id: the CALLERROR answers nothing.
    cases["callerror-minus-1"] = [
        (
            '[4,"-1","RpcFrameworkError","",{}]'
            if version in _2X
            else '[4,"-1","GenericError","",{}]',
            None if version in _2X else (unmatched, ""),
        ),
    ]
    if version == "2.1":
        cases["send-valid"] = [
            (
                '[6,"f30","NotifyPeriodicEventStream",'
                '{"id":1,"pending":0,"basetime":"2025-06-11T06:00:00Z","data":[{"t":0.5,"v":"1"}]}]',
                None,
            )
        ]
        cases["result-to-send"] = [(_result("f30", {}), (unmatched, ""))]
        cases["send-with-call-action"] = [('[6,"f31","Heartbeat",{}]', ("NotImplemented", ""))]
        cases["call-with-send-action"] = [
            (
                _call(
                    "f32",
                    "NotifyPeriodicEventStream",
                    {
                        "id": 1,
                        "pending": 0,
                        "basetime": "2025-06-11T06:00:00Z",
                        "data": [{"t": 0, "v": "1"}],
                    },
                ),
                ("NotImplemented", ""),
            )
        ]
        cases["callresulterror-rejects-callresult"] = [
            (_call("f33", "Heartbeat", {}), None),
            (heartbeat_answer.replace('"x"', '"f33"'), None),
            ('[5,"f33","FormatViolation","bad result",{}]', None),
        ]
        cases["callresulterror-unmatched"] = [
            ('[5,"f34","FormatViolation","",{}]', ("RpcFrameworkError", "")),
        ]
    else:
        cases["send-not-in-version"] = [
            ('[6,"f30","NotifyPeriodicEventStream",{}]', (type_code, "")),
        ]
        cases["callresulterror-not-in-version"] = [
            ('[5,"f34","GenericError","",{}]', (type_code, "")),
        ]
    return cases


@functools.cache
def payload_cases(version: str) -> "dict[str, list[tuple[str, object]]]":
    v16 = version == "1.6"
    occurrence = _c(version, "OccurenceConstraintViolation", "OccurrenceConstraintViolation")
    formation = _c(version, "FormationViolation", "FormatViolation")
    boot, boot_answer = corpus_pair(version, "BootNotification")
    heartbeat_answer = {"currentTime": "2025-06-11T06:00:00Z"}
    cases: dict[str, list[tuple[str, object]]] = {}

    def call(name: str, action: str, payload: object, expected: object) -> None:
        cases[name] = [(_call("p-" + name[:30], action, payload), expected)]

    def answer(name: str, action: str, request: object, payload: object, expected: object) -> None:
        message_id = "r-" + name[:30]
        cases[name] = [
            (_call(message_id, action, request), None),
            (_result(message_id, payload), expected),
        ]

    # required
    if v16:
        call(
            "required",
            "BootNotification",
            _without(boot, "chargePointModel"),
            (occurrence, "$.chargePointModel"),
        )
    else:
        call(
            "required",
            "BootNotification",
            _without(boot, "chargingStation"),
            (occurrence, "$.chargingStation"),
        )
        call(
            "required-nested",
            "BootNotification",
            _with(boot, ["chargingStation"], {"vendorName": "V"}),
            (occurrence, "$.chargingStation.model"),
        )
    answer("required-in-response", "Heartbeat", {}, {}, (occurrence, "$.currentTime"))
    # type
    answer(
        "type-in-response",
        "Heartbeat",
        {},
        {"currentTime": 5},
        ("TypeConstraintViolation", "$.currentTime"),
    )
    answer(
        "type-bool-for-int",
        "BootNotification",
        boot,
        _with(boot_answer, ["interval"], True),
        ("TypeConstraintViolation", "$.interval"),
    )
    answer(
        "type-float-for-int",
        "BootNotification",
        boot,
        _with(boot_answer, ["interval"], 1.5),
        ("TypeConstraintViolation", "$.interval"),
    )
    # maxLength (counted in code points: 20 x "ß" is fine, 21 characters are not)
    if v16:
        call("max-length", "Authorize", {"idTag": "A" * 21}, ("TypeConstraintViolation", "$.idTag"))
        call("max-length-code-points", "Authorize", {"idTag": "ß" * 20}, None)
        call(
            "null-for-string", "Authorize", {"idTag": None}, ("TypeConstraintViolation", "$.idTag")
        )
    else:
        call(
            "max-length",
            "BootNotification",
            _with(boot, ["chargingStation", "model"], "M" * 21),
            ("TypeConstraintViolation", "$.chargingStation.model"),
        )
        call(
            "max-length-code-points",
            "BootNotification",
            _with(boot, ["chargingStation", "model"], "ß" * 20),
            None,
        )
        call(
            "null-for-optional",
            "BootNotification",
            _with(boot, ["chargingStation", "serialNumber"], None),
            ("TypeConstraintViolation", "$.chargingStation.serialNumber"),
        )
    # enum
    answer(
        "enum",
        "BootNotification",
        boot,
        _with(boot_answer, ["status"], "Maybe"),
        ("PropertyConstraintViolation", "$.status"),
    )
    answer(
        "enum-wrong-case",
        "BootNotification",
        boot,
        _with(boot_answer, ["status"], "accepted"),
        ("PropertyConstraintViolation", "$.status"),
    )
    # additionalProperties
    call("additional-property", "Heartbeat", {"extra": 1}, (formation, "$.extra"))
    # format date-time
    answer(
        "format-date-time",
        "Heartbeat",
        {},
        {"currentTime": "yesterday"},
        ("TypeConstraintViolation", "$.currentTime"),
    )
    answer("format-date-time-ok", "Heartbeat", {}, heartbeat_answer, None)
    # unknown actions
    call("unknown-action", "FooBar", {}, ("NotImplemented", ""))
    call("action-wrong-case", "heartbeat", {}, ("NotImplemented", ""))
    call("action-with-slash", "/Heartbeat", {}, ("NotImplemented", ""))
    call(
        "action-other-version",
        "TransactionEvent" if v16 else "StartTransaction",
        {},
        ("NotImplemented", ""),
    )
    if not v16:
        call("action-with-request-suffix", "HeartbeatRequest", {}, ("NotImplemented", ""))
    # nested path, 2.x numbers; 1.6 multipleOf
    if v16:
        profile, _ = corpus_pair(version, "SetChargingProfile")
        periods = ["csChargingProfiles", "chargingSchedule", "chargingSchedulePeriod", 0, "limit"]
        call(
            "multiple-of",
            "SetChargingProfile",
            _with(profile, periods, 8.15),
            (
                "PropertyConstraintViolation",
                "$.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit",
            ),
        )
        call("multiple-of-ok", "SetChargingProfile", _with(profile, periods, 8.1), None)
    else:
        meter, _ = corpus_pair(version, "MeterValues")
        call(
            "min-items",
            "MeterValues",
            _with(meter, ["meterValue"], []),
            (occurrence, "$.meterValue"),
        )
        call(
            "type-nested",
            "MeterValues",
            _with(meter, ["meterValue", 0, "sampledValue", 0, "value"], "230.1"),
            ("TypeConstraintViolation", "$.meterValue[0].sampledValue[0].value"),
        )
        hash_data = {
            "hashAlgorithm": "SHA256",
            "issuerNameHash": "a",
            "issuerKeyHash": "b",
            "serialNumber": "c",
            "responderURL": "http://ocsp.invalid",
        }
        id_token = {"idToken": "04A2B3C4", "type": "ISO14443"}
        call(
            "max-items",
            "Authorize",
            {"idToken": id_token, "iso15118CertificateHashData": [hash_data] * 5},
            (occurrence, "$.iso15118CertificateHashData"),
        )
        call(
            "max-items-ok",
            "Authorize",
            {"idToken": id_token, "iso15118CertificateHashData": [hash_data] * 4},
            None,
        )
        needs = {
            "evseId": 1,
            "chargingNeeds": {
                "requestedEnergyTransfer": "DC",
                "dcChargingParameters": {
                    "evMaxCurrent": 100,
                    "evMaxVoltage": 400,
                    "stateOfCharge": 50,
                },
            },
        }
        soc = ["chargingNeeds", "dcChargingParameters", "stateOfCharge"]
        call("min-max-ok", "NotifyEVChargingNeeds", needs, None)
        call(
            "maximum",
            "NotifyEVChargingNeeds",
            _with(needs, soc, 101),
            ("PropertyConstraintViolation", "$.chargingNeeds.dcChargingParameters.stateOfCharge"),
        )
        call(
            "minimum",
            "NotifyEVChargingNeeds",
            _with(needs, soc, -1),
            ("PropertyConstraintViolation", "$.chargingNeeds.dcChargingParameters.stateOfCharge"),
        )
    # direction (only when the log line says who sent it)
    reset = {"type": "Hard"} if v16 else {"type": "Immediate"}
    cases["direction-station-sends-csms-action"] = [
        (_line(_call("d1", "Reset", reset), "cs->csms"), ("NotSupported", "")),
    ]
    cases["direction-csms-sends-station-action"] = [
        (_line(_call("d2", "BootNotification", boot), "csms->cs"), ("NotSupported", "")),
    ]
    cases["direction-right-way"] = [
        (_line(_call("d3", "Reset", reset), "csms->cs"), None),
        (_line(_result("d3", {"status": "Accepted"}), "cs->csms"), None),
    ]
    cases["direction-data-transfer-both-ways"] = [
        (_line(_call("d4", "DataTransfer", {"vendorId": "V"}), "csms->cs"), None),
        (_line(_call("d5", "DataTransfer", {"vendorId": "V"}), "cs->csms"), None),
    ]
    cases["direction-unknown-in-raw-log"] = [(_call("d6", "Reset", reset), None)]
    cases["direction-answer-from-the-same-side"] = [
        (_line(_call("d7", "Heartbeat", {}), "cs->csms"), None),
        (
            _line(_result("d7", heartbeat_answer), "cs->csms"),
            (_c(version, "FormationViolation", "RpcFrameworkError"), ""),
        ),
    ]
    return cases


def _build(cases: "dict[str, list[tuple[str, object]]]") -> "tuple[str, dict[str, list[int]]]":
    # One blank line between cases: the numbering must still count it.
    text = []
    numbers: dict[str, list[int]] = {}
    number = 0
    for name, lines in cases.items():
        numbers[name] = []
        for line, _ in lines:
            text.append(line)
            number += 1
            numbers[name].append(number)
        text.append("")
        number += 1
    return "\n".join(text) + "\n", numbers


@functools.cache
def _run_cases(
    which: str, version: str, codec: str
) -> "tuple[int, dict[int, dict[str, object]], str]":
    cases = (framing_cases if which == "framing" else payload_cases)(version)
    text, _ = _build(cases)
    process = run_cli(
        "validate", "--codec", codec, "--ocpp", version, "-", stdin=text.encode("utf-8")
    )
    by_line = {}
    for result in results(process):
        assert result["line"] not in by_line
        by_line[result["line"]] = result
    return process.returncode, by_line, process.stderr.decode()


def _case_params(which: str) -> "list[object]":
    factory = framing_cases if which == "framing" else payload_cases
    return [
        pytest.param(version, codec, name, id=f"{version}-{codec}-{name}")
        for version in VERSIONS
        for codec in CODECS
        for name in factory(version)
    ]


def _check_case(which: str, version: str, codec: str, name: str) -> None:
    cases = (framing_cases if which == "framing" else payload_cases)(version)
    _, numbers = _build(cases)
    status, by_line, stderr = _run_cases(which, version, codec)
    assert status == 1, stderr  # every batch holds invalid frames
    assert "Traceback" not in stderr
    for (line, expected), number in zip(cases[name], numbers[name], strict=True):
        got = by_line.get(number)
        assert got is not None, f"no result for line {number}: {line}"
        if expected is None:
            assert got == {"line": number, "valid": True}, line
        else:
            code, path = expected  # type: ignore[misc]
            assert got["valid"] is False, line
            assert (got["error_code"], got["path"]) == (code, path), (line, got)
            assert isinstance(got["message"], str) and got["message"], got
            assert set(got) == {"line", "valid", "error_code", "path", "message"}


@pytest.mark.parametrize(("version", "codec", "name"), _case_params("framing"))
def test_framing(version, codec, name):
    _check_case("framing", version, codec, name)


@pytest.mark.parametrize(("version", "codec", "name"), _case_params("payload"))
def test_payload(version, codec, name):
    _check_case("payload", version, codec, name)


@pytest.mark.parametrize("version", VERSIONS)
def test_batches_print_one_result_per_frame_and_nothing_for_blank_lines(version):
    for which in ("framing", "payload"):
        cases = (framing_cases if which == "framing" else payload_cases)(version)
        _, numbers = _build(cases)
        _, by_line, _ = _run_cases(which, version, CODECS[0])
        assert sorted(by_line) == sorted(n for lines in numbers.values() for n in lines)


@pytest.mark.parametrize("version", VERSIONS)
def test_codecs_agree_on_every_case(version):
    if len(CODECS) < 2:
        pytest.fail("the msgspec codec (ocpp_core.codec) is not importable")
    for which in ("framing", "payload"):
        fast = _run_cases(which, version, "fast")
        pure = _run_cases(which, version, "pure")
        assert fast[:2] == pure[:2]


def test_in_out_directions_need_the_role_to_check_the_action():
    frame = _call("1", "Reset", {"type": "Hard"})
    stdin = (json.dumps({"direction": "out", "frame": frame}) + "\n").encode()
    # unknown owner: "out" says nothing about who sent it
    assert run_cli("validate", "--ocpp", "1.6", "-", stdin=stdin).returncode == 0
    # the CSMS's log: the CSMS sent Reset, fine
    assert run_cli("validate", "--ocpp", "1.6", "--role", "csms", "-", stdin=stdin).returncode == 0
    # the station's log: the station sent Reset, which a CSMS does not handle
    process = run_cli("validate", "--ocpp", "1.6", "--role", "station", "-", stdin=stdin)
    assert process.returncode == 1
    assert results(process)[0]["error_code"] == "NotSupported"


def test_in_out_directions_pair_answers_with_the_other_side():
    frames = [
        ("out", _call("7", "Heartbeat", {})),
        ("out", _result("7", {"currentTime": "2025-06-11T06:00:00Z"})),  # own answer: no
        ("in", _result("7", {"currentTime": "2025-06-11T06:00:00Z"})),
    ]
    stdin = "".join(json.dumps({"direction": d, "frame": f}) + "\n" for d, f in frames).encode()
    process = run_cli("validate", "--ocpp", "2.0.1", "-", stdin=stdin)
    got = results(process)
    assert [line["valid"] for line in got] == [True, False, True]
    assert got[1]["error_code"] == "RpcFrameworkError"


def test_crossing_calls_with_the_same_id_from_both_sides():
    # Ids are unique per sender: both sides may use "1" at the same time.
    frames = [
        ("cs->csms", _call("1", "Heartbeat", {})),
        ("csms->cs", _call("1", "ClearCache", {})),
        ("cs->csms", _result("1", {"status": "Accepted"})),
        ("csms->cs", _result("1", {"currentTime": "2025-06-11T06:00:00Z"})),
    ]
    stdin = "".join(_line(f, d) + "\n" for d, f in frames).encode()
    process = run_cli("validate", "--ocpp", "1.6", "-", stdin=stdin)
    assert process.returncode == 0, process.stdout.decode()


def test_invalid_only_and_summary():
    stdin = b'[2,"1","Heartbeat",{}]\n[3,"2",{}]\nnope\n[2,"3","Heartbeat",{"x":1}]\n'
    process = run_cli("validate", "--ocpp", "1.6", "--invalid-only", "--summary", "-", stdin=stdin)
    assert process.returncode == 1
    assert [line["line"] for line in results(process)] == [2, 3, 4]
    summary = process.stderr.decode()
    assert "<stdin>: 4 frames, 1 valid, 3 invalid" in summary
    assert "     3  FormationViolation" in summary


def test_log_line_version_mismatch_is_a_warning():
    line = json.dumps({"ocpp": "2.0.1", "direction": "cs->csms", "frame": '[2,"1","Heartbeat",{}]'})
    process = run_cli("validate", "--ocpp", "1.6", "-", stdin=(line + "\n").encode())
    assert process.returncode == 0
    assert b"says ocpp '2.0.1'; validating as 1.6" in process.stderr


@pytest.mark.parametrize("codec", CODECS)
def test_absurd_nesting_is_an_invalid_frame_not_a_crash(codec):
    # 100 000 levels: too deep for any JSON parser here. As a log object it is not
    # readable, so it is a raw frame; as a frame it is not JSON (RFC 8259 §9 allows a
    # depth limit).
    stdin = ('{"a":' * 100_000 + "\n" + "[" * 100_000 + "\n").encode()
    process = run_cli("validate", "--codec", codec, "--ocpp", "2.0.1", "-", stdin=stdin)
    assert process.returncode == 1, process.stderr.decode()[-2000:]
    assert [(line["line"], line["error_code"]) for line in results(process)] == [
        (1, "RpcFrameworkError"),
        (2, "RpcFrameworkError"),
    ]


def test_a_log_object_without_a_frame_string_is_a_raw_frame():
    # {"frame": 5} is no log line: as a frame it is an object, not an array.
    process = run_cli("validate", "--ocpp", "2.1", "-", stdin=b'{"frame": 5}\n')
    assert process.returncode == 1
    assert results(process)[0]["error_code"] == "RpcFrameworkError"


# ------------------------------------------------------------------------------------
# usage errors: exit 2, a one-line message, never a traceback


def _usage_error(process: "object") -> str:
    assert process.returncode == 2, (process.stdout, process.stderr)  # type: ignore[attr-defined]
    stderr = process.stderr.decode()  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    assert process.stdout == b""  # type: ignore[attr-defined]
    return stderr


def test_usage_unknown_version():
    stderr = _usage_error(run_cli("validate", "--ocpp", "1.5", "-"))
    assert "invalid choice: '1.5'" in stderr


def test_usage_missing_version():
    stderr = _usage_error(run_cli("validate", "-"))
    assert "--ocpp" in stderr


def test_usage_missing_file_argument():
    _usage_error(run_cli("validate", "--ocpp", "1.6"))


def test_usage_no_such_file(tmp_path):
    stderr = _usage_error(run_cli("validate", "--ocpp", "1.6", str(tmp_path / "nope.log")))
    assert "ocpp-toolkit validate: error: cannot read" in stderr
    assert "No such file or directory" in stderr


def test_usage_directory(tmp_path):
    stderr = _usage_error(run_cli("validate", "--ocpp", "1.6", str(tmp_path)))
    assert "Is a directory" in stderr


def test_usage_not_utf8(tmp_path):
    log = tmp_path / "latin1.log"
    log.write_bytes(b'[2,"1","Heartbeat",{}]\n[2,"2","DataTransfer",{"vendorId":"S\xfcd"}]\n')
    process = run_cli("validate", "--ocpp", "1.6", str(log))
    assert process.returncode == 2
    stderr = process.stderr.decode()
    assert "Traceback" not in stderr
    assert "line 2 is not UTF-8 text" in stderr


def test_usage_not_utf8_on_stdin():
    process = run_cli("validate", "--ocpp", "2.0.1", "-", stdin=b"\xff\xfe[\x00")
    assert process.returncode == 2
    assert b"<stdin>: line 1 is not UTF-8 text" in process.stderr
    assert b"Traceback" not in process.stderr


def test_usage_unknown_option_and_role():
    _usage_error(run_cli("validate", "--ocpp", "1.6", "--frobnicate", "-"))
    _usage_error(run_cli("validate", "--ocpp", "1.6", "--role", "server", "-"))
    _usage_error(run_cli("validate", "--ocpp", "1.6", "--codec", "rust", "-"))


def test_verbose_logs_to_stderr_only_when_asked():
    stdin = b'[2,"1","Heartbeat",{"x":1}]\n'
    quiet = run_cli("validate", "--ocpp", "1.6", "-", stdin=stdin)
    assert quiet.stderr == b""
    loud = run_cli("-vv", "validate", "--ocpp", "1.6", "-", stdin=stdin)
    after = run_cli("validate", "-vv", "--ocpp", "1.6", "-", stdin=stdin)
    for process in (loud, after):
        assert b"INFO ocpp_cli.validate: validating <stdin> as OCPP 1.6" in process.stderr
        assert b"DEBUG ocpp_cli.validate: line 1: FormationViolation $.x" in process.stderr
        assert process.stdout == quiet.stdout


def test_version_choices_match_the_core():
    # The CLI spells the versions out (so --help imports no core module); they must be
    # the core's. Checked in a subprocess, where ocpp_cli is importable.
    code = (
        "from ocpp_cli.validate import VERSION_CHOICES\n"
        "from ocpp_core.versions import VERSIONS\n"
        "assert VERSION_CHOICES == VERSIONS, (VERSION_CHOICES, VERSIONS)\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=cli_env(), capture_output=True, check=False
    )
    assert process.returncode == 0, process.stderr.decode()

"""QuirksPolicy: each knob, its limits, the no-mutation guarantee, and docs/quirks.md."""

import copy
import doctest
import os
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from ocpp_core import versions
from ocpp_core.quirks import (
    ACCEPT,
    DROP,
    DROPPED,
    REJECT,
    STRICT,
    TRUNCATE,
    Fixup,
    QuirksPolicy,
    apply_quirks,
)
from ocpp_core.v16 import schema as schema16
from ocpp_core.v201 import schema as schema201
from ocpp_core.validator import Validator

try:
    from schema_strategies import mutated_payloads, valid_payloads
except ImportError:  # tests/ is a package: pytest put the project root on sys.path
    from tests.schema_strategies import mutated_payloads, valid_payloads

V16, V201 = versions.V16, versions.V201
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOT16 = {"chargePointVendor": "ACME", "chargePointModel": "Wallbox"}
LENIENT = QuirksPolicy(
    overlong_strings=TRUNCATE,
    zoneless_timestamps_utc=True,
    enum_case=True,
    unknown_enum=DROP,
    numbers_as_strings=True,
    null_optional=DROP,
    unknown_fields=DROP,
)


def fix(version: str, policy: QuirksPolicy, type_name: str, payload: Any) -> Any:
    before = copy.deepcopy(payload)
    result = Validator(version, quirks=policy).fix(type_name, payload)
    assert payload == before  # never mutates the input
    return result


# --- the policy object -------------------------------------------------------------------


def test_default_policy_is_strict_and_fixes_nothing() -> None:
    assert QuirksPolicy().strict and STRICT.strict and QuirksPolicy() == STRICT
    payload = dict(BOOT16, chargePointModel="x" * 21, extra=None)
    fixed, fixups, violations = fix(V16, STRICT, "BootNotificationRequest", payload)
    assert fixed is payload and fixups == []
    assert violations == Validator(V16).validate("BootNotificationRequest", payload)
    assert [v.kind for v in violations] == [versions.MAX_LENGTH, versions.ADDITIONAL_PROPERTY]


def test_validator_without_policy_fixes_nothing() -> None:
    payload = {"currentTime": "2025-01-31T12:00:00"}
    fixed, fixups, violations = Validator(V16).fix("HeartbeatResponse", payload)
    assert fixed is payload and fixups == [] and [v.kind for v in violations] == [versions.FORMAT]


def test_policy_replace_repr_equality_and_bad_values() -> None:
    policy = STRICT.replace(enum_case=True)
    assert not policy.strict and policy.enum_case and not STRICT.enum_case
    assert repr(policy) == "QuirksPolicy(enum_case=True)"
    assert policy == QuirksPolicy(enum_case=True) and hash(policy) == hash(
        QuirksPolicy(enum_case=True)
    )
    assert policy != STRICT
    with pytest.raises(ValueError):
        QuirksPolicy(overlong_strings="shorten")
    with pytest.raises(ValueError):
        QuirksPolicy(unknown_fields=ACCEPT)
    with pytest.raises(TypeError):
        STRICT.replace(colour="red")
    with pytest.raises(TypeError):
        QuirksPolicy(REJECT)  # type: ignore[misc]  # keyword-only


# --- overlong strings --------------------------------------------------------------------


def test_overlong_truncate_everywhere() -> None:
    policy = QuirksPolicy(overlong_strings=TRUNCATE)
    payload = dict(BOOT16, chargePointModel="M" * 25)
    fixed, fixups, violations = fix(V16, policy, "BootNotificationRequest", payload)
    assert fixed["chargePointModel"] == "M" * 20 and violations == []
    assert fixups == [
        Fixup(
            "$.chargePointModel",
            "overlong_strings",
            "M" * 25,
            "M" * 20,
            "truncated 25 characters where at most 20 are allowed at $.chargePointModel",
        )
    ]


def test_overlong_accept_keeps_the_value_and_reports_it() -> None:
    policy = QuirksPolicy(overlong_strings=ACCEPT)
    payload = dict(BOOT16, chargePointSerialNumber="S" * 30)
    fixed, fixups, violations = fix(V16, policy, "BootNotificationRequest", payload)
    assert fixed == payload and violations == []
    assert [(f.knob, f.path, f.original == f.new) for f in fixups] == [
        ("overlong_strings", "$.chargePointSerialNumber", True)
    ]
    assert fixups[0].message.startswith("accepted 30 characters")


def test_overlong_limited_to_named_fields() -> None:
    policy = QuirksPolicy(overlong_strings=TRUNCATE, overlong_fields={"chargePointSerialNumber"})
    payload = dict(BOOT16, chargePointSerialNumber="S" * 30, chargePointModel="M" * 21)
    fixed, fixups, violations = fix(V16, policy, "BootNotificationRequest", payload)
    assert fixed["chargePointSerialNumber"] == "S" * 25
    assert [f.path for f in fixups] == ["$.chargePointSerialNumber"]
    assert [(v.kind, v.path) for v in violations] == [(versions.MAX_LENGTH, "$.chargePointModel")]


def test_overlong_reject_is_the_default() -> None:
    payload = dict(BOOT16, chargePointModel="M" * 21)
    _, fixups, violations = fix(
        V16, QuirksPolicy(enum_case=True), "BootNotificationRequest", payload
    )
    assert fixups == [] and [v.kind for v in violations] == [versions.MAX_LENGTH]


# --- timestamps ------------------------------------------------------------------------


def test_zoneless_timestamp_read_as_utc() -> None:
    policy = QuirksPolicy(zoneless_timestamps_utc=True)
    fixed, fixups, violations = fix(
        V16, policy, "HeartbeatResponse", {"currentTime": "2025-01-31T12:00:00.5"}
    )
    assert fixed == {"currentTime": "2025-01-31T12:00:00.5Z"} and violations == []
    assert [(f.knob, f.original, f.new) for f in fixups] == [
        ("zoneless_timestamps_utc", "2025-01-31T12:00:00.5", "2025-01-31T12:00:00.5Z")
    ]


@pytest.mark.parametrize(
    "text", ["2025-02-29T12:00:00", "2025-01-31 12:00:00", "2025-01-31T12:00:00+0100"]
)
def test_zoneless_fix_does_not_touch_other_bad_timestamps(text: str) -> None:
    policy = QuirksPolicy(zoneless_timestamps_utc=True)
    fixed, fixups, violations = fix(V16, policy, "HeartbeatResponse", {"currentTime": text})
    assert fixed == {"currentTime": text} and fixups == []
    assert [v.kind for v in violations] == [versions.FORMAT]


# --- enums ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sent", ["accepted", "ACCEPTED", "aCCEPTED"])
def test_enum_case_fixed_to_the_spec_spelling(sent: str) -> None:
    payload = {"currentTime": "2025-01-31T12:00:00Z", "interval": 60, "status": sent}
    fixed, fixups, violations = fix(
        V201, QuirksPolicy(enum_case=True), "BootNotificationResponse", payload
    )
    assert fixed["status"] == "Accepted" and violations == []
    assert [(f.path, f.knob, f.original, f.new) for f in fixups] == [
        ("$.status", "enum_case", sent, "Accepted")
    ]


def test_unknown_enum_dropped_only_when_optional() -> None:
    policy = QuirksPolicy(unknown_enum=DROP)
    payload = {
        "connectorId": 1,
        "errorCode": "NoError",
        "status": "Available",
        "info": "ok",
        "timestamp": "2025-01-31T12:00:00Z",
    }
    # sampledValue.measurand is optional: dropped; StatusNotification.status is required: kept
    meter = {
        "connectorId": 1,
        "meterValue": [
            {
                "timestamp": "2025-01-31T12:00:00Z",
                "sampledValue": [{"value": "1", "measurand": "Energy.Bogus", "unit": "Wh"}],
            }
        ],
    }
    fixed, fixups, violations = fix(V16, policy, "MeterValuesRequest", meter)
    assert fixed["meterValue"][0]["sampledValue"][0] == {"value": "1", "unit": "Wh"}
    assert violations == []
    assert [(f.path, f.new) for f in fixups] == [
        ("$.meterValue[0].sampledValue[0].measurand", DROPPED)
    ]
    fixed, fixups, violations = fix(
        V16, policy, "StatusNotificationRequest", dict(payload, status="Busy")
    )
    assert fixed["status"] == "Busy" and fixups == []
    assert [(v.kind, v.path) for v in violations] == [(versions.ENUM, "$.status")]


def test_enum_case_is_tried_before_dropping() -> None:
    policy = QuirksPolicy(enum_case=True, unknown_enum=DROP)
    meter = {
        "connectorId": 1,
        "meterValue": [
            {"timestamp": "2025-01-31T12:00:00Z", "sampledValue": [{"value": "1", "unit": "wh"}]}
        ],
    }
    fixed, fixups, _ = fix(V16, policy, "MeterValuesRequest", meter)
    assert fixed["meterValue"][0]["sampledValue"][0]["unit"] == "Wh"
    assert [f.knob for f in fixups] == ["enum_case"]


# --- numbers as strings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent,expected",
    [
        ("300", 300),
        ("-5", -5),
        ("0", 0),
        ("1.5", None),
        (" 3", None),
        ("+3", None),
        ("0x1f", None),
        ("01", None),
        ("", None),
    ],
)
def test_numbers_as_strings_for_integers(sent: str, expected: int | None) -> None:
    payload = {"currentTime": "2025-01-31T12:00:00Z", "interval": sent, "status": "Accepted"}
    fixed, fixups, violations = fix(
        V16, QuirksPolicy(numbers_as_strings=True), "BootNotificationResponse", payload
    )
    if expected is None:
        assert fixups == [] and [(v.kind, v.path) for v in violations] == [
            (versions.TYPE, "$.interval")
        ]
    else:
        assert fixed["interval"] == expected and type(fixed["interval"]) is int and violations == []
        assert [(f.knob, f.original, f.new) for f in fixups] == [
            ("numbers_as_strings", sent, expected)
        ]


@pytest.mark.parametrize(
    "sent,expected",
    [("8.1", 8.1), ("16", 16), ("1e1", 10.0), ("-0.5", None), ("8.15", None), ("1.", None)],
)
def test_numbers_as_strings_for_numbers_then_validated(sent: str, expected: float | None) -> None:
    payload = {
        "connectorId": 1,
        "csChargingProfiles": {
            "chargingProfileId": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": {
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": sent}],
            },
        },
    }
    policy = QuirksPolicy(numbers_as_strings=True)
    fixed, fixups, violations = fix(V16, policy, "SetChargingProfileRequest", payload)
    limit = fixed["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"]
    if expected is not None:
        assert limit == expected and violations == [] and len(fixups) == 1
    elif sent == "8.15":  # converted, but still not a multiple of 0.1
        assert limit == 8.15 and [v.kind for v in violations] == [versions.MULTIPLE_OF]
    elif sent == "-0.5":  # converted; 1.6 limit has no minimum, so it is valid
        assert limit == -0.5 and violations == []
    else:
        assert limit == sent and [v.kind for v in violations] == [versions.TYPE]


# --- null for optional fields ---------------------------------------------------------------------


def test_null_optional_dropped_but_null_required_kept() -> None:
    policy = QuirksPolicy(null_optional=DROP)
    payload = {
        "reason": "PowerUp",
        "chargingStation": {"model": "M", "vendorName": None, "serialNumber": None},
    }
    fixed, fixups, violations = fix(V201, policy, "BootNotificationRequest", payload)
    assert fixed == {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": None}}
    assert [(f.path, f.knob, f.original, f.new) for f in fixups] == [
        ("$.chargingStation.serialNumber", "null_optional", None, DROPPED)
    ]
    assert [(v.kind, v.path) for v in violations] == [
        (versions.TYPE, "$.chargingStation.vendorName")
    ]


# --- unknown fields --------------------------------------------------------------------------------


def test_unknown_fields_dropped_at_every_level_but_custom_data_kept() -> None:
    policy = QuirksPolicy(unknown_fields=DROP)
    payload = {
        "reason": "PowerUp",
        "vendorTrace": [1, 2],
        "chargingStation": {"model": "M", "vendorName": "V", "colour": "red"},
        "customData": {"vendorId": "com.acme", "colour": "blue"},
    }
    fixed, fixups, violations = fix(V201, policy, "BootNotificationRequest", payload)
    assert fixed == {
        "reason": "PowerUp",
        "chargingStation": {"model": "M", "vendorName": "V"},
        "customData": {"vendorId": "com.acme", "colour": "blue"},
    }
    # schema order first (chargingStation), then unknown fields by name
    assert [(f.path, f.original) for f in fixups] == [
        ("$.chargingStation.colour", "red"),
        ("$.vendorTrace", [1, 2]),
    ]
    assert violations == []


def test_unknown_fields_reject_by_default_in_a_lenient_policy() -> None:
    policy = LENIENT.replace(unknown_fields=REJECT)
    fixed, fixups, violations = fix(V16, policy, "BootNotificationRequest", dict(BOOT16, x=1))
    assert fixed == dict(BOOT16, x=1) and fixups == []
    assert [(v.code, v.path) for v in violations] == [("FormationViolation", "$.x")]


# --- copies and properties ---------------------------------------------------------------------------


def test_fixed_payload_is_a_deep_copy() -> None:
    payload = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
    fixed, _, _ = fix(V201, LENIENT, "BootNotificationRequest", payload)
    assert fixed == payload and fixed is not payload
    assert fixed["chargingStation"] is not payload["chargingStation"]
    fixed["chargingStation"]["model"] = "changed"
    assert payload["chargingStation"]["model"] == "M"


def test_apply_quirks_function_form() -> None:
    fixed, fixups, violations = apply_quirks(
        Validator(V16), QuirksPolicy(enum_case=True), "ResetResponse", {"status": "accepted"}
    )
    assert fixed == {"status": "Accepted"} and len(fixups) == 1 and violations == []


PROPERTY_TYPES = [
    (V16, schema16, "BootNotificationRequest"),
    (V16, schema16, "MeterValuesRequest"),
    (V16, schema16, "SetChargingProfileRequest"),
    (V201, schema201, "BootNotificationRequest"),
    (V201, schema201, "TransactionEventRequest"),
    (V201, schema201, "SetChargingProfileRequest"),
]
PROPERTY_SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("version,module,type_name", PROPERTY_TYPES)
def test_lenient_policy_leaves_valid_payloads_alone(
    version: str, module: Any, type_name: str
) -> None:
    validator = Validator(version, quirks=LENIENT)

    @PROPERTY_SETTINGS
    @given(valid_payloads(module.TYPES, type_name))
    def check(payload: Any) -> None:
        fixed, fixups, violations = validator.fix(type_name, payload)
        assert (fixed, fixups, violations) == (payload, [], [])

    check()


@pytest.mark.parametrize("version,module,type_name", PROPERTY_TYPES)
def test_dropping_unknown_fields_repairs_exactly_the_extra_field(
    version: str, module: Any, type_name: str
) -> None:
    validator = Validator(version, quirks=QuirksPolicy(unknown_fields=DROP))

    @PROPERTY_SETTINGS
    @given(mutated_payloads(module.TYPES, type_name, (versions.ADDITIONAL_PROPERTY,)))
    def check(case: tuple[Any, str, str]) -> None:
        payload, kind, path = case
        assert kind == versions.ADDITIONAL_PROPERTY
        fixed, fixups, violations = validator.fix(type_name, payload)
        assert violations == [] and validator.validate(type_name, fixed) == []
        assert [(f.path, f.knob, f.new) for f in fixups] == [(path, "unknown_fields", DROPPED)]

    check()


def test_docs_quirks_examples_run() -> None:
    """Every example in docs/quirks.md is a doctest; they must all pass."""
    result = doctest.testfile(
        os.path.join(ROOT, "docs", "quirks.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted >= 8 and result.failed == 0


# --- the same results on MicroPython 1.27 -------------------------------------------------

MICROPYTHON_SCRIPT = r"""
import json
from ocpp_core.quirks import DROP, TRUNCATE, QuirksPolicy
from ocpp_core.validator import Validator
from ocpp_core.validator.formats import datetime_status, is_multiple_of_decimal, is_uri, number_text

lenient = QuirksPolicy(overlong_strings=TRUNCATE, zoneless_timestamps_utc=True, enum_case=True,
                       unknown_enum=DROP, numbers_as_strings=True, null_optional=DROP,
                       unknown_fields=DROP)
CASES = (
    ("2.0.1", "BootNotificationRequest",
     '{"reason": "powerup", "zz": 1, "aa": 2, "chargingStation": {"model": "'
     + "m" * 30 + '", "vendorName": "v", "serialNumber": null, "x": 1}}'),
    ("2.0.1", "HeartbeatResponse", '{"currentTime": "2025-01-31T12:00:00"}'),
    ("1.6", "BootNotificationResponse",
     '{"currentTime": "2025-01-31T12:00:00Z", "interval": "300", "status": "ACCEPTED"}'),
    ("1.6", "MeterValuesRequest",
     '{"connectorId": 1, "meterValue": [{"timestamp": "2025-01-31T12:00:00", "sampledValue":'
     ' [{"value": "1", "measurand": "Bogus", "unit": "wh"}]}]}'),
    ("1.6", "StatusNotificationRequest",
     '{"connectorId": 1, "errorCode": "NoError", "status": "Busy", "info": null}'),
)
def canonical(value):  # MicroPython dicts keep no order and its json has no sort_keys
    if isinstance(value, dict):
        return [[key, canonical(value[key])] for key in sorted(value)]
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


for version, type_name, text in CASES:
    fixed, fixups, violations = Validator(version, quirks=lenient).fix(type_name, json.loads(text))
    print(version, type_name, json.dumps(canonical(fixed)))
    for f in fixups:
        print("  fixup", f.path, f.knob, repr(f.original), repr(f.new), "|", f.message)
    for v in violations:
        print("  left", v.kind, v.code, v.path, "|", v.message)
limits = json.loads("[" + ",".join(["%d.%d" % (i // 10, i % 10) for i in range(4001)]) + "]")
print("one-decimal limits rejected:", len([x for x in limits if not is_multiple_of_decimal(x, 0.1)]))
print([number_text(x) for x in json.loads("[92.6, 1e-7, 123456.789, 1e300, 5e-324, 8.15]")])
print([datetime_status(t) for t in ("2024-02-29t00:00:00z", "2025-02-29T00:00:00Z", "2025-01-31T12:00:00")])
print([is_uri(u) for u in ("https://[2001:db8::1]:8443/a?b=c#d", "a b", "urn:x:y", "http://h%zz/")])
"""


def test_quirks_and_formats_print_the_same_on_micropython(tmp_path: Any) -> None:
    import shutil
    import subprocess

    node = shutil.which("node")
    runner = os.path.join(ROOT, "tests", "micropython", "run.mjs")
    assert node is not None, "node is needed to run MicroPython (see `make micropython`)"
    script = tmp_path / "quirks_cases.py"
    script.write_text(MICROPYTHON_SCRIPT)
    on_mp = subprocess.run(
        [node, runner, str(script)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert on_mp.returncode == 0, on_mp.stderr
    on_cpython = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert on_cpython.returncode == 0, on_cpython.stderr
    assert on_mp.stdout == on_cpython.stdout
    assert "one-decimal limits rejected: 0" in on_mp.stdout
    assert "fixup $.reason enum_case 'powerup' 'PowerUp'" in on_mp.stdout
